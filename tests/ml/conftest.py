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
