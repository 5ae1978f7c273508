"""The stored optical-flow features of an imported sample."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from meclean.data.faces import FaceCrop, read_frame
from meclean.data.feature_store import FeatureStore
from meclean.data.flow import FlowSettings, flow_features
from meclean.db.models import Sample


class FeatureError(ValueError):
    """A sample whose frames cannot be read or whose flow cannot be computed."""


def feature_key(sample: Sample) -> str:
    """The key of the sample's features, remembered on the row once computed."""
    if sample.feature_key is None:
        sample.feature_key = key_from_frames(sample)
    return sample.feature_key


def key_from_frames(sample: Sample) -> str:
    """The key of the sample's features, leaving the row as it is (no write to the database)."""
    return sample.feature_key or _frames_key(FrameSource.of(sample))


@dataclass(frozen=True)
class FrameSource:
    """What a sample's flow is computed from, detached from its row for worker threads."""

    name: str
    onset: str
    apex: str
    face: FaceCrop | None

    @classmethod
    def of(cls, sample: Sample) -> FrameSource:
        face = FaceCrop.from_dict(sample.face_crop)
        return cls(sample.name, sample.onset_path, sample.apex_path, face)

    def frames(self) -> tuple[np.ndarray, np.ndarray]:
        """Onset and apex, grayscale, cropped to the face where the sample has a box."""
        try:
            return read_frame(self.onset, self.face), read_frame(self.apex, self.face)
        except (ValueError, OSError, cv2.error) as exc:
            raise FeatureError(f"frames of sample {self.name} are unreadable: {exc}") from None


def store_flow(store: FeatureStore, source: FrameSource, key: str | None = None) -> str:
    """Compute and store a sample's flow unless the store has it; returns its key. Touches
    no database row, so threads of a pool may call it side by side (OpenCV drops the GIL)."""
    key = key or _frames_key(source)
    if key not in store:
        try:
            features = flow_features(*source.frames(), FlowSettings())
        except FeatureError:
            raise
        except (ValueError, OSError, cv2.error) as exc:
            raise FeatureError(f"cannot compute the flow of sample {source.name}: {exc}") from None
        store.save(key, features)
    return key


def sample_features(store: FeatureStore, sample: Sample) -> np.ndarray:
    """The sample's stored features, computed when missing."""
    sample.feature_key = store_flow(store, FrameSource.of(sample), sample.feature_key)
    return store.load(sample.feature_key)


def _frames_key(source: FrameSource) -> str:
    try:
        return FeatureStore.key_for(
            Path(source.onset), Path(source.apex), FlowSettings(), source.face
        )
    except OSError as exc:
        raise FeatureError(f"frames of sample {source.name} are unreadable: {exc}") from None
