"""A sample's timing against its motion: the curve from onset to offset, where it puts the
apex (and onset and offset), and what is doubtful in the annotated frames."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.api.deps import (
    Annotator,
    AppSettings,
    CommittingRoute,
    Curator,
    DbSession,
    Queue,
    dataset_or_404,
    sample_or_404,
)
from meclean.api.errors import ApiError
from meclean.api.schemas import csv_download
from meclean.data.feature_store import FeatureStore
from meclean.db.models import MAX_ID, DbId, Sample, User
from meclean.jobs.features import latest_features_job, launch_features
from meclean.jobs.queue import Outbox
from meclean.services.timing import dataset_timing, sample_timing
from meclean.services.timing_changes import (
    MAX_BULK,
    Timing,
    accept_estimates,
    change_timing,
    changed_timings,
    current_version_id,
    timing_csv,
    timing_history,
    undo_changes,
    undo_timing,
)

MAX_FRAME = 10_000_000
"""Frame numbers beyond this are no frame of a recording."""

router = APIRouter(prefix="/api", tags=["timing"], route_class=CommittingRoute)


class CheckOut(BaseModel):
    kind: str
    message: str


class EstimateOut(BaseModel):
    """Frame numbers the motion suggests."""

    onset: int
    apex: int
    offset: int
    confidence: float
    """Of the apex, in [0, 1]: the peak's margin over the highest motion away from it."""


class MotionOut(BaseModel):
    onset: int
    apex: int
    offset: int | None
    """As annotated (after the import's corrections and estimates)."""
    apex_source: str
    """sheet, correction, override, estimate, middle (SMIC-HS has none) or manifest."""
    fps: float | None
    frames: list[int]
    """The frame numbers the motion was measured at (a long clip is sampled)."""
    motion: list[float]
    """How far each has moved from the onset frame, in pixels of the 170x140 working size
    (the face's 90th percentile, the head's drift taken out)."""
    estimate: EstimateOut
    checks: list[CheckOut]
    frames_on_disk: tuple[int, int]
    """The first and last frame numbers of the sample's folder: the range a correction may
    move onset, apex and offset in."""


@router.get("/samples/{sample_id}/motion")
def sample_motion(
    sample_id: DbId, session: DbSession, settings: AppSettings, _: Annotator
) -> MotionOut:
    """The sample's motion curve and its timing checked against it (computed on the first
    request or by the dataset's features job, then kept)."""
    sample = sample_or_404(session, sample_id)
    timing = sample_timing(FeatureStore(settings.feature_dir), sample)
    frames, estimate = timing.curve.frames, timing.estimate
    return MotionOut(
        onset=timing.onset,
        apex=timing.apex,
        offset=timing.offset,
        apex_source=sample.apex_source,
        fps=timing.fps,
        frames=frames,
        motion=[round(float(v), 4) for v in timing.curve.motion],
        estimate=EstimateOut(
            onset=frames[estimate.onset],
            apex=frames[estimate.apex],
            offset=frames[estimate.offset],
            confidence=round(estimate.confidence, 3),
        ),
        checks=[CheckOut(kind=c.kind, message=c.message) for c in timing.checks],
        frames_on_disk=(timing.on_disk[0], timing.on_disk[-1]),
    )


class DoubtfulTiming(BaseModel):
    sample_id: int
    name: str
    """source/subject/name."""
    onset: int | None
    apex: int | None
    offset: int | None
    apex_source: str
    checks: list[CheckOut]
    """What is doubtful; a sample whose frames cannot be measured has one, 'unmeasured'."""


class DatasetTiming(BaseModel):
    samples: int
    checked: dict[str, int]
    """Kind -> samples with that doubt."""
    doubtful: list[DoubtfulTiming]
    """The samples with at least one doubt, in id order."""


@router.get("/datasets/{dataset_id}/timing")
def dataset_timing_checks(
    dataset_id: DbId, session: DbSession, settings: AppSettings, _: Annotator
) -> DatasetTiming:
    """The samples whose annotated timing is doubtful (apex far from the motion's peak,
    onset equal to apex, longer than 500 ms or only a few frames, gaps in the numbering,
    frames missing on disk, no motion), once the features job has measured the motion."""
    dataset = dataset_or_404(session, dataset_id)
    found = dataset_timing(session, FeatureStore(settings.feature_dir), dataset.id)
    doubtful: list[DoubtfulTiming] = []
    checked: dict[str, int] = {}
    for sample, timing, problem in found:
        checks = (
            [CheckOut(kind=c.kind, message=c.message) for c in timing.checks]
            if timing
            else [CheckOut(kind="unmeasured", message=problem or "")]
        )
        for check in checks:
            checked[check.kind] = checked.get(check.kind, 0) + 1
        if checks:
            doubtful.append(
                DoubtfulTiming(
                    sample_id=sample.id,
                    name=f"{sample.source}/{sample.subject}/{sample.name}",
                    onset=timing.onset if timing else None,
                    apex=timing.apex if timing else None,
                    offset=timing.offset if timing else None,
                    apex_source=sample.apex_source,
                    checks=checks,
                )
            )
    return DatasetTiming(samples=len(found), checked=checked, doubtful=doubtful)


class TimingChangeIn(BaseModel):
    onset: int = Field(ge=0, le=MAX_FRAME)
    apex: int = Field(ge=0, le=MAX_FRAME)
    offset: int | None = Field(
        ge=0, le=MAX_FRAME, description="required: null for an unknown offset, never implied"
    )
    reason: str = Field(min_length=1, max_length=2000)
    based_on: int = Field(
        ge=0, le=MAX_ID, description="the timing version this page read (0: the imported one)"
    )


class TimingVersionOut(BaseModel):
    id: int
    parent_id: int
    """0: the imported timing."""
    onset: int
    apex: int
    offset: int | None
    before: dict[str, int | None]
    """The frames it replaced."""
    reason: str
    author: str | None
    created_at: datetime


class TimingHistory(BaseModel):
    current: int
    """The current version's id (0: the imported timing): what a change is based on."""
    versions: list[TimingVersionOut]
    features_job_id: int | None = None
    """After a change: the features job that computes the sample's flow anew (a running
    one that has passed the sample leaves it to be computed when next asked for)."""


def _recompute(session: Session, outbox: Outbox, sample: Sample, me: User) -> int:
    """The features job that computes the sample's new flow and motion: a new one, or the
    dataset's queued one (which reads the samples when it starts)."""
    job = launch_features(session, sample.dataset_id, me.id)
    if job is not None:
        outbox.features_jobs.append(job.id)
        return job.id
    active = latest_features_job(session, sample.dataset_id)
    assert active is not None  # launch_features declines only beside an active job
    return active.id


def _history(session: Session, sample_id: int, job_id: int | None = None) -> TimingHistory:
    entries = timing_history(session, sample_id)
    return TimingHistory(
        current=current_version_id(session, sample_id),
        versions=[
            TimingVersionOut(
                id=e.version.id,
                parent_id=e.version.parent_id,
                onset=e.version.onset,
                apex=e.version.apex,
                offset=e.version.offset,
                before={k: e.version.before[k] for k in ("onset", "apex", "offset")},
                reason=e.version.reason,
                author=e.author,
                created_at=e.version.created_at,
            )
            for e in entries
        ],
        features_job_id=job_id,
    )


@router.get("/samples/{sample_id}/timing")
def get_timing_history(sample_id: DbId, session: DbSession, _: Annotator) -> TimingHistory:
    """Every change of the sample's onset, apex and offset, with its author and reason."""
    return _history(session, sample_or_404(session, sample_id).id)


@router.post("/samples/{sample_id}/timing")
def correct_timing(
    sample_id: DbId, body: TimingChangeIn, jobs: Queue, me: Curator
) -> TimingHistory:
    """A new version of the sample's timing (409 if it changed since ``based_on``); its
    flow and motion are computed anew on the queue, and the class means, renders and
    runs launched from then on use them."""
    with jobs.committing() as (session, outbox):
        sample = sample_or_404(session, sample_id)
        wanted = Timing(body.onset, body.apex, body.offset)
        change_timing(session, sample, me, wanted, body.reason, body.based_on)
        history = _history(session, sample.id, _recompute(session, outbox, sample, me))
    return history


class TimingUndoIn(BaseModel):
    version_id: DbId
    """The sample's latest change, to take back."""


@router.post("/samples/{sample_id}/timing/undo")
def undo_timing_change(
    sample_id: DbId, body: TimingUndoIn, jobs: Queue, me: Curator
) -> TimingHistory:
    """Take back the sample's latest change of timing (a new version restoring it)."""
    with jobs.committing() as (session, outbox):
        sample = sample_or_404(session, sample_id)
        undo_timing(session, sample, me, body.version_id)
        history = _history(session, sample.id, _recompute(session, outbox, sample, me))
    return history


class ChangedTiming(BaseModel):
    sample_id: int
    name: str
    imported: dict[str, int | None]
    current: dict[str, int | None]


@router.get("/datasets/{dataset_id}/timing/changes")
def timing_changes(dataset_id: DbId, session: DbSession, _: Annotator) -> list[ChangedTiming]:
    """The samples whose timing differs from the imported one: before and now."""
    dataset = dataset_or_404(session, dataset_id)
    return [
        ChangedTiming(
            sample_id=sample.id,
            name=f"{sample.source}/{sample.subject}/{sample.name}",
            imported=asdict(imported),
            current=asdict(now),
        )
        for sample, imported, now in changed_timings(session, dataset.id)
    ]


@router.get("/datasets/{dataset_id}/timing.csv", response_class=Response)
def export_timing(dataset_id: DbId, session: DbSession, _: Annotator) -> Response:
    """Every sample's current onset, apex and offset in a coding sheet's columns."""
    dataset = dataset_or_404(session, dataset_id)
    return csv_download(timing_csv(session, dataset.id), dataset.name, "timing")


class EstimatesIn(BaseModel):
    sample_ids: list[DbId] = Field(min_length=1, max_length=MAX_BULK)
    reason: str = Field(min_length=1, max_length=2000)


class BulkTimingOut(BaseModel):
    changed: int
    version_ids: list[int]
    """The new versions, for ``POST .../timing/undo``."""
    features_job_id: int | None


class BulkUndoIn(BaseModel):
    version_ids: list[DbId] = Field(min_length=1, max_length=MAX_BULK)


@router.post("/datasets/{dataset_id}/timing/estimates")
def accept_timing_estimates(
    dataset_id: DbId, body: EstimatesIn, jobs: Queue, settings: AppSettings, me: Curator
) -> BulkTimingOut:
    """Move each selected sample's apex to its motion's peak, all or nothing (a sample
    already there, or whose motion still rises at the last frame measured, is left as it
    is: ``changed`` says how many moved); undone with ``POST .../timing/undo``."""
    store = FeatureStore(settings.feature_dir)
    with jobs.committing() as (session, outbox):
        dataset = dataset_or_404(session, dataset_id)
        ids = list(dict.fromkeys(body.sample_ids))
        samples = session.scalars(
            select(Sample).where(Sample.id.in_(ids), Sample.dataset_id == dataset.id)
        ).all()
        if len(samples) != len(ids):
            missing = sorted(set(ids) - {s.id for s in samples})
            raise ApiError(404, f"no samples {missing[:10]} in this dataset", "sample_ids")
        versions = accept_estimates(session, store, samples, me, body.reason)
        job = _recompute(session, outbox, samples[0], me) if versions else None
        out = BulkTimingOut(
            changed=len(versions), version_ids=[v.id for v in versions], features_job_id=job
        )
    return out


@router.post("/datasets/{dataset_id}/timing/undo")
def undo_timing_changes(
    dataset_id: DbId, body: BulkUndoIn, jobs: Queue, me: Curator
) -> BulkTimingOut:
    """Take back changes of timing (a bulk acceptance's), each its sample's latest: all or
    nothing."""
    with jobs.committing() as (session, outbox):
        dataset = dataset_or_404(session, dataset_id)
        undone = undo_changes(session, dataset.id, me, body.version_ids)
        first = session.get_one(Sample, undone[0].sample_id)
        job = _recompute(session, outbox, first, me)
        out = BulkTimingOut(
            changed=len(undone), version_ids=[v.id for v in undone], features_job_id=job
        )
    return out
