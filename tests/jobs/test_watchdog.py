"""The watchdog enqueues again a queued row whose message was lost, once, and leaves alone
the rows whose message still waits."""

from meclean.db.session import transaction
from meclean.jobs.imports import launch_import
from meclean.jobs.watchdog import Watchdog


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
