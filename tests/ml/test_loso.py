from dataclasses import replace

import numpy as np
import pytest
import torch

from meclean.ml import loso
from meclean.ml.loso import (
    LosoOutput,
    TrainConfig,
    loso_folds,
    protocol_deviations,
    train_loso,
)
from meclean.ml.methods import (
    METHOD_NAMES,
    METHODS,
    IterativeLabelCorrection,
    NoisyLabelMethod,
    make_method,
)
from meclean.ml.metrics import score
from meclean.ml.model import SSSNet, SSSNetConfig
from meclean.progress import Cancelled
from tests.ml.helpers import signed_samples

FAST = TrainConfig(epochs=2, batch_size=8, device="cpu")


def test_each_fold_tests_exactly_one_subject_and_trains_on_all_others():
    folds = loso_folds(["a", "b", "a", "c", "b"])

    assert [f.subject for f in folds] == ["a", "b", "c"]
    assert folds[0].test.tolist() == [0, 2]
    assert folds[0].train.tolist() == [1, 3, 4]


def test_no_fold_ever_trains_on_its_held_out_subject(monkeypatch):
    full = signed_samples(subjects=5, per_subject=4, seed=1)
    # One subject is short, so that the longer training sets' folds are topped up.
    data = replace(
        full,
        features=full.features[:-2],
        labels=full.labels[:-2],
        subjects=full.subjects[:-2],
        datasets=full.datasets[:-2],
        sample_ids=full.sample_ids[:-2],
    )
    trained_on: dict[int, set[int]] = {}
    current_folds: list[int] = []

    class Recording(SSSNet):
        def forward(self, x):
            if self.training:  # the sample index rides in the input, whatever the scaling
                ids = (x[:, :, 1, 0, 0] / x[:, :, 1, 0, 1]).round().long() - 1
                for fold, row in zip(current_folds, ids, strict=True):
                    trained_on.setdefault(fold, set()).update(row.tolist())
            return super().forward(x)

    real_train_group = loso.train_group

    def recording_train_group(features, labels, train_sets, fold_ids, *args, **kwargs):
        current_folds[:] = fold_ids
        return real_train_group(features, labels, train_sets, fold_ids, *args, **kwargs)

    monkeypatch.setattr(loso, "SSSNet", Recording)
    monkeypatch.setattr(loso, "train_group", recording_train_group)
    config = TrainConfig(epochs=3, batch_size=4, folds_per_step=2, device="cpu")
    train_loso(data.features, data.labels, data.subjects, method=NoisyLabelMethod(), config=config)

    folds = loso_folds(data.subjects)
    assert sorted(trained_on) == list(range(len(folds)))
    for k, fold in enumerate(folds):
        assert trained_on[k] == set(fold.train.tolist())


def test_fold_subsets_trained_apart_merge_into_the_whole_run():
    data = signed_samples(subjects=4, per_subject=5)
    args = (data.features, data.labels, data.subjects)
    kwargs = dict(method=IterativeLabelCorrection(), config=FAST, seed=1)

    whole = train_loso(*args, **kwargs)
    parts = [train_loso(*args, **kwargs, fold_numbers=[k, k + 1]) for k in (2, 0)]
    merged = LosoOutput.merge(parts)

    assert merged.predicted.all()
    assert not parts[0].predicted.all()
    np.testing.assert_allclose(merged.probabilities, whole.probabilities, atol=1e-6)
    np.testing.assert_array_equal(merged.flags.flagged, whole.flags.flagged)
    np.testing.assert_allclose(merged.history.total, whole.history.total, rtol=1e-5)
    np.testing.assert_array_equal(merged.history.count, whole.history.count)


def test_merging_overlapping_fold_subsets_is_refused():
    data = signed_samples(subjects=3, per_subject=4)
    part = train_loso(
        data.features,
        data.labels,
        data.subjects,
        method=NoisyLabelMethod(),
        config=FAST,
        fold_numbers=[0],
    )

    with pytest.raises(ValueError, match="several parts"):
        LosoOutput.merge([part, part])


def test_folds_trained_side_by_side_equal_folds_trained_one_by_one():
    data = signed_samples(subjects=4, per_subject=6)
    config = TrainConfig(epochs=3, batch_size=8, device="cpu", model=SSSNetConfig(dropout=0.0))

    one_by_one = train_loso(
        data.features,
        data.labels,
        data.subjects,
        method=IterativeLabelCorrection(),
        config=TrainConfig(**{**config.__dict__, "folds_per_step": 1}),
    )
    together = train_loso(
        data.features,
        data.labels,
        data.subjects,
        method=IterativeLabelCorrection(),
        config=TrainConfig(**{**config.__dict__, "folds_per_step": 4}),
    )

    np.testing.assert_allclose(one_by_one.probabilities, together.probabilities, atol=1e-4)
    np.testing.assert_array_equal(one_by_one.flags.flagged, together.flags.flagged)


def test_training_is_deterministic_for_a_seed_on_cpu():
    data = signed_samples(subjects=3, per_subject=6)
    runs = [
        train_loso(
            data.features,
            data.labels,
            data.subjects,
            method=NoisyLabelMethod(),
            config=FAST,
            seed=s,
        )
        for s in (4, 4, 5)
    ]
    np.testing.assert_array_equal(runs[0].probabilities, runs[1].probabilities)
    assert not np.array_equal(runs[0].probabilities, runs[2].probabilities)


def test_progress_reports_every_epoch_and_cancellation_stops_the_run():
    data = signed_samples(subjects=3, per_subject=6)
    reports = []
    train_loso(
        data.features,
        data.labels,
        data.subjects,
        method=NoisyLabelMethod(),
        config=FAST,
        progress=reports.append,
    )
    assert [(r.folds_done, r.epoch) for r in reports[:2]] == [(0, 1), (0, 2)]
    assert reports[-1].folds_done == 3
    assert reports[0].uf1 is None and 0 <= reports[-1].uf1 <= 1

    with pytest.raises(Cancelled):
        train_loso(
            data.features,
            data.labels,
            data.subjects,
            method=NoisyLabelMethod(),
            config=FAST,
            should_stop=lambda: True,
        )


@pytest.mark.parametrize("bf16", [False, True], ids=["float32", "bf16 autocast"])
def test_a_short_run_on_a_tiny_synthetic_set_beats_chance(synthetic_training_set, bf16):
    data = synthetic_training_set
    torch.set_num_threads(1)
    config = TrainConfig(epochs=40, batch_size=32, device="cpu", folds_per_step=1, bf16=bf16)

    out = train_loso(
        data.features, data.labels, data.subjects, method=NoisyLabelMethod(), config=config
    )

    composite = score(data.labels, out.probabilities.argmax(1), data.datasets)["composite"]
    assert composite.uf1 > 0.55, composite
    assert out.probabilities.dtype == np.float32 and out.history is not None
    assert np.isfinite(out.history.total).all() and out.history.count.sum() > 0


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_every_method_runs_a_loso_end_to_end(name):
    data = signed_samples(subjects=3, per_subject=6)
    clean = np.arange(len(data.labels)) % 4 != 0
    warmed_up = METHODS[name].warmup_of_200 is not None
    method = make_method(name, warmup_epochs=1 if warmed_up else None)

    out = train_loso(
        data.features, data.labels, data.subjects, method=method, config=FAST, clean=clean
    )

    assert np.isfinite(out.probabilities).all()
    np.testing.assert_allclose(out.probabilities.sum(1), 1, atol=1e-5)


def test_epochs_of_an_idc_warmup_do_not_count_towards_flag_rates():
    """IDC flags nothing after its warm-up; its warm-up judges nothing either, so no sample
    gets a flag rate from the experts' marks alone."""
    data = signed_samples(subjects=4, per_subject=6)
    clean = np.arange(len(data.labels)) % 2 == 0
    method = make_method("idc", warmup_epochs=2, epochs=4)

    output = train_loso(
        data.features,
        data.labels,
        data.subjects,
        method=method,
        config=replace(FAST, epochs=4),
        clean=clean,
    )

    assert output.flags.seen.sum() > 0
    assert output.flags.flagged.sum() == 0


def test_training_one_fold_at_a_time_on_the_cpu_follows_the_protocol_as_written():
    assert protocol_deviations(TrainConfig(), torch.device("cpu"), 68, NoisyLabelMethod()) == []


def test_folds_trained_side_by_side_record_that_shorter_folds_repeat_samples():
    (side_by_side,) = protocol_deviations(
        TrainConfig(folds_per_step=4), torch.device("cpu"), 68, NoisyLabelMethod()
    )
    assert side_by_side.startswith("4 folds trained side by side")


def test_the_gpu_path_records_its_departures_from_the_protocol():
    deviations = protocol_deviations(TrainConfig(), torch.device("cuda"), 17, NoisyLabelMethod())
    assert deviations[0].startswith("17 folds trained side by side")
    assert "cuDNN benchmark mode" in deviations[1]


def _broken(what: str):
    data = signed_samples(subjects=3, per_subject=4)
    features, labels, subjects = data.features.copy(), data.labels.copy(), list(data.subjects)
    if what == "shape":
        features = features[:, :2]
    elif what == "length":
        labels = labels[:-1]
    elif what == "label":
        labels[5] = 3
    elif what == "float labels":
        labels = labels.astype(np.float32)
    elif what == "nan":
        features[7, 0, 1, 1] = np.nan
    elif what == "one subject":
        subjects = ["s1"] * len(subjects)
    elif what == "size":
        features = np.pad(features, ((0, 0), (0, 0), (0, 4), (0, 4)))
    return features, labels, subjects


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ("shape", r"\(N, 3, H, W\).*got \(12, 2, "),
        ("length", r"'features': 12, 'labels': 11, 'subjects': 12"),
        ("label", r"0\.\.2; 1 do not, first at index 5 \(3\)"),
        ("float labels", "class indices; got float32"),
        ("nan", "features of 1 samples hold NaN or infinity, first at index 7"),
        ("one subject", "at least two subjects"),
        ("size", "must be 60x60, the network's input size; got 64x64"),
    ],
)
def test_training_refuses_inputs_that_would_train_silently_wrong(what, message):
    features, labels, subjects = _broken(what)

    with pytest.raises(ValueError, match=message):
        train_loso(features, labels, subjects, method=NoisyLabelMethod(), config=FAST)
