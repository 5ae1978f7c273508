"""Turn imported samples and their stored features into a ``TrainingSet``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from meclean.data.feature_store import FeatureStore
from meclean.data.labels import CLASSES
from meclean.data.readers.common import SampleKey, sample_key
from meclean.data.records import SampleRecord
from meclean.ml.run import TrainingSet


def training_set(
    samples: Sequence[SampleRecord],
    feature_keys: Sequence[str],
    store: FeatureStore,
    clean_marks: Mapping[SampleKey, bool] | None = None,
) -> TrainingSet:
    """Stack the samples' features; ``clean_marks`` (IDC) must cover every sample."""
    clean = None
    if clean_marks is not None:
        missing = [s.sample_id for s in samples if sample_key(s.subject, s.name) not in clean_marks]
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise ValueError(f"{len(missing)} samples have no clean/noisy mark: {shown}")
        clean = np.array([clean_marks[sample_key(s.subject, s.name)] for s in samples])
    return TrainingSet(
        features=np.stack([store.load(k) for k in feature_keys]).astype(np.float32),
        labels=np.array([CLASSES.index(s.label) for s in samples]),
        subjects=[f"{s.dataset}/{s.subject}" for s in samples],
        datasets=[s.dataset for s in samples],
        sample_ids=[s.sample_id for s in samples],
        clean=clean,
    )
