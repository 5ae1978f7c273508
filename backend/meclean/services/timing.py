"""A sample's timing against its motion: the curve, what it suggests for onset, apex and
offset, and the checks of the annotated frames."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.feature_store import FeatureStore
from meclean.data.frame_rates import frame_rate
from meclean.data.motion import TimingCheck, TimingEstimate, check_timing, estimate_timing
from meclean.data.readers.discovery import frame_number_of, index_frames
from meclean.db.features import FeatureError
from meclean.db.models import ACTIVE, Dataset, FeatureJob, Sample, Status
from meclean.db.motion import ClipSource, MotionCurve, motion_stored, stored_motion
from meclean.jobs.features import latest_features_job
from meclean.services.errors import Conflict


@dataclass(frozen=True)
class SampleTiming:
    onset: int
    apex: int
    offset: int | None
    """As annotated (after the import's corrections and estimates)."""
    fps: float | None
    curve: MotionCurve
    estimate: TimingEstimate
    """Indexes into ``curve.frames``."""
    checks: list[TimingCheck]
    on_disk: list[int]
    """The frame numbers of the sample's folder."""


def sample_timing(store: FeatureStore, sample: Sample) -> SampleTiming:
    """The sample's timing, its curve computed (and stored) now if need be; ``Conflict``
    where its frames cannot be read or carry no numbers."""
    numbers = [
        frame_number_of(Path(p)) if p else None
        for p in (sample.onset_path, sample.apex_path, sample.offset_path)
    ]
    onset, apex, offset = numbers
    if onset is None or apex is None:
        raise Conflict(f"the frames of sample {sample.name} carry no frame numbers")
    try:
        curve = stored_motion(store, ClipSource.of(sample))
        on_disk = sorted(index_frames(Path(sample.onset_path).parent))
    except (FeatureError, OSError) as exc:
        raise Conflict(str(exc)) from None
    fps = frame_rate(sample.source)
    checks = check_timing(onset, apex, offset, on_disk, fps, curve.motion, curve.frames)
    if sample.apex_source == "estimate":  # no coder chose it: an expert should confirm it
        checks.append(
            TimingCheck(
                "estimated_at_import",
                f"the sheet gave no usable apex: frame {apex} was estimated from the motion "
                "at import",
            )
        )
    return SampleTiming(
        onset=onset,
        apex=apex,
        offset=offset,
        fps=fps,
        curve=curve,
        estimate=estimate_timing(curve.motion),
        checks=checks,
        on_disk=on_disk,
    )


def dataset_timing(
    session: Session, store: FeatureStore, dataset_id: int
) -> list[tuple[Sample, SampleTiming | None, str | None]]:
    """Every sample's timing (None, with why, where its frames cannot be measured), once
    the dataset's features job has measured the motion: until then ``Conflict`` (too many
    curves to measure in one request)."""
    samples = list(
        session.scalars(select(Sample).where(Sample.dataset_id == dataset_id).order_by(Sample.id))
    )
    missing = sum(not motion_stored(store, ClipSource.of(s)) for s in samples)
    if missing:
        job = latest_features_job(session, dataset_id)
        if job is None or job.status in ACTIVE:
            doing = (
                "no job has measured it yet: a curator starts one (Compute the flow, on the "
                "class-means screen)"
                if job is None
                else f"the dataset's features job is measuring it ({job.done} / {job.total})"
            )
            raise Conflict(f"{missing} of {len(samples)} samples lack their motion curve; {doing}")
    found: list[tuple[Sample, SampleTiming | None, str | None]] = []
    for sample in samples:
        try:
            found.append((sample, sample_timing(store, sample), None))
        except Conflict as exc:
            found.append((sample, None, exc.message))
    return found


CACHED = 8
"""Datasets' timing doubts kept in memory."""
_doubts: dict[tuple[str, int, str, int], dict[int, list[TimingCheck]]] = {}
_doubts_lock = threading.Lock()


def timing_doubts(
    session: Session, store: FeatureStore, dataset_id: int
) -> dict[int, list[TimingCheck]] | None:
    """Sample id -> what is doubtful in its timing, for the review queue; None until a
    features job has measured every curve. Kept per finished features job (only a job
    measures them anew), so the queue does not list frames on every step; while a new job
    runs (after a correction), the last finished job's doubts stand."""
    finished = session.scalar(
        select(FeatureJob.id)
        .where(FeatureJob.dataset_id == dataset_id, FeatureJob.status == Status.SUCCEEDED)
        .order_by(FeatureJob.id.desc())
        .limit(1)
    )
    if finished is None:
        return None
    bind = session.get_bind()
    created = session.get_one(Dataset, dataset_id).created_at.isoformat()
    key = (str(bind.engine.url), dataset_id, created, finished)
    with _doubts_lock:
        if key in _doubts:
            return _doubts[key]
    try:
        found = dataset_timing(session, store, dataset_id)
    except Conflict:
        return None
    doubts = {
        sample.id: timing.checks if timing else [TimingCheck("unmeasured", problem or "")]
        for sample, timing, problem in found
    }
    with _doubts_lock:
        _doubts[key] = doubts
        while len(_doubts) > CACHED:
            _doubts.pop(next(iter(_doubts)))
    return doubts
