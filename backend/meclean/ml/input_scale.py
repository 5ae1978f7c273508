"""Each fold's inputs divided by the standard deviation of each channel over its training
samples (``TrainConfig.scale_inputs``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

CHUNK = 256
"""Samples converted to float64 at a time: the moments of a 10,000-sample set stay small."""


def channel_moments(features: torch.Tensor) -> torch.Tensor:
    """Each sample's per-channel sum and sum of squares, (N, 2, C) in float64: a training
    set's scale is then a sum over its samples rather than a pass over all its pixels,
    which took ~5% of a short run's time for every fold."""
    parts = []
    for start in range(0, len(features), CHUNK):
        x = features[start : start + CHUNK].double()
        parts.append(torch.stack([x.sum((2, 3)), x.square().sum((2, 3))], 1))
    return torch.cat(parts)


def fold_scales(
    moments: torch.Tensor, train_sets: Sequence[np.ndarray], pixels: int
) -> torch.Tensor:
    """(G, 1, C, 1, 1) float32: each channel's standard deviation over each training set's
    pixels, with Bessel's correction as ``torch.std``, at least 1e-6."""
    scales = []
    for train in train_sets:
        total, squares = moments[torch.as_tensor(train, device=moments.device)].sum(0)
        n = len(train) * pixels
        scales.append(((squares - total * total / n) / (n - 1)).clamp_min(0).sqrt())
    return torch.stack(scales).float().clamp_min(1e-6).reshape(len(train_sets), 1, -1, 1, 1)
