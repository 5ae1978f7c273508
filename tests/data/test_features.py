from dataclasses import replace

import numpy as np
import pytest

from meclean.data.feature_store import FeatureStore
from meclean.data.features import class_means, compute_features
from meclean.data.flow import FlowSettings
from meclean.data.readers import ImportOptions, read_dataset
from meclean.progress import Cancelled

FAST = FlowSettings(method="farneback")


def samples_of(root):
    return read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv")).samples


def test_a_rerun_takes_every_feature_from_the_cache(tiny_composite, tmp_path):
    samples = samples_of(tiny_composite)
    store = FeatureStore(tmp_path / "features")
    first = compute_features(samples, FAST, store, workers=2)
    mtimes = {r.key: store.path(r.key).stat().st_mtime_ns for r in first}

    second = compute_features(samples, FAST, store, workers=2)

    assert not any(r.cached for r in first) and all(r.cached for r in second)
    assert [r.key for r in first] == [r.key for r in second]
    assert all(store.path(r.key).stat().st_mtime_ns == mtimes[r.key] for r in second)


def test_the_key_changes_with_the_flow_settings(tiny_composite, tmp_path):
    sample = samples_of(tiny_composite)[0]
    keys = {
        FeatureStore.key_for(sample.onset_path, sample.apex_path, s)
        for s in (FAST, FlowSettings(), FlowSettings(size=28))
    }
    assert len(keys) == 3


def test_a_broken_sample_is_reported_and_the_others_still_computed(tiny_composite, tmp_path):
    samples = samples_of(tiny_composite)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"garbage")
    samples[1] = replace(samples[1], apex_path=broken)

    results = compute_features(samples, FAST, FeatureStore(tmp_path / "f"), workers=2)

    assert "unreadable image" in results[1].error
    assert all(r.key and not r.error for i, r in enumerate(results) if i != 1)


def test_cancelling_keeps_what_finished_and_a_rerun_resumes(tiny_composite, tmp_path):
    samples = samples_of(tiny_composite)
    store = FeatureStore(tmp_path / "f")
    seen = []

    with pytest.raises(Cancelled):
        compute_features(
            samples,
            FAST,
            store,
            workers=1,
            progress=lambda done, total: seen.append(done),
            should_stop=lambda: len(seen) > 3,
        )

    resumed = compute_features(samples, FAST, store, workers=1)
    assert sum(r.cached for r in resumed) == 3
    assert all(r.key for r in resumed)


def test_class_means_show_brows_for_surprise_and_mouth_corners_for_positive(
    clean_composite, tmp_path
):
    samples = samples_of(clean_composite)
    store = FeatureStore(tmp_path / "f")
    results = compute_features(samples, FlowSettings(), store, workers=2)
    features = np.stack([store.load(r.key) for r in results])

    means = class_means(features, [s.label for s in samples], [s.dataset for s in samples])

    def energy(mean, rows):
        vx, vy, _ = mean
        return float(np.mean(vx[rows] ** 2 + vy[rows] ** 2))

    brows, mouth = slice(12, 22), slice(40, 54)  # of 60 rows; faces are aligned crops
    composite = means["composite"]
    assert energy(composite["surprise"], brows) > 2 * energy(composite["surprise"], mouth)
    assert energy(composite["positive"], mouth) > 2 * energy(composite["positive"], brows)
    assert set(means) == {"composite", "casme2", "samm", "smic"}


def test_class_means_follow_the_labels_they_are_given():
    features = np.stack([np.full((3, 4, 4), v, np.float32) for v in (1, 3, 10)])

    means = class_means(features, ["negative", "negative", "surprise"], ["a", "b", "b"])

    assert means["composite"]["negative"][0, 0, 0] == 2
    assert means["b"]["surprise"][0, 0, 0] == 10
    assert "positive" not in means["composite"]
