"""A run part's heartbeat: it vouches for training that moves, not for training that hangs."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from meclean.db.models import Dataset, RunPart
from meclean.db.session import transaction
from meclean.jobs import execute
from meclean.jobs.execute import PartMonitor, claim_part
from meclean.jobs.lease import silent
from meclean.jobs.runs import recover_stalled
from meclean.services.launch import launch_run
from meclean.services.run_plans import RunRequest

STALL_S = 0.5


def eventually(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.fixture
def part(jobs, dataset_id, monkeypatch) -> RunPart:
    """The first part of a queued ILC run, claimed; beats every 50 ms, hung after 0.5 s."""
    monkeypatch.setattr(execute, "HEARTBEAT_SECONDS", 0.05)
    jobs.settings = jobs.settings.model_copy(update={"stall_timeout_s": STALL_S})
    with transaction(jobs.sessions) as session:
        run = launch_run(session, session.get(Dataset, dataset_id), RunRequest(method="ilc"), None)
        first = min(p.id for p in run.parts)
    return claim_part(jobs.sessions, first)


def silent_parts(jobs) -> list[int]:
    with jobs.sessions() as session:
        return [p.id for p in silent(session, RunPart, STALL_S)]


def heartbeat_of(jobs, part_id: int) -> datetime:
    with jobs.sessions() as session:
        beat = session.scalar(select(RunPart.heartbeat_at).where(RunPart.id == part_id))
    return beat if beat.tzinfo else beat.replace(tzinfo=UTC)


def test_training_that_reports_keeps_its_part_alive_past_the_stall_timeout(jobs, part):
    start = datetime.now(UTC)
    with PartMonitor(jobs, part) as monitor:
        deadline = time.monotonic() + 5 * STALL_S
        while time.monotonic() < deadline:
            monitor.report(1)
            time.sleep(0.05)
        assert not monitor.should_stop()
    assert heartbeat_of(jobs, part.id) > start + timedelta(seconds=3 * STALL_S)


def test_hung_training_falls_silent_is_handed_on_and_stops_if_it_wakes(jobs, part):
    with PartMonitor(jobs, part) as monitor:
        # The training says nothing at all: no progress, no stop checks.
        eventually(lambda: silent_parts(jobs) == [part.id])
        with transaction(jobs.sessions) as session:
            assert recover_stalled(session, STALL_S, max_attempts=3) == [part.id]
        with jobs.sessions() as session:
            handed_on = session.get(RunPart, part.id)
            assert handed_on.status == "queued"
            assert "made no progress" in handed_on.error

        monitor.report(1)  # the training wakes up, on a part that is no longer its own
        eventually(monitor.should_stop)
        assert monitor.stop_reason == "taken over or cancelled"


def test_a_run_whose_part_hangs_on_its_last_attempt_fails_saying_so(jobs, part):
    with PartMonitor(jobs, part):
        eventually(lambda: silent_parts(jobs) == [part.id])
        with transaction(jobs.sessions) as session:
            assert recover_stalled(session, STALL_S, max_attempts=1) == []
        with jobs.sessions() as session:
            run = session.get(RunPart, part.id).run
            assert run.status == "failed"
            assert "made no progress" in run.error and "(hung)" in run.error


def test_training_that_wakes_before_the_watchdog_acts_carries_on_unmarked(jobs, part):
    def error() -> str | None:
        with jobs.sessions() as session:
            return session.scalar(select(RunPart.error).where(RunPart.id == part.id))

    with PartMonitor(jobs, part) as monitor:
        eventually(lambda: error() is not None)

        monitor.report(1)

        eventually(lambda: error() is None)
        assert not monitor.should_stop()
