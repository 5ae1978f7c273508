"""The import job: a cancel that arrives after the worker stored the dataset changes
nothing, and the worker stores nothing of an import cancelled before it stores."""

from meclean.db.models import Dataset, ImportJob, Status
from meclean.db.session import transaction
from meclean.jobs.imports import cancel_import, execute_import, launch_import


def queued_import(jobs, name: str = "tiny") -> int:
    root = jobs.settings.data_dir / "composite"
    request = {"path": str(root), "roster": str(root / "roster.csv"), "faces": "keep"}
    with transaction(jobs.sessions) as session:
        return launch_import(session, name, "megc2019", request, None).id


def test_a_cancel_read_before_the_import_finished_leaves_the_stored_dataset_as_it_is(jobs):
    job_id = queued_import(jobs)
    with jobs.sessions() as session:
        stale = session.get_one(ImportJob, job_id)  # read while queued
        assert stale.status == Status.QUEUED
        execute_import(jobs, job_id)  # another worker stores it meanwhile

        cancelled = cancel_import(session, stale)
        session.commit()

        assert cancelled is False
        assert stale.status == Status.SUCCEEDED and stale.dataset_id is not None
    with jobs.sessions() as session:
        assert session.query(Dataset).count() == 1


def test_an_import_cancelled_before_its_worker_starts_stores_nothing(jobs):
    job_id = queued_import(jobs)
    with transaction(jobs.sessions) as session:
        assert cancel_import(session, session.get_one(ImportJob, job_id)) is True

    execute_import(jobs, job_id)

    with jobs.sessions() as session:
        assert session.get_one(ImportJob, job_id).status == Status.CANCELLED
        assert session.query(Dataset).count() == 0
