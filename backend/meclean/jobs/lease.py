"""What run parts, features jobs and imports share: a row that one worker holds while it runs it.

A worker takes a queued row by raising its attempt count; each of its later writes names
that attempt, so it stops applying once the row was cancelled, finished or handed to
another worker. A running row whose heartbeat went quiet belongs to a silent worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Update, select, update
from sqlalchemy.orm import Session

from meclean.db.models import ACTIVE, FeatureJob, ImportJob, Run, RunPart, Status
from meclean.db.session import rows_changed

Leased = TypeVar("Leased", RunPart, FeatureJob, ImportJob)
LeasedModel = type[RunPart] | type[FeatureJob] | type[ImportJob]


def take(model: type[Leased], row_id: int, now: datetime, **values: object) -> Update:
    """The update by which a worker takes a queued row: running, one more attempt, a first
    heartbeat; it applies to one worker only, however many try at once."""
    return (
        update(model)
        .where(model.id == row_id, model.status == Status.QUEUED)
        .values(status=Status.RUNNING, attempts=model.attempts + 1, heartbeat_at=now, **values)
    )


def held(model: type[Leased], row_id: int, attempt: int) -> Update:
    """An update of a running row that applies only while ``attempt`` still holds it."""
    return update(model).where(
        model.id == row_id, model.status == Status.RUNNING, model.attempts == attempt
    )


def silent(session: Session, model: type[Leased], timeout_s: float) -> Sequence[Leased]:
    """Running rows whose worker has written no heartbeat for ``timeout_s``."""
    cutoff = datetime.now(UTC) - timedelta(seconds=timeout_s)
    return session.scalars(
        select(model).where(model.status == Status.RUNNING, model.heartbeat_at < cutoff)
    ).all()


def queued(session: Session, model: LeasedModel) -> set[int]:
    """Queued rows a worker would take: a run's part only while its run is active."""
    found = select(model.id).where(model.status == Status.QUEUED)
    if model is RunPart:
        found = found.join(Run, Run.id == RunPart.run_id).where(Run.status.in_(ACTIVE))
    return set(session.scalars(found))


def recover_silent(
    session: Session, model: type[Leased], timeout_s: float, max_attempts: int
) -> list[int]:
    """Jobs whose worker fell silent go back to the queue, or fail after ``max_attempts``.
    Returns the jobs to enqueue."""
    requeue = []
    for job in silent(session, model, timeout_s):
        mine = held(model, job.id, job.attempts)
        if job.attempts < max_attempts:
            if rows_changed(session, mine.values(status=Status.QUEUED)):
                requeue.append(job.id)
        else:
            message = f"its worker stopped responding on the last of {max_attempts} attempts"
            session.execute(
                mine.values(status=Status.FAILED, error=message, finished_at=datetime.now(UTC))
            )
    return requeue


def cancel_active(session: Session, model: type[Leased], row_id: int) -> bool:
    """Cancel a queued or running row; False if it finished meanwhile, whatever the caller
    read of it (its worker may have committed its end since). The row is read again."""
    cancelled = rows_changed(
        session,
        update(model)
        .where(model.id == row_id, model.status.in_(ACTIVE))
        .values(status=Status.CANCELLED, finished_at=datetime.now(UTC)),
    )
    row = session.get(model, row_id)
    if row is not None:
        session.refresh(row)
    return bool(cancelled)
