"""The paper's methods: q-percentile, GCE, LTM, ILC and IDC."""

from __future__ import annotations

import torch

from meclean.ml.methods.base import (
    DEFAULT_ALPHA,
    BatchContext,
    BatchLoss,
    NoisyLabelMethod,
    fold_mean,
    moment_threshold,
    per_sample_ce,
)


class QPercentile(NoisyLabelMethod):
    """Small-loss trick: after a warm-up, drop the q% highest-loss samples of each batch."""

    name = "qpercentile"

    def __init__(self, q: float = 10.0, warmup_epochs: int = 10) -> None:
        if not 0 <= q < 100:
            raise ValueError(f"q must be in [0, 100), got {q}")
        self.q, self.warmup_epochs = q, warmup_epochs

    def batch_loss(
        self, logits: torch.Tensor, labels: torch.Tensor, context: BatchContext
    ) -> BatchLoss:
        losses = per_sample_ce(logits, labels, context.double_softmax)
        if context.epoch < self.warmup_epochs or self.q == 0:
            keep = torch.ones_like(losses, dtype=torch.bool)
            return BatchLoss(fold_mean(losses, keep), ~keep, labels, judged=self.q == 0)
        cut = torch.quantile(losses.detach(), 1 - self.q / 100, dim=1, keepdim=True)
        flagged = losses.detach() > cut
        return BatchLoss(fold_mean(losses, ~flagged), flagged, labels)

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "q": self.q, "warmup_epochs": self.warmup_epochs}


class GCE(NoisyLabelMethod):
    """Generalized cross-entropy, L = (1 - p_y^q) / q (Zhang & Sabuncu, 2018)."""

    name = "gce"

    def __init__(self, q: float = 0.7) -> None:
        if not 0 < q <= 1:
            raise ValueError(f"q must be in (0, 1], got {q}")
        self.q = q

    def batch_loss(
        self, logits: torch.Tensor, labels: torch.Tensor, context: BatchContext
    ) -> BatchLoss:
        scores = logits.softmax(-1) if context.double_softmax else logits
        p_true = scores.softmax(-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
        losses = (1 - p_true.clamp_min(1e-7) ** self.q) / self.q
        keep = torch.ones_like(labels, dtype=torch.bool)
        return BatchLoss(fold_mean(losses, keep), ~keep, labels)

    def describe(self) -> dict[str, object]:
        return {**super().describe(), "q": self.q}


class LossThresholdingWithMoments(NoisyLabelMethod):
    """LTM: leave out samples whose loss exceeds mean + alpha * std of their batch."""

    name = "ltm"

    def __init__(self, alpha: float = DEFAULT_ALPHA) -> None:
        self.alpha = alpha

    def detect(self, losses: torch.Tensor) -> torch.Tensor:
        return losses.detach() > moment_threshold(losses.detach(), self.alpha)

    def batch_loss(
        self, logits: torch.Tensor, labels: torch.Tensor, context: BatchContext
    ) -> BatchLoss:
        losses = per_sample_ce(logits, labels, context.double_softmax)
        flagged = self.detect(losses)
        if context.whole_batch_mean:
            kept = losses * ~flagged
            return BatchLoss(fold_mean(kept, torch.ones_like(flagged)), flagged, labels)
        return BatchLoss(fold_mean(losses, ~flagged), flagged, labels)


class IterativeLabelCorrection(LossThresholdingWithMoments):
    """ILC: detect as LTM, then train the flagged samples on the network's own prediction."""

    name = "ilc"

    def batch_loss(
        self, logits: torch.Tensor, labels: torch.Tensor, context: BatchContext
    ) -> BatchLoss:
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

    def clean_only(self, epoch: int) -> bool:
        return epoch < self.warmup_epochs

    def batch_loss(
        self, logits: torch.Tensor, labels: torch.Tensor, context: BatchContext
    ) -> BatchLoss:
        if context.epoch >= self.warmup_epochs:
            return self.then.batch_loss(logits, labels, context)
        if context.clean is None:
            raise ValueError("IDC needs the experts' clean marks")
        losses = per_sample_ce(logits, labels, context.double_softmax)
        return BatchLoss(fold_mean(losses, context.clean), ~context.clean, labels, judged=False)

    def describe(self) -> dict[str, object]:
        return {**self.then.describe(), **super().describe(), "warmup_epochs": self.warmup_epochs}
