"""How far the face has moved from the onset, frame by frame: a sample's motion curve, the
apex, onset and offset it suggests, and the checks of a sheet's timing against it.

The curve is the 90th percentile of the magnitude of DIS optical flow (OpenCV's ultrafast
preset) from the onset frame to each frame, at half the features' working size, inside the
face crop less a margin (its edges hold hair and background), less the median vector (the
head's drift, which moves the whole face alike). A few milliseconds a frame: cheap enough
to run over every frame of every sample at import (benchmarks/motion.py measures its
cost and its agreement with TV-L1 at the full working size).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np

from meclean.data.faces import FaceCrop, read_frame

MOTION_SIZE = (85, 70)
"""Height and width the curve's flow is computed at: half the features' working size."""
TO_WORKING_SIZE = 2.0
"""The curve is given in pixels of the features' 170x140 working size."""
MOVING_PERCENTILE = 90
"""A movement covers a small part of the face (the mouth corners, the brows): the curve
follows the 90th percentile of the flow's magnitude, which a mean would dilute."""
MARGIN = 0.12
"""Share of each side of the crop left out of the mean."""
NO_MOTION = 0.15
"""Below this peak (pixels at the working size) nothing moved that flow can see."""
BASELINE_SHARE = 0.2
"""Onset and offset estimates: where the motion is within this share of the peak's rise
above the quietest frame."""
RIVAL_DISTANCE = 0.2
"""Frames farther from the peak than this share of the clip compete with it."""
FAR_FROM_PEAK = 0.25
"""An annotated apex farther than this share of the clip's length from the motion's peak
is checked."""
MICRO_SECONDS = 0.5
"""A micro-expression lasts at most 500 ms."""
FEWEST_FRAMES = 3


@dataclass(frozen=True)
class TimingEstimate:
    """What a motion curve suggests, as indexes into the curve's frames."""

    apex: int
    confidence: float
    """In [0, 1]: 1 - the highest motion away from the peak over the peak's. Near 1 a lone
    clear peak; near 0 a plateau or a second movement as large (0 where nothing moved)."""
    onset: int
    offset: int


def motion_curve(
    frames: Sequence[Path],
    face: FaceCrop | None,
    should_stop: Callable[[], bool] | None = None,
) -> np.ndarray:
    """(len(frames),) float32: how far each frame has moved from the first, in pixels of
    the working size. Raises ``ValueError`` naming an unreadable frame."""
    if not frames:
        raise ValueError("no frames")
    solver = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)  # type: ignore[attr-defined, unused-ignore]
    onset = _small(frames[0], face)
    height, width = onset.shape
    dy, dx = round(height * MARGIN), round(width * MARGIN)
    curve = np.zeros(len(frames), np.float32)
    for k, path in enumerate(frames[1:], 1):
        if should_stop is not None and should_stop():
            raise InterruptedError("stopped")
        flow = solver.calc(onset, _small(path, face), None)
        inner = flow[dy : height - dy, dx : width - dx].reshape(-1, 2)
        # The head's own drift moves the whole face alike: the median vector takes it out.
        facial = inner - np.median(inner, axis=0)
        magnitude = np.linalg.norm(facial, axis=1)
        curve[k] = float(np.percentile(magnitude, MOVING_PERCENTILE)) * TO_WORKING_SIZE
    return curve


def _small(path: Path, face: FaceCrop | None) -> np.ndarray:
    try:
        frame = read_frame(path, face)
    except (ValueError, OSError, cv2.error) as exc:
        raise ValueError(f"frame {path.name} is unreadable: {exc}") from None
    height, width = MOTION_SIZE
    return cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)


def estimate_timing(curve: np.ndarray) -> TimingEstimate:
    """The apex at the curve's peak, and the onset and offset where the motion leaves and
    returns to its baseline (the quietest frames)."""
    values = np.asarray(curve, float)
    apex = int(np.argmax(values))
    peak = float(values[apex])
    if peak < NO_MOTION or len(values) < 3:
        return TimingEstimate(apex, 0.0, 0, len(values) - 1)
    # Confidence: how far the peak stands above the highest frame away from it (a plateau
    # or a second movement leaves the apex uncertain).
    away = max(1, round(RIVAL_DISTANCE * len(values)))
    rivals = np.concatenate([values[: max(apex - away, 0)], values[apex + away + 1 :]])
    rival = float(rivals.max()) if len(rivals) else 0.0
    floor = float(values.min())
    level = floor + BASELINE_SHARE * (peak - floor)
    before = np.flatnonzero(values[:apex] <= level)
    after = np.flatnonzero(values[apex:] <= level)
    onset = int(before[-1]) if len(before) else 0
    offset = apex + int(after[0]) if len(after) else len(values) - 1
    return TimingEstimate(apex, max(0.0, 1.0 - rival / peak), onset, offset)


@dataclass(frozen=True)
class TimingCheck:
    """One doubt about a sample's annotated timing."""

    kind: str
    """'apex_far_from_peak', 'onset_is_apex', 'too_long', 'too_short', 'numbering_gaps',
    'missing_frames' or 'no_motion' (and, from the store, 'estimated_at_import')."""
    message: str


def check_timing(
    onset: int,
    apex: int,
    offset: int | None,
    on_disk: Sequence[int],
    fps: float | None,
    curve: np.ndarray | None = None,
    curve_frames: Sequence[int] = (),
) -> list[TimingCheck]:
    """What is doubtful in an annotated onset, apex and offset (frame numbers), given the
    frame numbers found on disk, the release's frame rate and the motion curve over
    ``curve_frames``."""
    checks = []
    end = offset if offset is not None else apex
    if apex == onset:
        checks.append(TimingCheck("onset_is_apex", f"the apex is the onset frame ({onset})"))
    if fps and (end - onset + 1) / fps > MICRO_SECONDS:
        seconds = (end - onset + 1) / fps
        checks.append(
            TimingCheck(
                "too_long",
                f"{end - onset + 1} frames at {fps:g} fps last {seconds * 1000:.0f} ms: "
                f"longer than a micro-expression ({MICRO_SECONDS * 1000:.0f} ms)",
            )
        )
    if end - onset + 1 < FEWEST_FRAMES:
        until = "offset" if offset is not None else "apex"
        checks.append(
            TimingCheck("too_short", f"only {end - onset + 1} frames from onset to {until}")
        )
    present = set(on_disk)
    missing = [n for n in (onset, apex, offset) if n is not None and n not in present]
    if missing:
        checks.append(TimingCheck("missing_frames", f"frames {missing} are not on disk"))
    inside = sorted(n for n in present if onset <= n <= end)
    gaps = [(a, b) for a, b in pairwise(inside) if b - a > 1]
    if gaps:
        said = ", ".join(f"{a + 1}" if b - a == 2 else f"{a + 1}-{b - 1}" for a, b in gaps[:5])
        checks.append(
            TimingCheck(
                "numbering_gaps",
                f"{len(gaps)} gap{'s' if len(gaps) > 1 else ''} in the frame numbers ({said})",
            )
        )
    if curve is not None and len(curve) and len(curve_frames) == len(curve):
        estimate = estimate_timing(curve)
        peak_frame = curve_frames[estimate.apex]
        if float(np.max(curve)) < NO_MOTION:
            checks.append(TimingCheck("no_motion", "no motion from onset to offset"))
        elif abs(peak_frame - apex) > FAR_FROM_PEAK * (curve_frames[-1] - curve_frames[0]):
            checks.append(
                TimingCheck(
                    "apex_far_from_peak",
                    f"the annotated apex {apex} is far from the motion's peak at frame "
                    f"{peak_frame} (confidence {estimate.confidence:.2f})",
                )
            )
    return checks
