"""A fold's input scale is the standard deviation of each channel over its training samples."""

import numpy as np
import torch

from meclean.ml import input_scale
from meclean.ml.input_scale import channel_moments, fold_scales


def test_fold_scales_equal_the_standard_deviation_over_each_training_set(monkeypatch):
    monkeypatch.setattr(input_scale, "CHUNK", 3)  # moments gathered over several chunks
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(10, 3, 6, 6, generator=generator)
    features[:, 1] = features[:, 1] * 0.01 + 100.0  # a small spread far from zero
    features[:, 2] = 5.0  # no spread at all
    train_sets = [np.arange(2, 10), np.array([0, 3, 4, 7])]

    scales = fold_scales(channel_moments(features), train_sets, pixels=36)

    assert scales.shape == (2, 1, 3, 1, 1) and scales.dtype == torch.float32
    for scale, train in zip(scales, train_sets, strict=True):
        expected = features[train].double().std(dim=(0, 2, 3)).float().clamp_min(1e-6)
        torch.testing.assert_close(scale.flatten(), expected, rtol=1e-6, atol=0)
