"""A running run's time left: the launch's estimate first, the pace as work gets done."""

import pytest

from meclean.jobs.runs import remaining_s


def test_the_time_left_moves_from_the_launchs_estimate_to_the_pace_as_work_gets_done():
    assert remaining_s(10, 0.0, 100) == 90  # nothing done: the estimate alone
    assert remaining_s(10, 0.0, None) is None
    assert remaining_s(50, 0.5, None) == 50  # no estimate: the pace alone
    assert remaining_s(50, 0.5, 120) == pytest.approx(0.5 * 50 + 0.5 * 70)
    assert remaining_s(200, 0.5, 120) == pytest.approx(0.5 * 200)  # past the estimate
