"""How suspicious each sample's label looks, to order a review and to explain a flag.

Every signal is read from out-of-fold outcomes (a sample's own label never trained the
model that scored it) or from the experts' marks; each is turned into a percentile rank
so that signals on different scales weigh alike.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
from scipy.stats import rankdata

from meclean.ml.run import PROPOSAL_FLAG_RATE

FEW_IN_CLASS = 20
"""Below this many samples of its class, a model has seen too few to judge a label by."""
FEW_IN_SUBJECT = 5
"""Below this many samples of a subject, a percentile within the subject says little."""


def flagged_by_run(
    high_loss: np.ndarray, label_issue: np.ndarray, flag_rate: np.ndarray
) -> np.ndarray:
    """What a run flags: high loss in the final model, a confident-learning issue, or a flag
    rate in training high enough for a relabel to be proposed (``PROPOSAL_FLAG_RATE``)."""
    return (
        np.asarray(high_loss, bool)
        | np.asarray(label_issue, bool)
        | (np.asarray(flag_rate) >= PROPOSAL_FLAG_RATE)
    )


def out_of_fold_loss(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Cross-entropy of each sample's label under its out-of-fold probabilities."""
    p_label = probabilities[np.arange(len(labels)), labels]
    return -np.log(np.clip(p_label, 1e-7, 1.0))


def label_quality(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """cleanlab's normalized margin, in [0, 1]: low where another class is preferred."""
    from cleanlab.rank import get_label_quality_scores

    return get_label_quality_scores(labels, probabilities, method="normalized_margin")


def percentile_ranks(values: np.ndarray) -> np.ndarray:
    """Each value's rank among all, in (0, 1]; ties share their mean rank."""
    if len(values) == 0:
        return np.zeros(0)
    return rankdata(values, method="average") / len(values)


RUN_SIGNALS = ("loss", "flag_rate", "label_quality")
"""What each run says of a sample, averaged over the chosen runs."""
SIGNALS = ("disagreement", *RUN_SIGNALS, "au_evidence", "timing")
"""Every signal the review queue can rank by."""


def suspicion(
    per_run: Sequence[Mapping[str, np.ndarray]],
    disagreement: np.ndarray,
    au_doubt: np.ndarray | None = None,
    use: Collection[str] = SIGNALS,
    timing_doubts: np.ndarray | None = None,
) -> np.ndarray:
    """The mean percentile rank of the signals in ``use`` (runs averaged per signal);
    higher first.

    ``per_run`` holds each run's ``loss``, ``flag_rate`` and ``label_quality``;
    ``au_doubt`` is 1 - the probability of each label given its AUs, NaN where the AUs
    cannot judge it (ranked in the middle); ``timing_doubts`` counts what is doubtful in
    each sample's annotated timing (a wrong apex makes a wrong flow, whatever the label).
    A signal that is equal for every sample (no expert disagrees yet) ranks all alike and
    so leaves the order to the others.
    """
    ranks = []
    if "disagreement" in use:
        ranks.append(percentile_ranks(disagreement.astype(float)))
    for signal in RUN_SIGNALS:
        if signal in use and per_run:
            sign = -1.0 if signal == "label_quality" else 1.0
            ranks.append(np.mean([percentile_ranks(sign * run[signal]) for run in per_run], axis=0))
    if "au_evidence" in use and au_doubt is not None:
        ranks.append(_ranks_with_unknown(au_doubt))
    if "timing" in use and timing_doubts is not None:
        ranks.append(percentile_ranks(timing_doubts.astype(float)))
    if not ranks:
        return np.zeros(len(disagreement))
    return np.mean(ranks, axis=0)


def _ranks_with_unknown(values: np.ndarray) -> np.ndarray:
    """Mid-percentile ranks of the known values, in (0, 1) around 0.5; unknown ones 0.5."""
    known = ~np.isnan(values)
    ranks = np.full(len(values), 0.5)
    if known.any():
        ranks[known] = (rankdata(values[known], method="average") - 0.5) / known.sum()
    return ranks


def share_below(values: np.ndarray, groups: Sequence[str], index: int) -> float | None:
    """The share of the other members of ``index``'s group whose value is lower than its
    own; None when it is alone in its group."""
    others = np.asarray(groups) == groups[index]
    others[index] = False
    if not others.any():
        return None
    return float(np.mean(values[others] < values[index]))


def nearest_neighbours(embedding: np.ndarray, index: int, k: int) -> list[tuple[int, float]]:
    """The ``k`` samples closest to ``index`` in the hidden space (Euclidean), nearest first."""
    distances = np.linalg.norm(embedding - embedding[index], axis=1)
    distances[index] = np.inf
    order = np.argsort(distances, kind="stable")[: min(k, len(embedding) - 1)]
    return [(int(i), float(distances[i])) for i in order]


def small_data_caveats(class_size: int, subject_size: int, label: str, subject: str) -> list[str]:
    """Why a flag on this sample means less than it seems, if it does."""
    caveats = []
    if class_size < FEW_IN_CLASS:
        caveats.append(
            f"only {class_size} samples are labelled {label}: too few for the model to "
            "know the class, so a flag may be the class's rarity, not a wrong label"
        )
    if subject_size < FEW_IN_SUBJECT:
        caveats.append(
            f"subject {subject} has only {subject_size} samples: its percentile says little"
        )
    return caveats
