"""Helpers for the ML tests: small training sets with a known class signal."""

import numpy as np

from meclean.ml.run import TrainingSet


def signed_samples(subjects: int, per_subject: int, seed: int = 0) -> TrainingSet:
    """Random inputs with a class signal; pixel (0, 0) of channel 1 carries the sample's
    index + 1 relative to pixel (0, 1), which survives any positive input scaling."""
    rng = np.random.default_rng(seed)
    n = subjects * per_subject
    labels = np.tile(np.arange(3), n // 3 + 1)[:n]
    features = rng.normal(size=(n, 3, 60, 60)).astype(np.float32)
    features[:, 0, 20:30, 20:30] += 2.0 * labels[:, None, None]
    features[:, 1, 0, 0] = np.arange(n) + 1
    features[:, 1, 0, 1] = 1.0
    subject_ids = [f"s{i // per_subject}" for i in range(n)]
    return TrainingSet(
        labels=labels,
        subjects=subject_ids,
        datasets=["synthetic"] * n,
        sample_ids=[str(i) for i in range(n)],
        features=features,
    )
