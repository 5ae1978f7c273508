"""A stored sample's motion curve: computed from its clip's frames once, kept in the
feature store under a key of the frames (names, sizes, times), the face box and the
curve's version."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from meclean.data.faces import FaceCrop
from meclean.data.feature_store import FeatureStore
from meclean.data.frame_rates import frame_rate
from meclean.data.motion import MICRO_SECONDS, motion_curve
from meclean.data.readers.discovery import clip_frames, frame_number_of, index_frames
from meclean.db.features import FeatureError
from meclean.db.models import Sample

MOTION_VERSION = "1"
"""Bump when the curve's computation changes, so old curves are not reused."""
MOST_FRAMES = 400
"""Frames a curve reads at most: a longer clip is sampled evenly, both ends kept."""


@dataclass(frozen=True)
class ClipSource:
    """What a sample's motion curve is computed from, detached from its row for threads."""

    name: str
    onset: str
    last: str
    """The offset frame; where the offset is unknown, the last frame within a
    micro-expression's length of the onset (so that an apex set too early shows)."""
    face: FaceCrop | None

    @classmethod
    def of(cls, sample: Sample) -> ClipSource:
        last = sample.offset_path or _longest_end(sample)
        return cls(sample.name, sample.onset_path, last, FaceCrop.from_dict(sample.face_crop))


def _longest_end(sample: Sample) -> str:
    """The last frame of the sample's folder within 500 ms of its onset (all of them at an
    unknown frame rate), never before its apex."""
    onset, apex = Path(sample.onset_path), Path(sample.apex_path)
    start, peak = frame_number_of(onset), frame_number_of(apex)
    fps = frame_rate(sample.source)
    try:
        frames = index_frames(onset.parent)
    except OSError:
        return sample.apex_path
    if start is None or peak is None or not frames:
        return sample.apex_path
    limit = start + round(MICRO_SECONDS * fps) if fps else max(frames)
    inside = [n for n in frames if peak <= n <= max(limit, peak)]
    return str(frames[max(inside)]) if inside else sample.apex_path


@dataclass(frozen=True)
class MotionCurve:
    frames: list[int]
    """The frame numbers the curve was measured at, from the onset on."""
    motion: np.ndarray


def stored_motion(store: FeatureStore, source: ClipSource) -> MotionCurve:
    """The sample's curve, computed and stored unless the store has it. Touches no row,
    so threads may call it side by side."""
    try:
        frames = clip_frames(Path(source.onset), Path(source.last), MOST_FRAMES)
        numbers = [frame_number_of(f) for f in frames]
        key = _key(frames, source.face)
    except OSError as exc:
        raise FeatureError(f"frames of sample {source.name} cannot be listed: {exc}") from None
    if any(n is None for n in numbers):
        raise FeatureError(f"the frames of sample {source.name} carry no frame numbers")
    if key in store:
        return MotionCurve([int(n) for n in numbers if n is not None], store.load(key))
    try:
        curve = motion_curve(frames, source.face)
    except (ValueError, OSError, cv2.error) as exc:
        raise FeatureError(f"cannot measure the motion of sample {source.name}: {exc}") from None
    store.save(key, curve)
    return MotionCurve([int(n) for n in numbers if n is not None], curve)


def motion_stored(store: FeatureStore, source: ClipSource) -> bool:
    """Whether the store holds the sample's curve (its frames listed, not read)."""
    try:
        frames = clip_frames(Path(source.onset), Path(source.last), MOST_FRAMES)
        return _key(frames, source.face) in store
    except OSError:
        return False


def _key(frames: list[Path], face: FaceCrop | None) -> str:
    digest = hashlib.sha256(f"motion v{MOTION_VERSION}".encode())
    if face is not None:
        digest.update(face.fingerprint().encode())
    for frame in frames:
        stat = frame.stat()
        digest.update(f"|{frame}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()
