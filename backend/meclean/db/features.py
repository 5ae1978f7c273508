"""The stored optical-flow features of an imported sample."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from meclean.data.feature_store import FeatureStore
from meclean.data.flow import FlowSettings, flow_features, read_gray
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
    return sample.feature_key or _frames_key(sample.name, sample.onset_path, sample.apex_path)


def store_flow(
    store: FeatureStore, name: str, onset: str, apex: str, key: str | None = None
) -> str:
    """Compute and store a sample's flow unless the store has it; returns its key. Touches
    no database row, so threads of a pool may call it side by side (OpenCV drops the GIL)."""
    key = key or _frames_key(name, onset, apex)
    if key not in store:
        try:
            features = flow_features(read_gray(onset), read_gray(apex), FlowSettings())
        except (ValueError, OSError, cv2.error) as exc:
            raise FeatureError(f"cannot compute the flow of sample {name}: {exc}") from None
        store.save(key, features)
    return key


def sample_features(store: FeatureStore, sample: Sample) -> np.ndarray:
    """The sample's stored features, computed when missing."""
    sample.feature_key = store_flow(
        store, sample.name, sample.onset_path, sample.apex_path, sample.feature_key
    )
    return store.load(sample.feature_key)


def _frames_key(name: str, onset: str, apex: str) -> str:
    try:
        return FeatureStore.key_for(Path(onset), Path(apex), FlowSettings())
    except OSError as exc:
        raise FeatureError(f"frames of sample {name} are unreadable: {exc}") from None
