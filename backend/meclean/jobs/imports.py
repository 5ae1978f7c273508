"""Importing a dataset on the queue: read its sheets and frames, find its faces, estimate
the apexes its sheet lacks, then store it whole and queue its features.

Finding faces takes tens of seconds for a release, so the request that asks for an import
only checks its paths and queues it; the job's row carries the phase, the progress and, at
the end, the report (or the error naming the file, row or field). Nothing is stored until
every sample was read: a cancelled, failed or interrupted import leaves no dataset behind,
and the next worker starts it again from the sheets.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meclean.data.faces import FaceMode
from meclean.data.readers import ImportOptions, Layout, read_dataset
from meclean.data.records import SheetError
from meclean.db.datasets import DatasetExists, store_import
from meclean.db.models import ACTIVE, Dataset, ImportJob, Status
from meclean.db.session import rows_changed, transaction
from meclean.jobs.features import launch_features
from meclean.jobs.lease import cancel_active, held, recover_silent, take

if TYPE_CHECKING:
    from meclean.jobs.queue import Jobs

log = logging.getLogger(__name__)

REPORT_SECONDS = 1.0
"""Progress and heartbeat are written, and cancellation looked for, about this often."""


class ImportStopped(Exception):
    """The job was cancelled, or handed to another worker, while it read."""


def launch_import(
    session: Session, name: str, layout: Layout, request: dict[str, Any], user_id: int | None
) -> ImportJob:
    """A queued import; the caller enqueues it after committing. ``request`` holds the
    folder (``path``) and the options, every path already confined to the import roots."""
    if dataset_named(session, name) or import_named(session, name):
        raise DatasetExists(f"a dataset named {name!r} already exists or is being imported")
    job = ImportJob(name=name, layout=layout, request=request, created_by=user_id)
    session.add(job)
    session.flush()
    return job


def dataset_named(session: Session, name: str) -> bool:
    return session.scalar(select(Dataset.id).where(Dataset.name == name)) is not None


def import_named(session: Session, name: str) -> bool:
    """Whether an import of that name is still queued or running."""
    found = select(ImportJob.id).where(ImportJob.name == name, ImportJob.status.in_(ACTIVE))
    return session.scalar(found) is not None


def cancel_import(session: Session, job: ImportJob) -> bool:
    """Stop a queued or running import; its worker notices within ``REPORT_SECONDS`` and
    stores nothing. False if it had finished, storing its dataset, meanwhile."""
    return cancel_active(session, ImportJob, job.id)


def options_of(request: dict[str, Any], roots: tuple[Path, ...]) -> ImportOptions:
    def path(key: str) -> Path | None:
        return Path(request[key]) if request.get(key) else None

    return ImportOptions(
        sheet=path("sheet"),
        frames=path("frames"),
        overrides=path("overrides"),
        roster=path("roster"),
        corrections=bool(request.get("corrections", True)),
        estimates=bool(request.get("estimates", True)),
        classes=path("classes"),
        faces=cast(FaceMode, request.get("faces", "auto")),
        confine_to=roots,
        parts={d: Path(p) for d, p in request.get("parts", {}).items()},
        part_sheets={d: Path(p) for d, p in request.get("part_sheets", {}).items()},
    )


def execute_import(jobs: Jobs, job_id: int) -> None:
    """The queue task: read, store, and queue the features, or say why not."""
    now = datetime.now(UTC)
    with transaction(jobs.sessions) as session:
        claimed = take(ImportJob, job_id, now, started_at=func.coalesce(ImportJob.started_at, now))
        if not rows_changed(session, claimed):
            return
        job = session.get_one(ImportJob, job_id)
        attempt, name, user_id = job.attempts, job.name, job.created_by
        layout, request = cast(Layout, job.layout), dict(job.request)
    reported = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal reported
        if done < total and time.monotonic() - reported < REPORT_SECONDS:
            return
        reported = time.monotonic()
        if jobs.stopping.is_set() or not _report(
            jobs, job_id, attempt, phase="finding faces", done=done, total=total
        ):
            raise ImportStopped

    source = Path(request["path"])
    try:
        _report(jobs, job_id, attempt, phase="reading the sheets")
        options = options_of(request, tuple(jobs.settings.allowed_import_roots()))
        report = read_dataset(layout, source, options, progress)
        if not report.samples:
            reasons = "; ".join(str(i) for i in report.skipped[:3]) or "no samples found"
            raise SheetError(source, f"nothing to import: {reasons}")
        with jobs.committing() as (session, outbox):
            if not rows_changed(session, held(ImportJob, job_id, attempt).values(phase="storing")):
                raise ImportStopped
            dataset = store_import(session, name, layout, source, report, user_id)
            features = launch_features(session, dataset.id, user_id)
            assert features is not None  # a dataset stored just now has no features job yet
            outbox.features_jobs.append(features.id)
            session.execute(
                held(ImportJob, job_id, attempt).values(
                    status=Status.SUCCEEDED,
                    finished_at=datetime.now(UTC),
                    phase="imported",
                    report=report.summary(),
                    dataset_id=dataset.id,
                )
            )
    except ImportStopped:
        if jobs.stopping.is_set():
            _hand_back(jobs, job_id, attempt)
    except SheetError as exc:
        _fail(jobs, job_id, attempt, str(exc), "path")
    except DatasetExists as exc:
        _fail(jobs, job_id, attempt, str(exc), "name")
    except Exception as exc:
        log.exception("import %s failed", job_id)
        _fail(jobs, job_id, attempt, f"the import failed: {exc!r}", None)


def recover_stalled_imports(session: Session, timeout_s: float, max_attempts: int) -> list[int]:
    """Jobs whose worker fell silent go back to the queue, or fail after ``max_attempts``.
    Returns the jobs to enqueue."""
    return recover_silent(session, ImportJob, timeout_s, max_attempts)


def _report(jobs: Jobs, job_id: int, attempt: int, **values: object) -> bool:
    """Write progress while this attempt holds the job; False if it does not."""
    with transaction(jobs.sessions) as session:
        mine = held(ImportJob, job_id, attempt).values(heartbeat_at=datetime.now(UTC), **values)
        return bool(rows_changed(session, mine))


def _fail(jobs: Jobs, job_id: int, attempt: int, message: str, field: str | None) -> None:
    _report(
        jobs,
        job_id,
        attempt,
        status=Status.FAILED,
        finished_at=datetime.now(UTC),
        error=message,
        error_field=field,
    )


def _hand_back(jobs: Jobs, job_id: int, attempt: int) -> None:
    """Shutdown: the import goes back to the queue for the next worker, its attempt not
    counted; it starts again from the sheets."""
    with transaction(jobs.sessions) as session:
        back = rows_changed(
            session,
            held(ImportJob, job_id, attempt).values(
                status=Status.QUEUED, attempts=ImportJob.attempts - 1, phase="waiting for a worker"
            ),
        )
    if back:
        jobs.enqueue_import(job_id)
