"""Noisy-label methods behind one interface: given a batch's logits and labels, the loss.

Every method sees the logits of G folds at once, (G, B, C), and computes its statistics
per fold (per row), so that batching folds never mixes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from meclean.ml.model import SSSNet


@dataclass(frozen=True)
class BatchContext:
    epoch: int
    """0-based epoch."""
    clean: torch.Tensor | None = None
    """(G, B) bool: the experts' clean marks of the batch's samples, for IDC."""
    double_softmax: bool = False
    """Reproduce the published code: cross-entropy applied to softmax outputs."""


@dataclass(frozen=True)
class BatchLoss:
    loss: torch.Tensor
    """Scalar: the sum over folds of each fold's mean loss, so each fold's gradient is its own."""
    flagged: torch.Tensor
    """(G, B) bool: samples the method judged noisy in this batch."""
    targets: torch.Tensor
    """(G, B) labels the update used (ILC replaces flagged labels by predictions)."""


def per_sample_ce(logits: torch.Tensor, labels: torch.Tensor, double_softmax: bool) -> torch.Tensor:
    """Cross-entropy of every sample, (G, B)."""
    scores = logits.softmax(-1) if double_softmax else logits
    return F.cross_entropy(scores.transpose(1, 2), labels, reduction="none")


def fold_mean(values: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Sum over folds of the weighted mean over each fold's batch."""
    weights = weights.to(values.dtype)
    return ((values * weights).sum(1) / weights.sum(1).clamp_min(1)).sum()


def moment_threshold(losses: torch.Tensor, alpha: float) -> torch.Tensor:
    """mean + alpha * std of each fold's batch losses, (G, 1)."""
    return losses.mean(1, keepdim=True) + alpha * losses.std(1, keepdim=True)


class NoisyLabelMethod:
    """Plain cross-entropy; subclasses change which samples count and with which labels.

    Most methods only change ``batch_loss``; a method that changes the forward pass itself
    (Manifold Mixup) overrides ``train_step``.
    """

    name = "baseline"
    alpha: float = 2.5
    """Where the run's final high-loss flag is drawn: mean + alpha * std of the losses."""
    needs_marks = False
    """Whether the method needs the experts' clean/noisy marks (``BatchContext.clean``)."""

    def start_group(self, copies: int, classes: int, device: torch.device) -> list[nn.Parameter]:
        """Called before a group of folds trains; returns the method's own trainable
        parameters (T-revision's slack), which the optimiser updates with the network's."""
        del copies, classes, device
        return []

    def train_step(
        self, model: SSSNet, inputs: torch.Tensor, labels: torch.Tensor, context: BatchContext
    ) -> tuple[BatchLoss, torch.Tensor]:
        """One training forward pass: the loss, and the logits the flags are voted with."""
        logits = model(inputs)
        return self.batch_loss(logits, labels, context), logits

    def batch_loss(
        self, logits: torch.Tensor, labels: torch.Tensor, context: BatchContext
    ) -> BatchLoss:
        losses = per_sample_ce(logits, labels, context.double_softmax)
        keep = torch.ones_like(labels, dtype=torch.bool)
        return BatchLoss(fold_mean(losses, keep), torch.zeros_like(keep), labels)

    def describe(self) -> dict[str, object]:
        return {"method": self.name}


Baseline = NoisyLabelMethod


class QPercentile(NoisyLabelMethod):
    """Small-loss trick: after a warm-up, drop the q% highest-loss samples of each batch."""

    name = "qpercentile"

    def __init__(self, q: float = 10.0, warmup_epochs: int = 10) -> None:
        if not 0 <= q < 100:
            raise ValueError(f"q must be in [0, 100), got {q}")
        self.q, self.warmup_epochs = q, warmup_epochs

    def batch_loss(self, logits, labels, context):
        losses = per_sample_ce(logits, labels, context.double_softmax)
        if context.epoch < self.warmup_epochs or self.q == 0:
            return BatchLoss(fold_mean(losses, torch.ones_like(losses)), losses < 0, labels)
        cut = torch.quantile(losses.detach(), 1 - self.q / 100, dim=1, keepdim=True)
        flagged = losses.detach() > cut
        return BatchLoss(fold_mean(losses, ~flagged), flagged, labels)

    def describe(self):
        return {"method": self.name, "q": self.q, "warmup_epochs": self.warmup_epochs}


class GCE(NoisyLabelMethod):
    """Generalized cross-entropy, L = (1 - p_y^q) / q (Zhang & Sabuncu, 2018)."""

    name = "gce"

    def __init__(self, q: float = 0.7) -> None:
        if not 0 < q <= 1:
            raise ValueError(f"q must be in (0, 1], got {q}")
        self.q = q

    def batch_loss(self, logits, labels, context):
        scores = logits.softmax(-1) if context.double_softmax else logits
        p_true = scores.softmax(-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
        losses = (1 - p_true.clamp_min(1e-7) ** self.q) / self.q
        keep = torch.ones_like(labels, dtype=torch.bool)
        return BatchLoss(fold_mean(losses, keep), ~keep, labels)

    def describe(self):
        return {"method": self.name, "q": self.q}


class LossThresholdingWithMoments(NoisyLabelMethod):
    """LTM: leave out samples whose loss exceeds mean + alpha * std of their batch."""

    name = "ltm"

    def __init__(self, alpha: float = 2.5) -> None:
        self.alpha = alpha

    def detect(self, losses: torch.Tensor) -> torch.Tensor:
        return losses.detach() > moment_threshold(losses.detach(), self.alpha)

    def batch_loss(self, logits, labels, context):
        losses = per_sample_ce(logits, labels, context.double_softmax)
        flagged = self.detect(losses)
        return BatchLoss(fold_mean(losses, ~flagged), flagged, labels)

    def describe(self):
        return {"method": self.name, "alpha": self.alpha}


class IterativeLabelCorrection(LossThresholdingWithMoments):
    """ILC: detect as LTM, then train the flagged samples on the network's own prediction."""

    name = "ilc"

    def batch_loss(self, logits, labels, context):
        losses = per_sample_ce(logits, labels, context.double_softmax)
        flagged = self.detect(losses)
        targets = torch.where(flagged, logits.detach().argmax(-1), labels)
        corrected = per_sample_ce(logits, targets, context.double_softmax)
        return BatchLoss(fold_mean(corrected, torch.ones_like(flagged)), flagged, targets)


class InitialDataCleaning(NoisyLabelMethod):
    """IDC: during a warm-up only expert-marked clean samples train; then ``then`` takes over.

    The marks come from the caller (the experts), never from a dataset's ground truth.
    """

    name = "idc"
    needs_marks = True

    def __init__(self, warmup_epochs: int = 50, then: NoisyLabelMethod | None = None) -> None:
        self.warmup_epochs = warmup_epochs
        self.then = then or NoisyLabelMethod()
        self.alpha = self.then.alpha
        if self.then.name != "baseline":
            self.name = f"idc+{self.then.name}"

    def batch_loss(self, logits, labels, context):
        if context.epoch >= self.warmup_epochs:
            return self.then.batch_loss(logits, labels, context)
        if context.clean is None:
            raise ValueError("IDC needs the experts' clean marks")
        losses = per_sample_ce(logits, labels, context.double_softmax)
        return BatchLoss(fold_mean(losses, context.clean), ~context.clean, labels)

    def describe(self):
        return {**self.then.describe(), "method": self.name, "warmup_epochs": self.warmup_epochs}


class ManifoldMixup(NoisyLabelMethod):
    """Manifold Mixup (Verma et al., 2019): train on mixtures of two samples' representations,
    taken at a random layer (input, either conv block, or the last hidden layer), against the
    same mixture of their labels."""

    name = "mixup"

    def __init__(self, beta: float = 2.0) -> None:
        self.beta = beta

    def train_step(self, model, inputs, labels, context):
        lam = float(torch.distributions.Beta(self.beta, self.beta).sample())
        perm = torch.randperm(labels.shape[1], device=labels.device)
        layer = int(torch.randint(4, ()))
        h = model.stem(inputs)
        for depth, block in enumerate((model.block1, model.block2)):
            if layer == depth:
                h = lam * h + (1 - lam) * h[perm]
            h = block(h)
        if layer == 2:
            h = lam * h + (1 - lam) * h[perm]
        hidden = model.hidden(h)
        if layer == 3:
            hidden = lam * hidden + (1 - lam) * hidden[:, perm]
        logits = model.classify(hidden)
        losses = lam * per_sample_ce(logits, labels, context.double_softmax) + (
            1 - lam
        ) * per_sample_ce(logits, labels[:, perm], context.double_softmax)
        keep = torch.ones_like(labels, dtype=torch.bool)
        return BatchLoss(fold_mean(losses, keep), ~keep, labels), logits

    def describe(self):
        return {"method": self.name, "beta": self.beta}


def anchor_transition(probabilities: torch.Tensor, quantile: float = 0.97) -> torch.Tensor:
    """Transition matrices (G, C, C) from anchor points: row i is the predicted distribution
    of the sample whose p(i|x) sits at the ``quantile`` of the fold's samples (Xia et al.)."""
    g, _, c = probabilities.shape
    transition = torch.empty(g, c, c, device=probabilities.device)
    for i in range(c):
        column = probabilities[..., i]
        target = torch.quantile(column, quantile, dim=1, keepdim=True)
        anchor = (column - target).abs().argmin(1)
        transition[:, i] = probabilities[torch.arange(g, device=probabilities.device), anchor]
    return transition


class TRevision(NoisyLabelMethod):
    """T-revision (Xia et al., 2019): after a warm-up, estimate each fold's label-transition
    matrix T from anchor points, then train with importance reweighting through T + dT, the
    slack dT learnt alongside the network."""

    name = "trevision"

    def __init__(self, warmup_epochs: int = 20, quantile: float = 0.97) -> None:
        self.warmup_epochs, self.quantile = warmup_epochs, quantile

    def start_group(self, copies, classes, device):
        self._seen: list[torch.Tensor] = []
        self._transition: torch.Tensor | None = None
        self._slack = nn.Parameter(torch.zeros(copies, classes, classes, device=device))
        return [self._slack]

    def batch_loss(self, logits, labels, context):
        if context.epoch < self.warmup_epochs:
            if context.epoch == self.warmup_epochs - 1:
                self._seen.append(logits.detach().softmax(-1))
            return super().batch_loss(logits, labels, context)
        if self._transition is None:
            if not self._seen:
                raise ValueError("T-revision needs at least one warm-up epoch")
            self._transition = anchor_transition(torch.cat(self._seen, 1), self.quantile)
        scores = logits.softmax(-1) if context.double_softmax else logits
        clean = scores.softmax(-1)
        noisy = torch.bmm(clean, self._transition + self._slack).clamp_min(1e-6)
        noisy_y = noisy.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
        clean_y = clean.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
        weight = (clean_y / noisy_y).detach()
        keep = torch.ones_like(labels, dtype=torch.bool)
        return BatchLoss(fold_mean(-weight * noisy_y.log(), keep), ~keep, labels)

    def describe(self):
        return {"method": self.name, "warmup_epochs": self.warmup_epochs}


class MetaWeightNet(NoisyLabelMethod):
    """Meta-Weight-Net (Shu et al., 2019): a small per-fold network maps each sample's loss
    to its weight, learnt so that a virtual SGD step on the weighted loss lowers the loss of
    the samples the experts marked clean (the meta set, taken from the same batch)."""

    name = "mwn"
    needs_marks = True

    def __init__(self, hidden: int = 100, lr: float = 0.01, meta_lr: float = 1e-3) -> None:
        self.hidden_units, self.lr, self.meta_lr = hidden, lr, meta_lr

    def start_group(self, copies, classes, device):
        def layer(fan_in: int, fan_out: int) -> tuple[nn.Parameter, nn.Parameter]:
            bound = 1 / fan_in**0.5
            weight = torch.empty(copies, fan_in, fan_out, device=device).uniform_(-bound, bound)
            bias = torch.empty(copies, 1, fan_out, device=device).uniform_(-bound, bound)
            return nn.Parameter(weight), nn.Parameter(bias)

        self._layers = (*layer(1, self.hidden_units), *layer(self.hidden_units, 1))
        # The weighting network learns from the meta loss only, with its own optimiser.
        self._optimiser = torch.optim.Adam(self._layers, lr=self.meta_lr, weight_decay=1e-4)
        return []

    def sample_weights(self, losses: torch.Tensor) -> torch.Tensor:
        """(G, B) weights in (0, 1) for (G, B) losses."""
        w1, b1, w2, b2 = self._layers
        hidden = F.relu(torch.baddbmm(b1, losses.unsqueeze(-1), w1))
        return torch.sigmoid(torch.baddbmm(b2, hidden, w2)).squeeze(-1)

    def train_step(self, model, inputs, labels, context):
        if context.clean is None:
            raise ValueError("Meta-Weight-Net needs the experts' clean marks as its meta set")
        from torch.func import functional_call

        params = dict(model.named_parameters())
        # Virtual passes must not move the real batch-norm running statistics.
        buffers = {k: v.clone() for k, v in model.named_buffers()}
        losses = per_sample_ce(
            functional_call(model, (params, buffers), (inputs,)), labels, context.double_softmax
        )
        weighted = (losses * self.sample_weights(losses.detach())).mean(1).sum()
        grads = torch.autograd.grad(weighted, list(params.values()), create_graph=True)
        virtual = {k: p - self.lr * g for (k, p), g in zip(params.items(), grads, strict=True)}
        meta_logits = functional_call(model, (virtual, buffers), (inputs,))
        meta_loss = fold_mean(
            per_sample_ce(meta_logits, labels, context.double_softmax), context.clean
        )
        self._optimiser.zero_grad(set_to_none=True)
        meta_loss.backward(inputs=list(self._layers))
        self._optimiser.step()

        logits = model(inputs)
        losses = per_sample_ce(logits, labels, context.double_softmax)
        with torch.no_grad():
            weights = self.sample_weights(losses.detach())
        keep = torch.ones_like(labels, dtype=torch.bool)
        return BatchLoss(fold_mean(losses * weights, keep), weights < 0.5, labels), logits

    def describe(self):
        return {"method": self.name, "hidden": self.hidden_units, "meta_lr": self.meta_lr}


METHOD_NAMES = (
    "baseline",
    "qpercentile",
    "gce",
    "ltm",
    "ilc",
    "idc",
    "idc+ltm",
    "idc+ilc",
    "mixup",
    "trevision",
    "mwn",
)


def make_method(
    name: str,
    *,
    alpha: float = 2.5,
    q: float | None = None,
    warmup_epochs: int | None = None,
) -> NoisyLabelMethod:
    """A method by its CLI/API name, with the paper's defaults for what is not given."""
    if name == "baseline":
        return NoisyLabelMethod()
    if name == "qpercentile":
        return QPercentile(
            q if q is not None else 10.0, warmup_epochs if warmup_epochs is not None else 10
        )
    if name == "gce":
        return GCE(q if q is not None else 0.7)
    if name == "mixup":
        return ManifoldMixup()
    if name == "mwn":
        return MetaWeightNet()
    if name == "trevision":
        return TRevision(warmup_epochs if warmup_epochs is not None else 20)
    if name == "ltm":
        return LossThresholdingWithMoments(alpha)
    if name == "ilc":
        return IterativeLabelCorrection(alpha)
    if name.startswith("idc"):
        rest = name.removeprefix("idc").removeprefix("+") or "baseline"
        then = make_method(rest, alpha=alpha) if rest != "baseline" else None
        return InitialDataCleaning(warmup_epochs if warmup_epochs is not None else 50, then)
    raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHOD_NAMES)}")
