"""The literature peers of the paper's Table 2: Manifold Mixup, T-revision, Meta-Weight-Net."""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn
from torch.func import functional_call
from torch.nn import functional as F

from meclean.ml.methods.base import (
    BatchContext,
    BatchLoss,
    NoisyLabelMethod,
    fold_mean,
    per_sample_ce,
)
from meclean.ml.model import SSSNet


class ManifoldMixup(NoisyLabelMethod):
    """Manifold Mixup (Verma et al., 2019): train on mixtures of two samples' representations,
    taken at a random layer (input, either conv block, or the last hidden layer), against the
    same mixture of their labels."""

    name = "mixup"
    own_logits = False

    def __init__(self, beta: float = 2.0) -> None:
        self.beta = beta

    def train_step(
        self, model: SSSNet, inputs: torch.Tensor, labels: torch.Tensor, context: BatchContext
    ) -> tuple[BatchLoss, torch.Tensor]:
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

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "beta": self.beta}


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

    def start_group(self, copies: int, classes: int, device: torch.device) -> list[nn.Parameter]:
        self._seen: list[torch.Tensor] = []
        self._transition: torch.Tensor | None = None
        self._slack = nn.Parameter(torch.zeros(copies, classes, classes, device=device))
        return [self._slack]

    def batch_loss(
        self, logits: torch.Tensor, labels: torch.Tensor, context: BatchContext
    ) -> BatchLoss:
        if context.epoch < self.warmup_epochs:
            if context.epoch == self.warmup_epochs - 1:
                self._seen.append(logits.detach().softmax(-1))
            return replace(super().batch_loss(logits, labels, context), judged=False)
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

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "warmup_epochs": self.warmup_epochs}


class MetaWeightNet(NoisyLabelMethod):
    """Meta-Weight-Net (Shu et al., 2019): a small per-fold network maps each sample's loss
    to its weight, learnt so that a virtual SGD step on the weighted loss lowers the loss of
    the samples the experts marked clean (the meta set, taken from the same batch)."""

    name = "mwn"
    needs_marks = True

    def __init__(self, hidden: int = 100, lr: float = 0.01, meta_lr: float = 1e-3) -> None:
        self.hidden_units, self.lr, self.meta_lr = hidden, lr, meta_lr

    def start_group(self, copies: int, classes: int, device: torch.device) -> list[nn.Parameter]:
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

    def train_step(
        self, model: SSSNet, inputs: torch.Tensor, labels: torch.Tensor, context: BatchContext
    ) -> tuple[BatchLoss, torch.Tensor]:
        if context.clean is None:
            raise ValueError("Meta-Weight-Net needs the experts' clean marks as its meta set")
        params: dict[str, torch.Tensor] = dict(model.named_parameters())
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

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "hidden": self.hidden_units, "meta_lr": self.meta_lr}
