"""A run's life in the database: launch into parts, cancel, recover from silent workers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from meclean.data.flow import FlowSettings
from meclean.db.models import ACTIVE, FINISHED, Dataset, PartKind, Run, RunPart, Status, as_utc
from meclean.db.session import rows_changed
from meclean.jobs.lease import held, silent
from meclean.jobs.plans import RunRequest, plan_run


def launch_run(session: Session, dataset: Dataset, request: RunRequest, user_id: int | None) -> Run:
    """Record a queued run and its parts; the caller enqueues them after committing."""
    plan = plan_run(session, dataset, request)
    run = Run(
        dataset_id=dataset.id,
        label_version_id=plan.label_version_id,
        created_by=user_id,
        method={
            "name": request.method,
            "alpha": request.alpha,
            "q": request.q,
            "warmup_epochs": request.warmup_epochs,
            "resolved": plan.method.describe(),
        },
        config={
            "protocol": request.protocol,
            "training": asdict(plan.protocol),
            # The features the app trains on are computed with the default settings.
            "flow": asdict(FlowSettings()),
            "epochs": request.epochs,
            "seeds": list(range(request.seeds)),
            "device": request.device,
            "marks_user_id": request.marks_user_id,
            "consensus": request.consensus,
            "clean_sample_ids": plan.clean_ids,
            "consensus_run_id": plan.consensus_run_id,
            "folds": plan.subjects,
        },
    )
    groups = min(request.tasks_per_seed, plan.subjects)
    chunks = [list(range(plan.subjects))[k::groups] for k in range(groups)]
    for seed in run.config["seeds"]:
        for chunk in chunks:
            run.parts.append(
                RunPart(
                    kind=PartKind.FOLDS,
                    seed=seed,
                    folds=chunk,
                    status=Status.QUEUED,
                    total=len(chunk) * request.epochs,
                )
            )
    run.parts.append(
        RunPart(kind=PartKind.FINAL, seed=0, status=Status.QUEUED, total=request.epochs)
    )
    run.parts.append(RunPart(kind=PartKind.AGGREGATE, status=Status.WAITING, total=1))
    session.add(run)
    session.flush()
    return run


def queued_parts(run: Run) -> list[int]:
    return [p.id for p in run.parts if p.status == Status.QUEUED]


def cancel_run(session: Session, run: Run) -> bool:
    """Stop a queued or running run; its workers notice within a heartbeat. False if it had
    already finished."""
    if run.status not in ACTIVE:
        return False
    now = datetime.now(UTC)
    run.status, run.finished_at = Status.CANCELLED, now
    for part in run.parts:
        if part.status not in FINISHED:
            part.status, part.finished_at = Status.CANCELLED, now
    return True


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


def run_progress(run: Run) -> ProgressSummary:
    """Work done over all parts, and a finish-time estimate from the pace so far."""
    done = sum(p.done for p in run.parts)
    total = max(1, sum(p.total for p in run.parts))
    fraction = done / total
    eta = None
    if run.status == Status.RUNNING and run.started_at and 0 < fraction < 1:
        elapsed = (datetime.now(UTC) - as_utc(run.started_at)).total_seconds()
        eta = elapsed * (1 - fraction) / fraction
    running = [p for p in run.parts if p.status == Status.RUNNING]
    latest = max(running or run.parts, key=lambda p: as_utc(p.heartbeat_at or run.created_at))
    epochs, folds = run.config["epochs"], run.config["folds"]
    fold_parts = [p for p in run.parts if p.kind == PartKind.FOLDS]
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
        folds * len(run.config["seeds"]),
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
