import pytest

from meclean.data.feature_store import FeatureStore
from meclean.data.features import compute_features
from meclean.data.flow import FlowSettings
from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.readers.common import sample_key
from meclean.ml.training_data import training_set


def test_a_training_set_stacks_features_and_keeps_subjects_apart_across_datasets(
    tiny_composite, tmp_path
):
    samples = read_dataset(
        "megc2019", tiny_composite, ImportOptions(roster=tiny_composite / "roster.csv")
    ).samples
    store = FeatureStore(tmp_path)
    keys = [r.key for r in compute_features(samples, FlowSettings(method="dis"), store, workers=1)]
    marks = {sample_key(s.subject, s.name): i % 2 == 0 for i, s in enumerate(samples[:-1])}

    data = training_set(samples, keys, store, marks)

    assert data.features.shape == (len(samples), 3, 60, 60)
    assert all("/" in s for s in data.subjects)
    expected = [i % 2 == 0 for i in range(len(samples) - 1)] + [False]  # unmarked: not clean
    assert data.clean.tolist() == expected
    with pytest.raises(ValueError, match="no sample of this dataset is marked clean"):
        training_set(samples, keys, store, {})
