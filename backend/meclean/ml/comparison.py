"""Is one run's UF1 really different from another's? A paired test over seeds and a
bootstrap over subjects of the composite UF1 difference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from meclean.ml.metrics import uf1

SIGNIFICANCE = 0.05
"""A difference is called real when its 95% interval excludes zero and, with paired seeds,
the seeds' test agrees at this level."""


@dataclass(frozen=True)
class SeedPredictions:
    """One run's out-of-fold predictions: (seeds, N) class indices, in a shared sample order."""

    seeds: Sequence[int]
    predictions: np.ndarray
    labels: np.ndarray
    """(N,) the labels the run was scored against (its label version)."""


@dataclass(frozen=True)
class UF1Difference:
    """Composite UF1 of run A minus run B, and how sure that difference is."""

    difference: float
    """Mean UF1 over A's seeds minus mean UF1 over B's seeds."""
    ci_low: float
    ci_high: float
    """95% percentile interval of the difference when subjects are resampled."""
    subjects: int
    paired_seeds: int
    """Seeds both runs trained with; the paired test needs two."""
    p_value: float | None
    """Paired t-test over the shared seeds' UF1; None with fewer than two."""

    @property
    def real(self) -> bool:
        """The interval excludes zero, and the seeds (when paired) do not say otherwise."""
        excludes_zero = self.ci_low > 0 or self.ci_high < 0
        seeds_agree = self.p_value is None or self.p_value < SIGNIFICANCE
        return excludes_zero and seeds_agree

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"real": self.real}


def uf1_difference(
    a: SeedPredictions,
    b: SeedPredictions,
    subjects: Sequence[str],
    *,
    classes: int = 3,
    resamples: int = 2000,
    seed: int = 0,
) -> UF1Difference:
    """Compare two runs on the same samples, scored the MEGC way (UF1 of all predictions)."""
    subject_names, subject_of = np.unique(np.asarray(subjects), return_inverse=True)
    n_subjects = len(subject_names)
    if n_subjects < 2:
        raise ValueError("a bootstrap over subjects needs at least two subjects")
    cells_a = _cells(a, classes)
    cells_b = _cells(b, classes)

    def statistic(drawn: np.ndarray, axis: int = -1) -> np.ndarray:
        drawn = np.moveaxis(drawn, axis, -1).astype(int)
        per_subject = (drawn[..., None] == np.arange(n_subjects)).sum(-2)
        weights = per_subject[..., subject_of].astype(float)
        mean_a = _seed_uf1(cells_a, weights, classes).mean(-1)
        return mean_a - _seed_uf1(cells_b, weights, classes).mean(-1)

    difference = float(statistic(np.arange(n_subjects)))
    interval = stats.bootstrap(
        (np.arange(n_subjects),),
        statistic,
        n_resamples=resamples,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(seed),
    ).confidence_interval
    shared = [s for s in a.seeds if s in set(b.seeds)]
    p_value = None
    if len(shared) >= 2:
        everyone = np.ones(len(subject_of))
        per_seed_a = _seed_uf1(cells_a, everyone, classes)
        per_seed_b = _seed_uf1(cells_b, everyone, classes)
        pick_a = [list(a.seeds).index(s) for s in shared]
        pick_b = [list(b.seeds).index(s) for s in shared]
        p_value = _paired_p_value(per_seed_a[pick_a] - per_seed_b[pick_b])
    return UF1Difference(
        difference=difference,
        ci_low=float(interval.low),
        ci_high=float(interval.high),
        subjects=n_subjects,
        paired_seeds=len(shared),
        p_value=p_value,
    )


def _paired_p_value(gaps: np.ndarray) -> float:
    """Paired t-test of the per-seed UF1 gaps against no difference."""
    if np.ptp(gaps) == 0:
        # The t statistic is undefined when every seed gives the same gap; no seed disagrees.
        return 1.0 if gaps[0] == 0 else 0.0
    return float(stats.ttest_1samp(gaps, 0.0).pvalue)


def _cells(run: SeedPredictions, classes: int) -> np.ndarray:
    """(seeds, N, classes**2) one-hot confusion cell of each sample's (label, prediction)."""
    predictions = np.atleast_2d(run.predictions)
    codes = np.asarray(run.labels)[None, :] * classes + predictions
    return np.eye(classes * classes)[codes]


def _seed_uf1(cells: np.ndarray, weights: np.ndarray, classes: int) -> np.ndarray:
    """(..., N) sample weights -> (..., seeds) UF1 of each seed's weighted confusion matrix."""
    counts = np.einsum("...n,snk->...sk", weights, cells)
    return _batched_uf1(counts.reshape(*counts.shape[:-1], classes, classes))


def _batched_uf1(matrices: np.ndarray) -> np.ndarray:
    """UF1 of each (classes, classes) matrix in a stack, as ``metrics.uf1`` computes it."""
    flat = matrices.reshape(-1, *matrices.shape[-2:])
    return np.array([uf1(m) for m in flat]).reshape(matrices.shape[:-2])
