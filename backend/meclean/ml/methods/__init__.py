"""Noisy-label methods behind one interface (``base.NoisyLabelMethod``), made by name."""

from __future__ import annotations

from meclean.ml.methods.base import (
    DEFAULT_ALPHA,
    BatchContext,
    BatchLoss,
    NoisyLabelMethod,
    fold_mean,
    moment_threshold,
    per_sample_ce,
)
from meclean.ml.methods.paper import (
    GCE,
    InitialDataCleaning,
    IterativeLabelCorrection,
    LossThresholdingWithMoments,
    QPercentile,
)
from meclean.ml.methods.peers import ManifoldMixup, MetaWeightNet, TRevision, anchor_transition
from meclean.ml.methods.registry import (
    METHOD_NAMES,
    METHODS,
    PAPER_EPOCHS,
    MethodSpec,
    make_method,
)

__all__ = [
    "DEFAULT_ALPHA",
    "GCE",
    "METHODS",
    "METHOD_NAMES",
    "PAPER_EPOCHS",
    "BatchContext",
    "BatchLoss",
    "InitialDataCleaning",
    "IterativeLabelCorrection",
    "LossThresholdingWithMoments",
    "ManifoldMixup",
    "MetaWeightNet",
    "MethodSpec",
    "NoisyLabelMethod",
    "QPercentile",
    "TRevision",
    "anchor_transition",
    "fold_mean",
    "make_method",
    "moment_threshold",
    "per_sample_ce",
]
