import numpy as np
import pytest

from meclean.ml.comparison import SeedPredictions, uf1_difference
from meclean.ml.metrics import score

SUBJECTS = [f"casme2/sub{i % 20:02d}" for i in range(300)]


def predictions(labels: np.ndarray, accuracy: float, seeds: int, rng) -> np.ndarray:
    """(seeds, N): the label with probability ``accuracy``, else a random class."""
    right = rng.random((seeds, len(labels))) < accuracy
    return np.where(right, labels, rng.integers(0, 3, (seeds, len(labels))))


@pytest.fixture
def labels() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 3, len(SUBJECTS))


def test_a_clearly_better_run_is_a_real_difference(labels):
    rng = np.random.default_rng(1)
    better = SeedPredictions([0, 1, 2], predictions(labels, 0.9, 3, rng), labels)
    worse = SeedPredictions([0, 1, 2], predictions(labels, 0.5, 3, rng), labels)

    d = uf1_difference(better, worse, SUBJECTS)

    assert d.real and 0 < d.ci_low < d.difference < d.ci_high
    assert d.subjects == 20 and d.paired_seeds == 3 and d.p_value < 0.05


def test_two_runs_of_equal_skill_differ_within_noise(labels):
    rng = np.random.default_rng(2)
    a = SeedPredictions([0, 1, 2], predictions(labels, 0.7, 3, rng), labels)
    b = SeedPredictions([0, 1, 2], predictions(labels, 0.7, 3, rng), labels)

    d = uf1_difference(a, b, SUBJECTS)

    assert not d.real
    assert d.ci_low < 0 < d.ci_high


def test_the_difference_is_the_mean_over_seeds_of_the_megc_uf1(labels):
    rng = np.random.default_rng(3)
    a = SeedPredictions([0, 1], predictions(labels, 0.8, 2, rng), labels)
    b = SeedPredictions([0], predictions(labels, 0.6, 1, rng), labels)
    groups = ["all"] * len(labels)

    d = uf1_difference(a, b, SUBJECTS)

    expected = np.mean([score(labels, p, groups)["composite"].uf1 for p in a.predictions])
    expected -= score(labels, b.predictions[0], groups)["composite"].uf1
    assert d.difference == pytest.approx(expected, abs=1e-12)


def test_seeds_are_paired_by_seed_not_by_position(labels):
    rng = np.random.default_rng(4)
    seed_0, seed_1 = predictions(labels, 0.9, 1, rng)[0], predictions(labels, 0.5, 1, rng)[0]
    a = SeedPredictions([0, 1], np.stack([seed_0, seed_1]), labels)
    same_runs_listed_backwards = SeedPredictions([1, 0], np.stack([seed_1, seed_0]), labels)

    d = uf1_difference(a, same_runs_listed_backwards, SUBJECTS)

    assert d.p_value == 1.0 and d.difference == 0 and not d.real


def test_without_two_shared_seeds_there_is_no_paired_test(labels):
    rng = np.random.default_rng(5)
    a = SeedPredictions([0], predictions(labels, 0.9, 1, rng), labels)
    b = SeedPredictions([1], predictions(labels, 0.5, 1, rng), labels)

    d = uf1_difference(a, b, SUBJECTS)

    assert d.paired_seeds == 0 and d.p_value is None
    assert d.real, "the subject bootstrap alone decides when seeds cannot be paired"


def test_one_subject_cannot_be_bootstrapped(labels):
    run = SeedPredictions([0], labels[None, :], labels)

    with pytest.raises(ValueError, match="two subjects"):
        uf1_difference(run, run, ["casme2/sub01"] * len(labels))
