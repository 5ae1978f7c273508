"""Training runs: launch, follow live, cancel, read results, review relabels."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterable, Sequence
from typing import Annotated, Any

import anyio
import torch
from fastapi import APIRouter, Depends, Request, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field
from sqlalchemy import Row, delete, select
from sqlalchemy.orm import Session, selectinload, sessionmaker
from starlette.background import BackgroundTask

from meclean.api.deps import (
    SESSION_COOKIE,
    Annotator,
    AppSettings,
    CommittingRoute,
    Curator,
    DbSession,
    Queue,
    dataset_or_404,
    run_or_404,
    stream_slot,
)
from meclean.api.errors import ApiError
from meclean.api.schemas import RunDetail, RunOut, SampleVerdict, run_out
from meclean.db.labels import labels_of
from meclean.db.models import (
    ACTIVE,
    DbId,
    Run,
    RunSampleResult,
    Sample,
    Status,
)
from meclean.db.users import has_role, session_user, user_id_named, user_names
from meclean.jobs.runs import queued_parts
from meclean.services.launch import cancel_run, launch_run
from meclean.services.run_plans import RunError, RunOptions, RunRequest, plan_run
from meclean.services.runs import succeeded
from meclean.settings import Settings

router = APIRouter(prefix="/api", tags=["runs"], route_class=CommittingRoute)
EVENT_POLL_SECONDS = 0.5


class RunLaunch(RunOptions):
    marks_user: str | None = Field(
        None,
        max_length=100,
        description="IDC's clean set from this expert; default all experts by consensus",
    )


class SampleResultOut(SampleVerdict):
    sample_id: int
    name: str
    source: str
    subject: str
    label: str
    label_issue: bool


class RunPlanOut(BaseModel):
    """What a launch would run, every parameter resolved, before anything is queued."""

    method: dict[str, Any]
    """The method's effective parameters (warm-up scaled to the epochs, alpha, q)."""
    protocol: str
    """meclean or paper: the training protocol it would train under."""
    label_version_id: int
    folds: int
    """LOSO folds per seed: one per subject."""
    seeds: int
    epochs: int
    clean_per_class: dict[str, int] | None
    """IDC's clean set by class; None for methods without one."""
    consensus_run_id: int | None
    """The run cleanlab weighs the experts against, for a cleanlab consensus."""
    estimate_s: float | None
    """From the pace of this dataset's last finished runs; None before the first."""


def _run_request(session: Session, body: RunLaunch, settings: Settings) -> RunRequest:
    if body.device == "cuda" and not settings.queue_url and not torch.cuda.is_available():
        # Only this server's own worker trains (no shared queue): it has no GPU.
        raise ApiError(
            422,
            "this server has no CUDA GPU and no workers elsewhere; choose auto or cpu",
            "device",
        )
    # Only what the client sent: a launch option given to a method that ignores it is an error.
    options = body.model_dump(exclude={"marks_user"}, exclude_unset=True)
    if body.marks_user is not None:
        options["marks_user_id"] = user_id_named(session, body.marks_user)
        if options["marks_user_id"] is None:
            raise ApiError(422, f"no user {body.marks_user!r}", "marks_user")
    return RunRequest(**options)


def _refused(exc: RunError) -> ApiError:
    """The request names the expert, not their id: the error names the field it sent."""
    return ApiError(422, str(exc), "marks_user" if exc.field == "marks_user_id" else exc.field)


@router.post("/datasets/{dataset_id}/runs/plan")
def plan(
    dataset_id: DbId, body: RunLaunch, settings: AppSettings, session: DbSession, _: Curator
) -> RunPlanOut:
    """Check a launch and show its effective parameters; a 422 says why it cannot run."""
    try:
        wanted = _run_request(session, body, settings)
        planned = plan_run(session, dataset_or_404(session, dataset_id), wanted)
    except RunError as exc:
        raise _refused(exc) from None
    return RunPlanOut(
        method=planned.method.describe(),
        protocol=body.protocol,
        label_version_id=planned.label_version_id,
        folds=planned.subjects,
        seeds=body.seeds,
        epochs=body.epochs,
        clean_per_class=planned.clean_per_class,
        consensus_run_id=planned.consensus_run_id,
        estimate_s=planned.estimate_s,
    )


@router.post("/datasets/{dataset_id}/runs", status_code=201)
def launch(
    dataset_id: DbId, body: RunLaunch, settings: AppSettings, jobs: Queue, user: Curator
) -> RunOut:
    """Queue a LOSO run; any worker takes its parts."""
    with jobs.committing() as (session, outbox):
        dataset = dataset_or_404(session, dataset_id)
        try:
            wanted = _run_request(session, body, settings)
            run = launch_run(session, dataset, wanted, user.id)
        except RunError as exc:
            raise _refused(exc) from None
        outbox.parts.extend(queued_parts(run))
        out = run_out(run, user_names(session))
    return out


@router.get("/runs")
def list_runs(session: DbSession, _: Annotator, dataset_id: DbId | None = None) -> list[RunOut]:
    """Runs, newest first, with their progress and summary scores."""
    query = (
        select(Run)
        .options(selectinload(Run.parts))
        .where(Run.status != Status.DELETED)
        .order_by(Run.id.desc())
    )
    if dataset_id is not None:
        query = query.where(Run.dataset_id == dataset_id)
    names = user_names(session)
    return [run_out(r, names) for r in session.scalars(query)]


@router.get("/runs/events", response_class=EventSourceResponse)
async def run_events(
    request: Request,
    session: DbSession,
    _: Annotator,
    __: Annotated[None, Depends(stream_slot)],
    run_id: DbId | None = None,
    dataset_id: DbId | None = None,
) -> AsyncIterable[ServerSentEvent]:
    """Server-sent 'progress' events whenever a run changes; with ``run_id``, a final 'done'
    once it has finished. The stream ends when its sign-in does (logout, expiry,
    deactivation)."""
    session.commit()  # hold no connection while streaming; each poll opens its own
    sessions = request.app.state.sessions
    token = request.cookies[SESSION_COOKIE]
    seen: dict[int, str] = {}
    while not await request.is_disconnected():
        signed_in = await anyio.to_thread.run_sync(_still_signed_in, sessions, token)
        if not signed_in:
            yield ServerSentEvent(event="error", data={"message": "signed out"})
            return
        runs = await anyio.to_thread.run_sync(_snapshot, sessions, run_id, dataset_id)
        if run_id is not None and not runs:
            yield ServerSentEvent(event="error", data={"message": f"no run {run_id}"})
            return
        for run in runs:
            payload = run.model_dump_json()
            if seen.get(run.id) != payload:
                seen[run.id] = payload
                yield ServerSentEvent(event="progress", raw_data=payload, id=str(run.id))
        if run_id is not None and runs[0].status not in ACTIVE:
            yield ServerSentEvent(event="done", raw_data=runs[0].model_dump_json())
            return
        await anyio.sleep(EVENT_POLL_SECONDS)


def _still_signed_in(sessions: sessionmaker[Session], token: str) -> bool:
    """The stream's login session still holds: not signed out, expired or deactivated."""
    with sessions() as session:
        return session_user(session, token) is not None


def _snapshot(
    sessions: sessionmaker[Session], run_id: int | None, dataset_id: int | None
) -> list[RunOut]:
    with sessions() as session:
        query = select(Run).options(selectinload(Run.parts)).order_by(Run.id)
        if run_id is not None:
            query = query.where(Run.id == run_id)
        if dataset_id is not None:
            query = query.where(Run.dataset_id == dataset_id, Run.status != Status.DELETED)
        names = user_names(session)
        return [run_out(r, names) for r in session.scalars(query)]


@router.get("/runs/{run_id}")
def get_run(run_id: DbId, session: DbSession, me: Annotator) -> RunDetail:
    """One run with its parts, metrics and the error of a failed run; which worker took
    each part (host and process) only for curators."""
    out = run_out(run_or_404(session, run_id), user_names(session), detail=True)
    if not has_role(me, "curator"):
        for part in out.parts:
            part.worker = None
    return out


@router.post("/runs/{run_id}/cancel")
def cancel(run_id: DbId, session: DbSession, _: Curator) -> RunOut:
    """Cancel a queued or running run; its workers stop at their next batch."""
    run = run_or_404(session, run_id)
    if not cancel_run(session, run):
        raise ApiError(409, f"run {run_id} has already {run.status}", "run_id")
    return run_out(run, user_names(session))


@router.delete("/runs/{run_id}", status_code=204, response_class=Response)
def delete_run(run_id: DbId, settings: AppSettings, session: DbSession, _: Curator) -> Response:
    """Discard a run's results and files. Its record stays, marked deleted, so the label
    versions and relabel reviews that name it keep pointing at it: run ids are never reused."""
    run = run_or_404(session, run_id)
    if run.status in ACTIVE:
        raise ApiError(409, f"run {run_id} is {run.status}; cancel it first", "run_id")
    session.execute(delete(RunSampleResult).where(RunSampleResult.run_id == run_id))
    run.status, run.artifacts_key = Status.DELETED, None
    # The files go once the deletion has committed (the response's background task runs
    # after): a failed commit leaves the run whole, never a record without its files.
    files = settings.run_dir / str(run_id)
    return Response(
        status_code=204, background=BackgroundTask(shutil.rmtree, files, ignore_errors=True)
    )


def _results(session: Session, run: Run) -> Sequence[Row[RunSampleResult, Sample]]:
    succeeded(run)
    return session.execute(
        select(RunSampleResult, Sample)
        .join(Sample, Sample.id == RunSampleResult.sample_id)
        .where(RunSampleResult.run_id == run.id)
        .order_by(Sample.id)
    ).all()


@router.get("/runs/{run_id}/results")
def run_results(run_id: DbId, session: DbSession, _: Annotator) -> list[SampleResultOut]:
    """Per sample: out-of-fold prediction and probabilities, flag rate, loss, proposal."""
    run = run_or_404(session, run_id)
    labels = labels_of(session, run.label_version_id)
    return [
        SampleResultOut(
            sample_id=s.id,
            name=s.name,
            source=s.source,
            subject=s.subject,
            label=labels[s.id],
            label_issue=r.label_issue,
            **SampleVerdict.fields_of(r),
        )
        for r, s in _results(session, run)
    ]
