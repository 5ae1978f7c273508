"""A part's file keeps everything the run's results are pooled from."""

import numpy as np

from meclean.jobs.results import load_fold_output, save_fold_output
from meclean.ml.loso import FlagCounts, LosoOutput
from meclean.ml.loss_history import LossHistory


def output(history: LossHistory | None) -> LosoOutput:
    rng = np.random.default_rng(0)
    flags = FlagCounts(rng.random(4), rng.random(4), rng.random((4, 3)))
    return LosoOutput(rng.random((4, 3)), np.ones(4, bool), flags, 1.5, history)


def test_a_part_file_keeps_the_loss_history_and_reads_back_whole(tmp_path):
    history = LossHistory(np.arange(8.0).reshape(4, 2), np.ones((4, 2)))
    with (tmp_path / "part.npz").open("wb") as f:
        save_fold_output(f, output(history))

    read = load_fold_output(tmp_path / "part.npz")

    np.testing.assert_array_equal(read.history.total, history.total)
    np.testing.assert_array_equal(read.history.count, history.count)
    np.testing.assert_array_equal(read.flags.votes, output(history).flags.votes)
    assert read.seconds == 1.5


def test_a_part_trained_before_histories_were_kept_reads_back_without_one(tmp_path):
    with (tmp_path / "part.npz").open("wb") as f:
        save_fold_output(f, output(None))

    read = load_fold_output(tmp_path / "part.npz")

    assert read.history is None
    assert LosoOutput.merge([read]).history is None
