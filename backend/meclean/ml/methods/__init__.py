"""Noisy-label methods behind one interface (``base.NoisyLabelMethod``), made by name."""

from __future__ import annotations

from meclean.ml.methods.base import (
    Baseline,
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


PAPER_EPOCHS = 200
"""The published protocol's length, which the methods' default warm-ups are a share of."""


WARMED_UP = ("qpercentile", "trevision")
"""Methods with a warm-up besides IDC (whose warm-up trains on the clean set)."""


def make_method(
    name: str,
    *,
    alpha: float = 2.5,
    q: float | None = None,
    warmup_epochs: int | None = None,
    epochs: int = PAPER_EPOCHS,
) -> NoisyLabelMethod:
    """A method by its CLI/API name, with the paper's defaults for what is not given.

    Default warm-ups keep the paper's share of the run (IDC: 50 of 200 epochs), so a short
    run is not all warm-up; a warm-up that leaves no epoch after it is refused.
    """
    if warmup_epochs is not None and warmup_epochs >= epochs:
        raise ValueError(
            f"a warm-up of {warmup_epochs} epochs leaves none of the run's {epochs} after it"
        )
    if warmup_epochs is not None and name not in WARMED_UP and not name.startswith("idc"):
        # Ignoring it would record a parameter the run never used.
        raise ValueError(f"{name} has no warm-up; leave the warm-up empty")

    def warmup(default_of_200: int) -> int:
        if warmup_epochs is not None:
            return warmup_epochs
        return max(1, round(default_of_200 * epochs / PAPER_EPOCHS))

    if name == "baseline":
        return NoisyLabelMethod()
    if name == "qpercentile":
        return QPercentile(q if q is not None else 10.0, warmup(10))
    if name == "gce":
        return GCE(q if q is not None else 0.7)
    if name == "mixup":
        return ManifoldMixup()
    if name == "mwn":
        return MetaWeightNet()
    if name == "trevision":
        return TRevision(warmup(20))
    if name == "ltm":
        return LossThresholdingWithMoments(alpha)
    if name == "ilc":
        return IterativeLabelCorrection(alpha)
    if name.startswith("idc"):
        rest = name.removeprefix("idc").removeprefix("+") or "baseline"
        then = make_method(rest, alpha=alpha, epochs=epochs) if rest != "baseline" else None
        return InitialDataCleaning(warmup(50), then)
    raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHOD_NAMES)}")


__all__ = [
    "GCE",
    "METHOD_NAMES",
    "Baseline",
    "BatchContext",
    "BatchLoss",
    "InitialDataCleaning",
    "IterativeLabelCorrection",
    "LossThresholdingWithMoments",
    "ManifoldMixup",
    "MetaWeightNet",
    "NoisyLabelMethod",
    "QPercentile",
    "TRevision",
    "anchor_transition",
    "fold_mean",
    "make_method",
    "moment_threshold",
    "per_sample_ce",
]
