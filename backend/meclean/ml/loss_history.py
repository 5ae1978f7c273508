"""Each sample's training loss over the epochs: the curve memorisation leaves. A correct
label's loss falls early; a wrong one's stays high until the network memorises it, late in
training (Arpit et al., 2017), which is why a curve says more than the last epoch's loss."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F


@dataclass
class LossHistory:
    """Per sample and epoch, the cross-entropy of its given label in the training batches
    that held it, summed over the folds (and the draws within an epoch), and how many there
    were. A method may leave a sample in a batch out of its loss (IDC's warm-up, LTM's
    flags): the network's loss on it is kept all the same."""

    total: np.ndarray
    """(N, epochs)"""
    count: np.ndarray
    """(N, epochs)"""

    @classmethod
    def empty(cls, n: int, epochs: int) -> LossHistory:
        return cls(np.zeros((n, epochs)), np.zeros((n, epochs)))

    def mean(self) -> np.ndarray:
        """(N, epochs) mean loss; NaN in epochs no batch held the sample (the paper
        protocol's IDC warm-up batches the clean set alone)."""
        mean = np.full(self.total.shape, np.nan)
        np.divide(self.total, self.count, out=mean, where=self.count > 0)
        return mean


def summed_history(histories: Sequence[LossHistory | None]) -> LossHistory | None:
    """The histories of disjoint folds or of several seeds together; None if one is missing."""
    present = [h for h in histories if h is not None]
    if not present or len(present) < len(histories):
        return None
    return LossHistory(
        np.sum([h.total for h in present], axis=0), np.sum([h.count for h in present], axis=0)
    )


class EpochLosses:
    """One epoch's per-sample losses, summed on the training device so that no step waits
    for the host; ``record`` moves them into the history once per epoch."""

    def __init__(self, history: LossHistory, device: torch.device) -> None:
        self.history = history
        self.total = torch.zeros(len(history.total), device=device)
        self.count = torch.zeros(len(history.total), device=device)

    def add(self, index: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> None:
        """``index`` and ``labels`` (G, B), ``logits`` (G, B, classes) of one step."""
        losses = F.cross_entropy(
            logits.detach().reshape(-1, logits.shape[-1]).float(),
            labels.reshape(-1),
            reduction="none",
        )
        flat = index.reshape(-1)
        self.total.index_add_(0, flat, losses)
        self.count.index_add_(0, flat, torch.ones_like(losses))

    def record(self, epoch: int) -> None:
        self.history.total[:, epoch] += self.total.cpu().numpy()
        self.history.count[:, epoch] += self.count.cpu().numpy()
        self.total.zero_()
        self.count.zero_()
