"""Launching a run into its queued parts, and cancelling one."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from meclean.data.flow import FlowSettings
from meclean.db.labels import close_version
from meclean.db.models import ACTIVE, FINISHED, Dataset, PartKind, Run, RunPart, Status
from meclean.db.run_record import RunConfigRecord, RunMethodRecord
from meclean.db.session import lock_for_update, rows_changed
from meclean.services.run_plans import RunRequest, plan_run
from meclean.services.timing_changes import latest_timing_change


def launch_run(session: Session, dataset: Dataset, request: RunRequest, user_id: int | None) -> Run:
    """Record a queued run and its parts; the caller enqueues them after committing."""
    lock_for_update(session, dataset)  # no decision joins the version while it closes
    plan = plan_run(session, dataset, request)
    close_version(session, plan.label_version_id)  # what it trains on changes no more
    run = Run(
        dataset_id=dataset.id,
        label_version_id=plan.label_version_id,
        created_by=user_id,
        method=RunMethodRecord(
            name=request.method,
            alpha=request.alpha,
            q=request.q,
            warmup_epochs=request.warmup_epochs,
            resolved=plan.method.describe(),
        ),
        config=RunConfigRecord(
            protocol=request.protocol,
            training=asdict(plan.protocol),
            # The features the app trains on are computed with the default settings.
            flow=asdict(FlowSettings()),
            epochs=request.epochs,
            seeds=list(range(request.seeds)),
            device=request.device,
            marks_user_id=request.marks_user_id,
            consensus=request.consensus,
            clean_sample_ids=plan.clean_ids,
            consensus_run_id=plan.consensus_run_id,
            folds=plan.subjects,
            estimate_s=plan.estimate_s,
            timing_version=latest_timing_change(session, dataset.id),
        ),
    )
    groups = min(request.tasks_per_seed, plan.subjects)
    chunks = [list(range(plan.subjects))[k::groups] for k in range(groups)]
    for seed in run.config.seeds:
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


def cancel_run(session: Session, run: Run) -> bool:
    """Stop a queued or running run; its workers notice within a heartbeat. False if it had
    finished meanwhile, whatever the caller read of it (its aggregation may have committed
    the results since)."""
    now = datetime.now(UTC)
    cancelled = rows_changed(
        session,
        update(Run)
        .where(Run.id == run.id, Run.status.in_(ACTIVE))
        .values(status=Status.CANCELLED, finished_at=now),
    )
    if cancelled:
        session.execute(
            update(RunPart)
            .where(RunPart.run_id == run.id, RunPart.status.not_in(FINISHED))
            .values(status=Status.CANCELLED, finished_at=now)
        )
    session.expire(run)
    return bool(cancelled)
