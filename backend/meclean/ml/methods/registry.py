"""Every noisy-label method by name, with the parameters it takes and their defaults.

The one list of methods: the CLI, the API (which serves it to the browser) and the worker
all build methods here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from meclean.ml.methods.base import DEFAULT_ALPHA, NoisyLabelMethod
from meclean.ml.methods.paper import (
    GCE,
    InitialDataCleaning,
    IterativeLabelCorrection,
    LossThresholdingWithMoments,
    QPercentile,
)
from meclean.ml.methods.peers import ManifoldMixup, MetaWeightNet, TRevision

PAPER_EPOCHS = 200
"""The published protocol's length, which the methods' default warm-ups are a share of."""


@dataclass(frozen=True)
class Resolved:
    """A method's parameters once defaults are filled in and warm-ups scaled to the run."""

    alpha: float
    q: float | None
    warmup_epochs: int | None


@dataclass(frozen=True)
class MethodSpec:
    name: str
    summary: str
    build: Callable[[Resolved], NoisyLabelMethod]
    alpha_trains: bool = False
    """Whether alpha drives the method's training (LTM, ILC), not only the final flags."""
    q_default: float | None = None
    """The default of its q; None for methods without one."""
    warmup_of_200: int | None = None
    """Its default warm-up in the paper's 200 epochs; None for methods without one."""


def _idc(
    then: Callable[[Resolved], NoisyLabelMethod] | None,
) -> Callable[[Resolved], NoisyLabelMethod]:
    def build(p: Resolved) -> InitialDataCleaning:
        assert p.warmup_epochs is not None
        return InitialDataCleaning(p.warmup_epochs, then(p) if then else None)

    return build


def _ltm(p: Resolved) -> NoisyLabelMethod:
    return LossThresholdingWithMoments(p.alpha)


def _ilc(p: Resolved) -> NoisyLabelMethod:
    return IterativeLabelCorrection(p.alpha)


_SPECS = (
    MethodSpec("baseline", "plain cross-entropy", lambda p: NoisyLabelMethod()),
    MethodSpec(
        "qpercentile",
        "after a warm-up, leaves out each batch's q% highest losses",
        lambda p: QPercentile(p.q or 0.0, p.warmup_epochs or 0),
        q_default=10.0,
        warmup_of_200=10,
    ),
    MethodSpec(
        "gce", "generalized cross-entropy (1 - p^q) / q", lambda p: GCE(p.q or 0.0), q_default=0.7
    ),
    MethodSpec(
        "ltm",
        "leaves out losses above mean + alpha * std of the batch",
        _ltm,
        alpha_trains=True,
    ),
    MethodSpec(
        "ilc", "as LTM, then trains flagged samples on the network's prediction", _ilc, True
    ),
    MethodSpec(
        "idc",
        "trains on the experts' clean samples during a warm-up, then on all",
        _idc(None),
        warmup_of_200=50,
    ),
    MethodSpec(
        "idc+ltm",
        "IDC's warm-up, then LTM",
        _idc(_ltm),
        alpha_trains=True,
        warmup_of_200=50,
    ),
    MethodSpec(
        "idc+ilc",
        "IDC's warm-up, then ILC",
        _idc(_ilc),
        alpha_trains=True,
        warmup_of_200=50,
    ),
    MethodSpec("mixup", "manifold mixup of hidden features", lambda p: ManifoldMixup()),
    MethodSpec(
        "trevision",
        "learns a noise transition matrix, revised after a warm-up",
        lambda p: TRevision(p.warmup_epochs or 0),
        warmup_of_200=20,
    ),
    MethodSpec(
        "mwn",
        "a meta-network, tuned on the experts' clean samples, weights each loss",
        lambda p: MetaWeightNet(),
    ),
)

METHODS: dict[str, MethodSpec] = {spec.name: spec for spec in _SPECS}
METHOD_NAMES = tuple(METHODS)


def make_method(
    name: str,
    *,
    alpha: float = DEFAULT_ALPHA,
    q: float | None = None,
    warmup_epochs: int | None = None,
    epochs: int = PAPER_EPOCHS,
) -> NoisyLabelMethod:
    """A method by its CLI/API name, with the paper's defaults for what is not given.

    Default warm-ups keep the paper's share of the run (IDC: 50 of 200 epochs), so a short
    run is not all warm-up; a warm-up that leaves no epoch after it is refused, and so is a
    parameter the method does not take (recording it would claim the run used it).
    """
    spec = METHODS.get(name)
    if spec is None:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHOD_NAMES)}")
    if warmup_epochs is not None and warmup_epochs >= epochs:
        raise ValueError(
            f"a warm-up of {warmup_epochs} epochs leaves none of the run's {epochs} after it"
        )
    if warmup_epochs is not None and spec.warmup_of_200 is None:
        raise ValueError(f"{name} has no warm-up; leave the warm-up empty")
    if q is not None and spec.q_default is None:
        raise ValueError(f"{name} has no q; leave q empty")
    if spec.warmup_of_200 is not None and warmup_epochs is None:
        warmup_epochs = max(1, round(spec.warmup_of_200 * epochs / PAPER_EPOCHS))
    method = spec.build(Resolved(alpha, q if q is not None else spec.q_default, warmup_epochs))
    method.alpha = alpha
    return method
