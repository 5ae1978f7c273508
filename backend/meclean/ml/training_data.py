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
    """Stack the samples' features.

    ``clean_marks`` feed IDC and Meta-Weight-Net: a sample counts as clean only if the
    experts marked it so; an unmarked sample is not known to be clean.
    """
    clean = None
    if clean_marks is not None:
        if not any(clean_marks.get(sample_key(s.subject, s.name)) for s in samples):
            raise ValueError("no sample of this dataset is marked clean")
        clean = np.array([bool(clean_marks.get(sample_key(s.subject, s.name))) for s in samples])
    return TrainingSet(
        features=np.stack([store.load(k) for k in feature_keys]).astype(np.float32),
        labels=np.array([CLASSES.index(s.label) for s in samples]),
        subjects=[f"{s.dataset}/{s.subject}" for s in samples],
        datasets=[s.dataset for s in samples],
        sample_ids=[s.sample_id for s in samples],
        clean=clean,
    )
