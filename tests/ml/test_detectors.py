import numpy as np

from meclean.ml.detectors import confident_learning_issues


def test_confident_learning_flags_labels_that_confident_predictions_contradict():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 30)
    probabilities = np.full((90, 3), 0.05)
    probabilities[np.arange(90), labels] = 0.9
    probabilities += rng.uniform(0, 0.02, probabilities.shape)
    probabilities /= probabilities.sum(1, keepdims=True)
    mislabelled = [3, 40, 77]
    labels = labels.copy()
    labels[mislabelled] = (labels[mislabelled] + 1) % 3

    issues = confident_learning_issues(labels, probabilities)

    assert set(np.flatnonzero(issues)) == set(mislabelled)
