import pytest
import torch
from torch.nn import functional as F

from meclean.ml.methods import (
    GCE,
    METHOD_NAMES,
    BatchContext,
    InitialDataCleaning,
    IterativeLabelCorrection,
    LossThresholdingWithMoments,
    NoisyLabelMethod,
    QPercentile,
    make_method,
)


def batch_with_one_outlier():
    """Two folds of eight samples; in each, sample 5 is confidently wrong."""
    logits = torch.full((2, 8, 3), -2.0)
    logits[..., 0] = 2.0
    labels = torch.zeros(2, 8, dtype=torch.long)
    labels[:, 5] = 2
    logits[0, 1, 0] = 1.0  # a mildly less confident clean sample
    return logits.requires_grad_(), labels


def test_ltm_leaves_out_exactly_the_samples_above_mean_plus_alpha_std():
    logits, labels = batch_with_one_outlier()
    losses = F.cross_entropy(logits.detach().transpose(1, 2), labels, reduction="none")
    threshold = losses.mean(1, keepdim=True) + 2.0 * losses.std(1, keepdim=True)

    step = LossThresholdingWithMoments(alpha=2.0).batch_loss(logits, labels, BatchContext(0))

    assert torch.equal(step.flagged, losses > threshold)
    assert step.flagged[:, 5].all() and step.flagged.sum() == 2
    kept = ~step.flagged
    expected = sum((losses[g][kept[g]]).mean() for g in range(2))
    assert torch.isclose(step.loss, expected)


def test_ltm_gives_flagged_samples_no_gradient():
    logits, labels = batch_with_one_outlier()
    LossThresholdingWithMoments(alpha=2.0).batch_loss(
        logits, labels, BatchContext(0)
    ).loss.backward()
    assert logits.grad[:, 5].abs().sum() == 0
    assert logits.grad[:, 0].abs().sum() > 0


def test_ilc_replaces_exactly_the_flagged_labels_with_predictions_and_uses_every_sample():
    logits, labels = batch_with_one_outlier()

    step = IterativeLabelCorrection(alpha=2.0).batch_loss(logits, labels, BatchContext(0))

    assert torch.equal(step.targets[step.flagged], logits.argmax(-1)[step.flagged])
    assert torch.equal(step.targets[~step.flagged], labels[~step.flagged])
    assert (step.targets[:, 5] == 0).all()
    step.loss.backward()
    assert (logits.grad.abs().sum(-1) > 0).all()


def test_idc_trains_only_on_clean_samples_during_warmup_then_on_all():
    logits, labels = batch_with_one_outlier()
    clean = torch.ones(2, 8, dtype=torch.bool)
    clean[:, 3] = False
    idc = InitialDataCleaning(warmup_epochs=5)

    idc.batch_loss(logits, labels, BatchContext(4, clean)).loss.backward()
    assert logits.grad[:, 3].abs().sum() == 0
    logits.grad = None
    idc.batch_loss(logits, labels, BatchContext(5, clean)).loss.backward()
    assert logits.grad[:, 3].abs().sum() > 0


def test_idc_refuses_to_run_without_marks():
    logits, labels = batch_with_one_outlier()
    with pytest.raises(ValueError, match="clean marks"):
        InitialDataCleaning(5).batch_loss(logits, labels, BatchContext(0))


def test_gce_matches_its_formula():
    logits = torch.randn(1, 6, 3)
    labels = torch.tensor([[0, 1, 2, 0, 1, 2]])
    q = 0.7

    step = GCE(q).batch_loss(logits, labels, BatchContext(0))

    p_true = logits.softmax(-1)[0, torch.arange(6), labels[0]]
    assert torch.isclose(step.loss, ((1 - p_true**q) / q).mean())


def test_q_percentile_drops_the_top_q_percent_after_warmup_only():
    logits = torch.randn(1, 10, 3)
    labels = torch.randint(0, 3, (1, 10))
    method = QPercentile(q=20, warmup_epochs=2)

    assert not method.batch_loss(logits, labels, BatchContext(1)).flagged.any()
    flagged = method.batch_loss(logits, labels, BatchContext(2)).flagged
    losses = F.cross_entropy(logits.transpose(1, 2), labels, reduction="none")
    assert flagged.sum() == 2
    assert set(losses[flagged].tolist()) == set(losses[0].topk(2).values.tolist())


def test_baseline_is_per_fold_mean_cross_entropy():
    logits, labels = batch_with_one_outlier()
    step = NoisyLabelMethod().batch_loss(logits, labels, BatchContext(0))
    expected = sum(F.cross_entropy(logits[g], labels[g]) for g in range(2))
    assert torch.isclose(step.loss, expected)


def test_double_softmax_parity_switch_reproduces_the_published_loss():
    logits, labels = batch_with_one_outlier()
    step = NoisyLabelMethod().batch_loss(logits, labels, BatchContext(0, double_softmax=True))
    expected = sum(F.cross_entropy(logits[g].softmax(-1), labels[g]) for g in range(2))
    assert torch.isclose(step.loss, expected)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ltm", LossThresholdingWithMoments),
        ("ilc", IterativeLabelCorrection),
        ("gce", GCE),
        ("idc", InitialDataCleaning),
        ("idc+ilc", InitialDataCleaning),
    ],
)
def test_methods_are_made_by_name(name, kind):
    method = make_method(name)
    assert isinstance(method, kind)
    assert method.name == name


def test_an_unknown_method_lists_the_known_ones():
    with pytest.raises(ValueError, match="choose one of baseline"):
        make_method("coteaching")


def test_manifold_mixup_trains_on_the_mixture_of_two_samples_labels(monkeypatch):
    from meclean.ml.methods import ManifoldMixup
    from meclean.ml.model import SSSNet, SSSNetConfig

    torch.manual_seed(0)
    model = SSSNet(SSSNetConfig(dropout=0.0), copies=2).eval()
    inputs = torch.randn(2, 4, 3, 60, 60)
    labels = torch.tensor([[0, 1, 2, 0], [1, 1, 2, 2]])
    monkeypatch.setattr(torch, "randint", lambda high, size: torch.tensor(3))  # mix hidden layer
    monkeypatch.setattr(torch, "randperm", lambda n, device=None: torch.tensor([1, 0, 3, 2]))
    monkeypatch.setattr(torch.distributions.Beta, "sample", lambda self: torch.tensor(0.3))

    step, logits = ManifoldMixup().train_step(model, inputs, labels, BatchContext(0))

    hidden = model.features(inputs)
    mixed = model.classify(0.3 * hidden + 0.7 * hidden[:, [1, 0, 3, 2]])
    torch.testing.assert_close(logits, mixed)
    expected = sum(
        0.3 * F.cross_entropy(mixed[g], labels[g])
        + 0.7 * F.cross_entropy(mixed[g], labels[g, [1, 0, 3, 2]])
        for g in range(2)
    )
    torch.testing.assert_close(step.loss, expected)


def test_anchor_points_give_the_transition_rows():
    from meclean.ml.methods import anchor_transition

    probs = torch.tensor([[[0.9, 0.05, 0.05], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.5, 0.4, 0.1]]])

    transition = anchor_transition(probs, quantile=1.0)

    torch.testing.assert_close(transition[0], probs[0, :3])


def test_t_revision_is_cross_entropy_in_warmup_then_reweights_through_the_transition():
    from meclean.ml.methods import TRevision

    method = TRevision(warmup_epochs=1)
    (slack,) = method.start_group(copies=1, classes=3, device=torch.device("cpu"))
    logits = torch.randn(1, 6, 3)
    labels = torch.tensor([[0, 1, 2, 0, 1, 2]])

    warm = method.batch_loss(logits, labels, BatchContext(0))
    torch.testing.assert_close(warm.loss, F.cross_entropy(logits[0], labels[0]))

    step = method.batch_loss(logits.requires_grad_(), labels, BatchContext(1))
    clean = logits.softmax(-1)
    transition = method._transition
    noisy = clean @ transition[0]
    p_noisy = noisy[0, torch.arange(6), labels[0]]
    weight = clean[0, torch.arange(6), labels[0]] / p_noisy
    torch.testing.assert_close(step.loss, (-weight * p_noisy.log()).mean())
    step.loss.backward()
    assert slack.grad is not None and slack.grad.abs().sum() > 0


def test_meta_weight_net_learns_from_clean_samples_without_moving_batch_norm_statistics():
    import copy

    from meclean.ml.methods import MetaWeightNet
    from meclean.ml.model import SSSNet, SSSNetConfig

    torch.manual_seed(0)
    model = SSSNet(SSSNetConfig(), copies=2).train()
    reference = copy.deepcopy(model)
    inputs = torch.randn(2, 8, 3, 60, 60)
    labels = torch.randint(0, 3, (2, 8))
    clean = torch.rand(2, 8) > 0.3
    method = MetaWeightNet()
    assert method.start_group(2, 3, torch.device("cpu")) == []
    before = [p.detach().clone() for p in method._layers]

    step, logits = method.train_step(model, inputs, labels, BatchContext(0, clean))

    assert any(not torch.equal(b, p) for b, p in zip(before, method._layers, strict=True))
    reference(inputs)  # one real forward pass
    torch.testing.assert_close(model.bn1.running_mean, reference.bn1.running_mean)
    losses = F.cross_entropy(logits.transpose(1, 2), labels, reduction="none")
    weights = method.sample_weights(losses.detach())
    torch.testing.assert_close(step.loss, (losses * weights).mean(1).sum())
    assert torch.equal(step.flagged, weights < 0.5)


@pytest.mark.parametrize(
    ("name", "epochs", "warmup"),
    [("idc", 200, 50), ("idc", 10, 2), ("idc+ilc", 40, 10), ("qpercentile", 20, 1)],
)
def test_default_warmups_keep_the_papers_share_of_the_run(name, epochs, warmup):
    assert make_method(name, epochs=epochs).warmup_epochs == warmup


def test_a_warmup_that_leaves_no_epoch_after_it_is_refused():
    with pytest.raises(ValueError, match="leaves none of the run's 10"):
        make_method("idc", warmup_epochs=50, epochs=10)


@pytest.mark.parametrize("name", ["ilc", "ltm", "baseline", "gce", "mixup", "mwn"])
def test_a_warmup_for_a_method_without_one_is_refused_not_ignored(name):
    with pytest.raises(ValueError, match=f"{name} has no warm-up"):
        make_method(name, warmup_epochs=2, epochs=10)


@pytest.mark.parametrize("name", ["ilc", "ltm", "idc", "trevision", "mwn"])
def test_a_q_for_a_method_without_one_is_refused_not_ignored(name):
    with pytest.raises(ValueError, match=f"{name} has no q"):
        make_method(name, q=5)


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_every_method_draws_its_final_flags_with_the_alpha_it_was_given(name):
    method = make_method(name, alpha=3.0)
    assert method.alpha == 3.0
    assert method.describe()["alpha"] == 3.0


def test_warmup_batches_judge_no_sample():
    logits, labels = batch_with_one_outlier()
    clean = torch.ones(2, 8, dtype=torch.bool)
    clean[:, 3] = False

    assert not InitialDataCleaning(5).batch_loss(logits, labels, BatchContext(4, clean)).judged
    assert InitialDataCleaning(5).batch_loss(logits, labels, BatchContext(5, clean)).judged
    assert (
        not make_method("qpercentile", warmup_epochs=3)
        .batch_loss(logits, labels, BatchContext(2))
        .judged
    )
