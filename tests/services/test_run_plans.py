"""The launch form's duration estimate: a fixed part and a pace, from earlier runs."""

import pytest

from meclean.services.run_plans import duration_estimate, work_units


def test_an_estimate_separates_the_fixed_part_from_the_pace():
    # Runs of 30 s fixed plus 0.1 s per fold-epoch.
    history = [(u, 30 + 0.1 * u) for u in (70, 350, 700)]

    assert duration_estimate(history, 14_000) == pytest.approx(30 + 1_400)
    assert duration_estimate(history, 70) == pytest.approx(37)


def test_runs_of_one_size_estimate_by_their_pace_and_no_run_by_nothing():
    assert duration_estimate([(100, 50.0), (100, 70.0)], 200) == pytest.approx(120)
    assert duration_estimate([], 100) is None


def test_a_fit_without_sense_falls_back_to_the_pace():
    # Longer runs that took less time (a busy machine earlier): no negative pace.
    history = [(100, 90.0), (1_000, 60.0)]

    assert duration_estimate(history, 500) == pytest.approx(500 * (0.9 + 0.06) / 2)


def test_the_work_of_a_run_counts_the_final_model_as_one_more_fold():
    assert work_units(epochs=10, seeds=3, folds=68) == 10 * 3 * 69
