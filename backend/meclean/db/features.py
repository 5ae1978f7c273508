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
    if sample.feature_key is not None:
        return sample.feature_key
    try:
        return FeatureStore.key_for(Path(sample.onset_path), Path(sample.apex_path), FlowSettings())
    except OSError as exc:
        raise FeatureError(f"frames of sample {sample.name} are unreadable: {exc}") from None


def sample_features(store: FeatureStore, sample: Sample) -> np.ndarray:
    """The sample's stored features, computed when missing."""
    key = feature_key(sample)
    if key not in store:
        try:
            features = flow_features(
                read_gray(sample.onset_path), read_gray(sample.apex_path), FlowSettings()
            )
        except (ValueError, OSError, cv2.error) as exc:
            raise FeatureError(f"cannot compute the flow of sample {sample.name}: {exc}") from None
        store.save(key, features)
    return store.load(key)
