"""The watchdog enqueues again a queued row whose message was lost, once, and leaves alone
the rows whose message still waits and the parts of runs that ended."""

from meclean.db.models import Dataset, Status
from meclean.db.session import transaction
from meclean.jobs.imports import launch_import
from meclean.jobs.watchdog import Watchdog
from meclean.services.launch import launch_run
from meclean.services.run_plans import RunRequest


def committed_import(jobs, name: str) -> int:
    """An import committed as queued; like any, it has no message until enqueued."""
    root = jobs.settings.data_dir / "composite"
    request = {"path": str(root), "roster": str(root / "roster.csv"), "faces": "keep"}
    with transaction(jobs.sessions) as session:
        return launch_import(session, name, "megc2019", request, None).id


def messages(jobs) -> list[tuple[str, int]]:
    return sorted((model.__name__, row_id) for model, row_id in jobs.waiting())


def test_a_queued_import_whose_message_was_lost_is_enqueued_again_on_the_second_check(jobs):
    lost = committed_import(jobs, "lost")  # its process killed before it enqueued
    watchdog = Watchdog(jobs)

    watchdog.check()  # it may be a row another process is about to enqueue
    assert messages(jobs) == []
    watchdog.check()
    assert messages(jobs) == [("ImportJob", lost)]
    watchdog.check()
    watchdog.check()
    assert jobs.huey.pending_count() == 1


def test_a_queued_import_whose_message_waits_is_not_enqueued_twice(jobs):
    waiting = committed_import(jobs, "waiting")
    jobs.enqueue_import(waiting)
    watchdog = Watchdog(jobs)

    for _ in range(3):
        watchdog.check()

    assert messages(jobs) == [("ImportJob", waiting)]


def test_a_message_enqueued_between_two_checks_is_not_doubled(jobs):
    late = committed_import(jobs, "late")
    watchdog = Watchdog(jobs)

    watchdog.check()
    jobs.enqueue_import(late)  # its process enqueued after committing, as it should
    watchdog.check()
    watchdog.check()

    assert messages(jobs) == [("ImportJob", late)] and jobs.huey.pending_count() == 1


def committed_run(jobs, dataset_id: int, status: Status | None = None) -> list[int]:
    """A run's queued parts, committed without messages; the run set to ``status``."""
    with transaction(jobs.sessions) as session:
        run = launch_run(
            session, session.get_one(Dataset, dataset_id), RunRequest(method="baseline"), None
        )
        if status is not None:
            run.status = status
        return sorted(p.id for p in run.parts if p.status == Status.QUEUED)


def test_the_lost_parts_of_an_active_run_are_enqueued_again(jobs, dataset_id):
    parts = committed_run(jobs, dataset_id)
    watchdog = Watchdog(jobs)

    watchdog.check()
    watchdog.check()

    assert parts and messages(jobs) == [("RunPart", p) for p in parts]


def test_queued_parts_of_a_run_that_ended_are_not_enqueued_again(jobs, dataset_id):
    committed_run(jobs, dataset_id, status=Status.CANCELLED)  # an inconsistent row
    watchdog = Watchdog(jobs)

    for _ in range(3):
        watchdog.check()

    assert messages(jobs) == []
