"""A sample's timing against its motion: the curve, what it suggests for onset, apex and
offset, and the checks of the annotated frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from meclean.data.feature_store import FeatureStore
from meclean.data.frame_rates import frame_rate
from meclean.data.motion import TimingCheck, TimingEstimate, check_timing, estimate_timing
from meclean.data.readers.discovery import frame_number_of, index_frames
from meclean.db.features import FeatureError
from meclean.db.models import Sample
from meclean.db.motion import ClipSource, MotionCurve, stored_motion
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
    return SampleTiming(
        onset=onset,
        apex=apex,
        offset=offset,
        fps=fps,
        curve=curve,
        estimate=estimate_timing(curve.motion),
        checks=check_timing(onset, apex, offset, on_disk, fps, curve.motion, curve.frames),
    )
