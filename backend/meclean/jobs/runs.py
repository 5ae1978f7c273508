"""A run's life in the database: launch into parts, cancel, recover from silent workers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from meclean.data.flow import FlowSettings
from meclean.db.marks import Consensus, grades
from meclean.db.models import Dataset, LabelVersion, Run, RunPart, Sample
from meclean.jobs.lease import ACTIVE, held, silent
from meclean.ml.methods import make_method
from meclean.ml.protocols import protocol_config

FINISHED = ("succeeded", "failed", "cancelled")


class RunError(ValueError):
    """A run that cannot be launched as asked; ``field`` names the offending input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RunRequest:
    """What a curator asks for; everything else about the run follows from it."""

    method: str
    alpha: float = 2.5
    q: float | None = None
    warmup_epochs: int | None = None
    epochs: int = 200
    seeds: int = 1
    protocol: str = "meclean"
    """``meclean`` or ``paper`` (``ml/protocols.py``)."""
    label_version_id: int | None = None
    marks_user_id: int | None = None
    """IDC's clean set from this expert's marks; ``None``: all experts by ``consensus``."""
    consensus: Consensus = "majority"
    device: str = "auto"
    tasks_per_seed: int = 4
    """Fold groups per seed, each a task another worker may take."""


def launch_run(session: Session, dataset: Dataset, request: RunRequest, user_id: int | None) -> Run:
    """Record a queued run and its parts; the caller enqueues them after committing."""
    try:
        method = make_method(
            request.method,
            alpha=request.alpha,
            q=request.q,
            warmup_epochs=request.warmup_epochs,
            epochs=request.epochs,
        )
    except ValueError as exc:
        raise RunError(str(exc), "method") from None
    try:
        protocol = protocol_config(request.protocol, epochs=request.epochs)
    except ValueError as exc:
        raise RunError(str(exc), "protocol") from None
    version_id = request.label_version_id or dataset.current_label_version_id
    version = session.get(LabelVersion, version_id) if version_id else None
    if version is None or version.dataset_id != dataset.id:
        raise RunError(f"no label version {version_id} in this dataset", "label_version_id")
    clean_ids = None
    if method.needs_marks:
        graded = grades(session, dataset.id, request.marks_user_id, request.consensus)
        clean_ids = sorted(s for s, grade in graded.items() if grade >= 1)
        if not clean_ids:
            raise RunError(f"{method.name} needs samples marked clean; none are", "marks_user_id")
    subjects = session.scalar(
        select(func.count()).select_from(
            select(Sample.source, Sample.subject)
            .where(Sample.dataset_id == dataset.id)
            .distinct()
            .subquery()
        )
    )
    if subjects < 2:
        raise RunError("leave-one-subject-out needs at least two subjects", "dataset_id")
    run = Run(
        dataset_id=dataset.id,
        label_version_id=version.id,
        created_by=user_id,
        method={
            "name": request.method,
            "alpha": request.alpha,
            "q": request.q,
            "warmup_epochs": request.warmup_epochs,
            "resolved": method.describe(),
        },
        config={
            "protocol": request.protocol,
            "training": asdict(protocol),
            # The features the app trains on are computed with the default settings.
            "flow": asdict(FlowSettings()),
            "epochs": request.epochs,
            "seeds": list(range(request.seeds)),
            "device": request.device,
            "marks_user_id": request.marks_user_id,
            "consensus": request.consensus,
            "clean_sample_ids": clean_ids,
            "folds": subjects,
        },
    )
    groups = min(request.tasks_per_seed, subjects)
    chunks = [list(range(subjects))[k::groups] for k in range(groups)]
    for seed in run.config["seeds"]:
        for chunk in chunks:
            run.parts.append(
                RunPart(
                    kind="folds",
                    seed=seed,
                    folds=chunk,
                    status="queued",
                    total=len(chunk) * request.epochs,
                )
            )
    run.parts.append(RunPart(kind="final", seed=0, status="queued", total=request.epochs))
    run.parts.append(RunPart(kind="aggregate", status="waiting", total=1))
    session.add(run)
    session.flush()
    return run


def queued_parts(run: Run) -> list[int]:
    return [p.id for p in run.parts if p.status == "queued"]


def cancel_run(session: Session, run: Run) -> bool:
    """Stop a queued or running run; its workers notice within a heartbeat. False if it had
    already finished."""
    if run.status not in ACTIVE:
        return False
    now = datetime.now(UTC)
    run.status, run.finished_at = "cancelled", now
    for part in run.parts:
        if part.status not in FINISHED:
            part.status, part.finished_at = "cancelled", now
    return True


def fail_run(session: Session, run_id: int, error: str, traceback: str | None = None) -> None:
    now = datetime.now(UTC)
    session.execute(
        update(Run)
        .where(Run.id == run_id, Run.status.in_(ACTIVE))
        .values(status="failed", error=error, traceback=traceback, finished_at=now)
    )
    session.execute(
        update(RunPart)
        .where(RunPart.run_id == run_id, RunPart.status.in_(("waiting", "queued", "running")))
        .values(status="cancelled", finished_at=now)
    )


def recover_stalled(session: Session, timeout_s: float, max_attempts: int) -> list[int]:
    """Parts whose worker fell silent go back to the queue, or fail their run once they
    used up their attempts; aggregations whose folds are all done are queued. Returns the
    parts to enqueue."""
    requeue = []
    for part in silent(session, RunPart, timeout_s):
        if part.attempts < max_attempts:
            claimed = session.execute(
                held(RunPart, part.id, part.attempts).values(status="queued", worker=None)
            ).rowcount
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
    query = select(RunPart).where(RunPart.kind == "aggregate", RunPart.status == "waiting")
    if run_id is not None:
        query = query.where(RunPart.run_id == run_id)
    ready = []
    for part in session.scalars(query).all():
        others = session.scalars(
            select(RunPart.status).where(RunPart.run_id == part.run_id, RunPart.id != part.id)
        ).all()
        if all(s == "succeeded" for s in others):
            claimed = session.execute(
                update(RunPart)
                .where(RunPart.id == part.id, RunPart.status == "waiting")
                .values(status="queued")
            ).rowcount
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
    """Of the most recently active part: 'seed 0, fold 3 of 17, epoch 12 of 200', or
    'final model, epoch ...', or 'scoring'."""


def run_progress(run: Run) -> ProgressSummary:
    """Work done over all parts, and a finish-time estimate from the pace so far."""
    done = sum(p.done for p in run.parts)
    total = max(1, sum(p.total for p in run.parts))
    fraction = done / total
    eta = None
    if run.status == "running" and run.started_at and 0 < fraction < 1:
        elapsed = (datetime.now(UTC) - _aware(run.started_at)).total_seconds()
        eta = elapsed * (1 - fraction) / fraction
    running = [p for p in run.parts if p.status == "running"]
    latest = max(running or run.parts, key=lambda p: _aware(p.heartbeat_at or run.created_at))
    return ProgressSummary(
        done,
        total,
        1.0 if run.status == "succeeded" else fraction,
        eta,
        latest.loss,
        latest.uf1,
        len(running),
        _stage(latest, run.config["epochs"]) if running else None,
    )


def _stage(part: RunPart, epochs: int) -> str:
    if part.kind == "aggregate":
        return "scoring"
    if part.kind == "final":
        return f"final model, epoch {min(part.done + 1, epochs)} of {epochs}"
    fold = min(part.done // epochs + 1, len(part.folds))
    return (
        f"seed {part.seed}, fold {fold} of {len(part.folds)}, "
        f"epoch {min(part.done % epochs + 1, epochs)} of {epochs}"
    )


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
