"""A run's life on the queue: its queued parts, failure, recovery from silent workers and
the aggregation that waits for its parts; progress as the runs list shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from meclean.db.models import ACTIVE, PartKind, Run, RunPart, Status, as_utc
from meclean.db.session import rows_changed
from meclean.jobs.lease import held, silent


def queued_parts(run: Run) -> list[int]:
    return [p.id for p in run.parts if p.status == Status.QUEUED]


def fail_run(session: Session, run_id: int, error: str, traceback: str | None = None) -> None:
    now = datetime.now(UTC)
    session.execute(
        update(Run)
        .where(Run.id == run_id, Run.status.in_(ACTIVE))
        .values(status=Status.FAILED, error=error, traceback=traceback, finished_at=now)
    )
    session.execute(
        update(RunPart)
        .where(RunPart.run_id == run_id, RunPart.status.in_((Status.WAITING, *ACTIVE)))
        .values(status=Status.CANCELLED, finished_at=now)
    )


def recover_stalled(session: Session, timeout_s: float, max_attempts: int) -> list[int]:
    """Parts whose worker fell silent go back to the queue, or fail their run once they
    used up their attempts; aggregations whose folds are all done are queued. Returns the
    parts to enqueue."""
    requeue = []
    for part in silent(session, RunPart, timeout_s):
        if part.attempts < max_attempts:
            claimed = rows_changed(
                session,
                held(RunPart, part.id, part.attempts).values(status=Status.QUEUED, worker=None),
            )
            if claimed:
                requeue.append(part.id)
        else:
            # A hung worker said why before falling silent; a dead one could not.
            why = part.error or (
                f"worker {part.worker} stopped responding (no heartbeat for {timeout_s:.0f} s)"
            )
            fail_run(
                session,
                part.run_id,
                f"{why} on the last of {max_attempts} attempts at part {part.id} ({part.kind})",
            )
    requeue += [p for p in ready_aggregations(session) if p not in requeue]
    return requeue


def ready_aggregations(session: Session, run_id: int | None = None) -> list[int]:
    """Waiting aggregation parts whose training parts all succeeded, now marked queued."""
    query = select(RunPart).where(
        RunPart.kind == PartKind.AGGREGATE, RunPart.status == Status.WAITING
    )
    if run_id is not None:
        query = query.where(RunPart.run_id == run_id)
    ready = []
    for part in session.scalars(query).all():
        others = session.scalars(
            select(RunPart.status).where(RunPart.run_id == part.run_id, RunPart.id != part.id)
        ).all()
        if all(s == Status.SUCCEEDED for s in others):
            claimed = rows_changed(
                session,
                update(RunPart)
                .where(RunPart.id == part.id, RunPart.status == Status.WAITING)
                .values(status=Status.QUEUED),
            )
            if claimed:
                ready.append(part.id)
    return ready


@dataclass(frozen=True)
class ProgressSummary:
    """How far a run is, over all its parts."""

    done: int
    total: int
    fraction: float
    eta_s: float | None
    loss: float | None
    uf1: float | None
    running_parts: int
    stage: str | None
    """Of the most recently active part: 'seed 0, LOSO fold 12 of 68, epoch 12 of 200',
    or 'final model, epoch ...', or 'scoring'."""
    folds_done: int
    folds_total: int
    """LOSO folds trained, over every seed (one per subject and seed)."""


def remaining_s(elapsed: float, fraction: float, planned: float | None) -> float | None:
    """Seconds left: the launch's estimate at first, the pace so far as work gets done (the
    pace alone jumps while parts queue, start and finish at different speeds)."""
    paced = elapsed * (1 - fraction) / fraction if fraction > 0 else None
    left = None if planned is None else max(0.0, planned - elapsed)
    if paced is None or left is None:
        return paced if left is None else left
    return fraction * paced + (1 - fraction) * left


def run_progress(run: Run) -> ProgressSummary:
    """Work done over all parts, and a finish-time estimate from the pace so far."""
    done = sum(p.done for p in run.parts)
    total = max(1, sum(p.total for p in run.parts))
    fraction = done / total
    eta = None
    if run.status == Status.RUNNING and run.started_at and fraction < 1:
        elapsed = (datetime.now(UTC) - as_utc(run.started_at)).total_seconds()
        eta = remaining_s(elapsed, fraction, run.config.estimate_s)
    running = [p for p in run.parts if p.status == Status.RUNNING]
    latest = max(running or run.parts, key=lambda p: as_utc(p.heartbeat_at or run.created_at))
    fold_parts = [p for p in run.parts if p.kind == PartKind.FOLDS]
    epochs = run.config.epochs
    folds = run.config.folds or len({f for p in fold_parts for f in p.folds})
    return ProgressSummary(
        done,
        total,
        1.0 if run.status == Status.SUCCEEDED else fraction,
        eta,
        latest.loss,
        latest.uf1,
        len(running),
        _stage(latest, epochs, folds) if running else None,
        sum(min(p.done // epochs, len(p.folds)) for p in fold_parts),
        folds * len(run.config.seeds),
    )


def _stage(part: RunPart, epochs: int, folds: int) -> str:
    if part.kind == PartKind.AGGREGATE:
        return "scoring"
    if part.kind == PartKind.FINAL:
        return f"final model, epoch {min(part.done + 1, epochs)} of {epochs}"
    # The fold's own number among the seed's LOSO folds, not its place in this task.
    fold = part.folds[min(part.done // epochs, len(part.folds) - 1)] + 1
    return (
        f"seed {part.seed}, LOSO fold {fold} of {folds}, "
        f"epoch {min(part.done % epochs + 1, epochs)} of {epochs}"
    )
