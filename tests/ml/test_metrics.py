import numpy as np
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, f1_score

from meclean.ml.metrics import one_class, score


def test_uf1_and_uar_match_scikit_learn_on_known_predictions():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 3, 200)
    y_pred = np.where(rng.random(200) < 0.6, y_true, rng.integers(0, 3, 200))
    groups = rng.choice(["casme2", "samm", "smic"], 200)

    scores = score(y_true, y_pred, groups)

    assert np.isclose(scores["composite"].uf1, f1_score(y_true, y_pred, average="macro"))
    assert np.isclose(scores["composite"].uar, balanced_accuracy_score(y_true, y_pred))
    samm = groups == "samm"
    assert np.isclose(scores["samm"].uf1, f1_score(y_true[samm], y_pred[samm], average="macro"))
    assert (
        scores["smic"].confusion
        == confusion_matrix(y_true[groups == "smic"], y_pred[groups == "smic"]).tolist()
    )


def test_a_class_never_predicted_or_present_counts_as_zero_not_an_error():
    scores = score(np.array([0, 0, 1]), np.array([0, 0, 0]), ["a", "a", "a"])
    assert np.isclose(scores["a"].uar, (1 + 0 + 0) / 3)


def test_a_run_predicting_one_class_for_nine_in_ten_samples_is_named_as_collapsed():
    collapsed = one_class(np.array([440, 1, 1]))
    spread = one_class(np.array([80, 20, 0]))

    assert collapsed is not None and (collapsed.label, collapsed.samples) == (0, 442)
    assert collapsed.describe(["negative", "positive", "surprise"]) == (
        "predicts negative for 440 of its 442 predictions"
    )
    assert spread is None
    assert one_class(np.zeros(3, int)) is None
