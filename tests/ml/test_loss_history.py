import numpy as np

from meclean.ml.loso import TrainConfig, train_loso
from meclean.ml.loss_history import LossHistory, summed_history
from meclean.ml.methods import NoisyLabelMethod
from tests.ml.helpers import signed_samples


def test_each_sample_has_its_loss_in_every_epoch_of_every_fold_that_trains_on_it():
    data = signed_samples(subjects=4, per_subject=6)
    config = TrainConfig(epochs=3, batch_size=8, device="cpu", folds_per_step=1)

    out = train_loso(
        data.features, data.labels, data.subjects, method=NoisyLabelMethod(), config=config
    )

    assert out.history is not None
    assert out.history.total.shape == (24, 3)
    # One fold per step draws no sample twice: the three folds without its subject, once each.
    np.testing.assert_array_equal(out.history.count, 3)
    mean = out.history.mean()
    assert np.isfinite(mean).all() and (mean > 0).all()


def test_a_flipped_label_keeps_a_higher_training_loss_than_the_others():
    data = signed_samples(subjects=4, per_subject=12)
    flipped = np.arange(len(data.labels)) % 8 == 0  # from and to every class alike
    labels = np.where(flipped, (data.labels + 1) % 3, data.labels)
    config = TrainConfig(epochs=12, batch_size=8, device="cpu")

    out = train_loso(
        data.features, labels, data.subjects, method=NoisyLabelMethod(), config=config, seed=3
    )

    late = out.history.mean()[:, 6:].mean(axis=1)
    assert late[flipped].mean() > 1.5 * late[~flipped].mean()


def test_the_mean_is_undefined_in_epochs_a_sample_was_not_trained_in():
    history = LossHistory(np.array([[2.0, 0.0], [3.0, 1.0]]), np.array([[2.0, 0.0], [1.0, 1.0]]))

    np.testing.assert_array_equal(history.mean(), [[1.0, np.nan], [3.0, 1.0]])


def test_histories_are_summed_only_when_every_part_kept_one():
    kept = LossHistory(np.ones((2, 3)), np.ones((2, 3)))
    both = summed_history([kept, kept])

    assert summed_history([kept, None]) is None and summed_history([None, kept]) is None
    np.testing.assert_array_equal(both.total, 2)
    np.testing.assert_array_equal(both.count, 2)
