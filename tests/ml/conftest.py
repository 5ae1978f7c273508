import numpy as np
import pytest

from meclean.data.feature_store import FeatureStore
from meclean.data.features import compute_features
from meclean.data.flow import FlowSettings
from meclean.data.readers import ImportOptions, read_dataset
from meclean.ml.run import TrainingSet
from meclean.ml.training_data import training_set


@pytest.fixture(scope="session")
def synthetic_training_set(clean_composite, tmp_path_factory) -> TrainingSet:
    """The noise-free twelve-subject synthetic set, with Farneback features."""
    options = ImportOptions(roster=clean_composite / "roster.csv")
    samples = read_dataset("megc2019", clean_composite, options).samples
    store = FeatureStore(tmp_path_factory.mktemp("features"))
    results = compute_features(samples, FlowSettings(method="farneback"), store, workers=2)
    return training_set(samples, [r.key for r in results], store)


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
