import json

import numpy as np
import pytest
import torch

from meclean.ml.loso import FlagCounts, TrainConfig, train_loso
from meclean.ml.methods import IterativeLabelCorrection, NoisyLabelMethod
from meclean.ml.model import SSSNet, SSSNetConfig
from meclean.ml.run import combine, proposed_labels, run_experiment
from tests.ml.helpers import signed_samples


def test_a_run_gives_scores_per_seed_and_everything_the_review_needs(tmp_path):
    data = signed_samples(subjects=4, per_subject=6)
    config = TrainConfig(epochs=3, batch_size=8, device="cpu")
    progress = []

    result = run_experiment(
        data,
        method=IterativeLabelCorrection(),
        config=config,
        seeds=[0, 1],
        progress=progress.append,
    )

    n = len(data.labels)
    assert len(result.scores) == 2 and set(result.scores[0]) == {"composite", "synthetic"}
    assert set(result.summary()["composite"]) == {"uf1_mean", "uf1_std", "uar_mean", "uar_std"}
    assert result.probabilities.shape == (n, 3)
    np.testing.assert_allclose(result.probabilities.sum(1), 1, atol=1e-5)
    assert (
        result.flag_rate.shape == (n,) and ((result.flag_rate >= 0) & (result.flag_rate <= 1)).all()
    )
    final = result.final
    assert final.embedding.shape == (n, 128) and final.projection.shape == (n, 2)
    assert np.isfinite(final.projection).all()
    assert (final.high_loss == (final.loss > final.threshold)).all()
    assert {p.stage for p in progress} == {"loso", "final"}

    result.write(tmp_path)
    document = json.loads((tmp_path / "result.json").read_text())
    assert document["method"] == {"method": "ilc", "alpha": 2.5}
    arrays = np.load(tmp_path / "arrays.npz")
    assert arrays["projection"].shape == (n, 2)
    # Each sample's training loss per epoch, over both seeds and the folds that trained on it.
    assert arrays["loss_history"].shape == (n, 3) and np.isfinite(arrays["loss_history"]).all()
    saved = torch.load(tmp_path / "model.pt")
    model = SSSNet(SSSNetConfig())
    model.load_state_dict(saved["state"])


def test_a_relabel_is_proposed_only_for_persistently_flagged_samples_voted_to_another_class():
    flags = FlagCounts.empty(4, 3)
    flags.seen[:] = 4
    flags.flagged[:] = [2, 0, 3, 1]
    flags.votes[0] = [0, 2, 0]
    flags.votes[2] = [3, 0, 0]
    flags.votes[3] = [0, 0, 1]

    proposal = proposed_labels(np.array([0, 1, 0, 0]), flags, np.full((4, 3), 1 / 3))

    assert proposal.tolist() == [1, -1, -1, -1]  # sample 3: flagged in 1 of 4 updates


def test_a_tied_vote_goes_to_the_class_of_highest_mean_probability():
    flags = FlagCounts.empty(1, 3)
    flags.seen[:], flags.flagged[:] = 4, 4
    flags.votes[0] = [0, 2, 2]

    proposal = proposed_labels(np.array([0]), flags, np.array([[0.2, 0.3, 0.5]]))

    assert proposal.tolist() == [2]  # not class 1, the first of the tied


def test_the_spread_over_seeds_is_the_sample_standard_deviation_and_absent_for_one_seed():
    data = signed_samples(subjects=3, per_subject=6)
    config = TrainConfig(epochs=1, batch_size=8, device="cpu")
    outputs = [
        train_loso(
            data.features,
            data.labels,
            data.subjects,
            method=NoisyLabelMethod(),
            config=config,
            seed=s,
        )
        for s in (0, 1, 2)
    ]

    three = combine(data, NoisyLabelMethod(), config, [0, 1, 2], outputs, None)
    one = combine(data, NoisyLabelMethod(), config, [0], outputs[:1], None)

    uf1 = [s["composite"].uf1 for s in three.scores]
    assert three.summary()["composite"]["uf1_std"] == pytest.approx(np.std(uf1, ddof=1))
    assert one.summary()["composite"]["uf1_std"] is None
