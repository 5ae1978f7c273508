"""Agreement between experts' verdicts: Cohen's kappa per pair, Fleiss' kappa overall,
and a consensus that weighs each expert by their estimated quality.

Pure computations on verdicts; which verdicts count (each expert's latest, not retracted)
is decided by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from meclean.data.marks import DECIDED, JUDGEMENTS, Verdict

CATEGORIES: tuple[str, ...] = tuple(JUDGEMENTS)
NOISINESS: dict[str, float] = {Verdict.CLEAN: 0.0, Verdict.NOISY: 1.0}
"""A decided verdict as cleanlab's class: 1 when the expert calls the label noisy."""
"""The verdicts agreement is measured on, in the order of confusion rows and columns."""


@dataclass(frozen=True)
class PairAgreement:
    """How two experts' verdicts on the samples both marked compare."""

    shared: int
    """Samples both experts marked."""
    confusion: list[list[int]]
    """Counts by (first expert's verdict, second's), in ``CATEGORIES`` order."""
    percent: float | None
    """Share of shared samples with the same verdict, in percent; None with none shared."""
    kappa: float | None
    """Cohen's kappa; None when undefined, see ``kappa_reason``."""
    kappa_reason: str | None


@dataclass(frozen=True)
class FleissKappa:
    kappa: float | None
    """None when undefined, see ``reason``."""
    samples: int
    """Samples it is computed on: those with verdicts of at least two experts."""
    reason: str | None


def _checked(verdicts: Sequence[str]) -> None:
    unknown = set(verdicts) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"verdicts must be among {', '.join(CATEGORIES)}, got {sorted(unknown)}")


def pair_agreement(first: Sequence[str], second: Sequence[str]) -> PairAgreement:
    """Agreement of two experts from their verdicts on the same samples, in the same order."""
    if len(first) != len(second):
        raise ValueError(f"{len(first)} verdicts against {len(second)}: one per shared sample")
    _checked(first)
    _checked(second)
    index = {c: k for k, c in enumerate(CATEGORIES)}
    confusion = [[0] * len(CATEGORIES) for _ in CATEGORIES]
    for a, b in zip(first, second, strict=True):
        confusion[index[a]][index[b]] += 1
    shared = len(first)
    same = sum(confusion[k][k] for k in range(len(CATEGORIES)))
    percent = 100 * same / shared if shared else None
    kappa, reason = None, None
    if shared < 2:
        reason = "fewer than two samples marked by both"
    elif len(set(first) | set(second)) < 2:
        # Chance agreement is then 1: kappa is 0 / 0.
        reason = f"both gave every shared sample the same verdict ({first[0]})"
    else:
        kappa = float(cohen_kappa_score(first, second, labels=list(CATEGORIES)))
    return PairAgreement(shared, confusion, percent, kappa, reason)


def category_counts(verdicts_per_sample: Sequence[Sequence[str]]) -> list[list[int]]:
    """For each sample, how many experts gave each verdict (``CATEGORIES`` order)."""
    counts = []
    for verdicts in verdicts_per_sample:
        _checked(verdicts)
        counts.append([sum(v == c for v in verdicts) for c in CATEGORIES])
    return counts


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> FleissKappa:
    """Fleiss' kappa from per-sample counts of raters per category, the number of raters
    free to vary between samples; samples with fewer than two raters are left out (they
    say nothing about agreement)."""
    rated = [row for row in counts if sum(row) >= 2]
    if any(n < 0 for row in rated for n in row):
        raise ValueError("rater counts cannot be negative")
    if not rated:
        return FleissKappa(None, 0, "no sample was marked by two experts")
    agreement = []
    for row in rated:
        n = sum(row)
        agreement.append((sum(k * k for k in row) - n) / (n * (n - 1)))
    observed = sum(agreement) / len(agreement)
    ratings = sum(sum(row) for row in rated)
    shares = [sum(row[j] for row in rated) / ratings for j in range(len(rated[0]))]
    chance = sum(p * p for p in shares)
    if chance == 1:
        return FleissKappa(None, len(rated), "every verdict was the same")
    return FleissKappa((observed - chance) / (1 - chance), len(rated), None)


@dataclass(frozen=True)
class WeightedConsensus:
    """cleanlab's multi-annotator consensus on clean / noisy verdicts."""

    verdicts: dict[int, str]
    """Sample -> 'clean' or 'noisy', each expert weighed by their estimated quality."""
    annotator_quality: dict[int, float]
    """Expert -> cleanlab's quality score in [0, 1]."""
    agreement_with_consensus: dict[int, float]
    """Expert -> share of their verdicts that the consensus shares."""
    reason: str | None = None
    """Why there is no consensus, when ``verdicts`` is empty."""


def weighted_consensus(
    verdicts: Mapping[int, Mapping[int, str]], p_noisy: Mapping[int, float]
) -> WeightedConsensus:
    """The experts' clean / noisy verdicts combined by cleanlab's multi-annotator method
    (CROWDLAB), which weighs each expert by agreement with the others and with a model:
    ``p_noisy`` is the model's belief that a sample's label is wrong (1 - the out-of-fold
    probability of its label). 'unsure' verdicts and samples the model did not score are
    left out."""
    from cleanlab.multiannotator import get_label_quality_multiannotator

    decided = {
        expert: {s: v for s, v in theirs.items() if v in DECIDED and s in p_noisy}
        for expert, theirs in verdicts.items()
    }
    experts = sorted(e for e, theirs in decided.items() if theirs)
    samples = sorted({s for e in experts for s in decided[e]})
    if len(experts) < 2:
        # cleanlab estimates each expert's quality from the others: one expert has none.
        return WeightedConsensus(
            {},
            {},
            {},
            "cleanlab weighs the experts against each other: it needs clean or noisy "
            f"verdicts from two experts or more, on samples the run scored ({len(experts)} so far)",
        )
    table = pd.DataFrame(
        {str(e): [NOISINESS.get(decided[e].get(s, ""), np.nan) for s in samples] for e in experts}
    )
    noisy = np.array([p_noisy[s] for s in samples]).clip(1e-4, 1 - 1e-4)
    result = get_label_quality_multiannotator(
        table, np.stack([1 - noisy, noisy], axis=1), verbose=False
    )
    consensus = result["label_quality"]["consensus_label"].to_numpy()
    stats = result["annotator_stats"]
    return WeightedConsensus(
        verdicts={
            s: (Verdict.NOISY if c == 1 else Verdict.CLEAN)
            for s, c in zip(samples, consensus, strict=True)
        },
        annotator_quality={e: float(stats.loc[str(e), "annotator_quality"]) for e in experts},
        agreement_with_consensus={
            e: float(stats.loc[str(e), "agreement_with_consensus"]) for e in experts
        },
    )
