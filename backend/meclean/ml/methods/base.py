"""The interface every noisy-label method implements, and the losses they share.

Every method sees the logits of G folds at once, (G, B, C), and computes its statistics
per fold (per row), so that batching folds never mixes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from meclean.ml.model import SSSNet

DEFAULT_ALPHA = 2.5
"""The paper's threshold: a loss above mean + 2.5 std of its batch is high."""


@dataclass(frozen=True)
class BatchContext:
    epoch: int
    """0-based epoch."""
    clean: torch.Tensor | None = None
    """(G, B) bool: the experts' clean marks of the batch's samples, for IDC."""
    double_softmax: bool = False
    """Reproduce the published code: cross-entropy applied to softmax outputs."""
    whole_batch_mean: bool = False
    """Reproduce the published code: a left-out sample's loss counts as zero in the mean."""


@dataclass(frozen=True)
class BatchLoss:
    loss: torch.Tensor
    """Scalar: the sum over folds of each fold's mean loss, so each fold's gradient is its own."""
    flagged: torch.Tensor
    """(G, B) bool: samples the method judged noisy in this batch."""
    targets: torch.Tensor
    """(G, B) labels the update used (ILC replaces flagged labels by predictions)."""
    judged: bool = True
    """False in a warm-up, where the method judges no sample: such batches do not count
    towards flag rates (else a sample's rate would be diluted, or be the experts' marks)."""


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
    alpha: float = DEFAULT_ALPHA
    """Where the run's final high-loss flag is drawn: mean + alpha * std of the losses."""
    needs_marks = False
    """Whether the method needs the experts' clean/noisy marks (``BatchContext.clean``)."""
    own_logits = True
    """Whether the logits ``train_step`` returns are each sample's own, so that its loss
    can be kept per epoch (Manifold Mixup's are of mixtures of samples)."""

    def clean_only(self, epoch: int) -> bool:
        """Whether this epoch trains on expert-marked clean samples alone (IDC's warm-up)."""
        del epoch
        return False

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
        """The method's name and every parameter it runs with (subclasses add theirs)."""
        return {"method": self.name, "alpha": self.alpha}
