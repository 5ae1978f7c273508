"""A sample's timing against its motion: the curve from onset to offset, where it puts the
apex (and onset and offset), and what is doubtful in the annotated frames."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from meclean.api.deps import (
    Annotator,
    AppSettings,
    CommittingRoute,
    DbSession,
    dataset_or_404,
    sample_or_404,
)
from meclean.data.feature_store import FeatureStore
from meclean.db.models import DbId
from meclean.services.timing import dataset_timing, sample_timing

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
