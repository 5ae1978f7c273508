"""What the coded action units say of each label, judged without the sample's subject.

Within each source dataset (coders and conventions differ between releases), a small
multinomial logistic regression on AU presence is fitted on the other subjects' samples
and gives the probability of the sample's label given its AUs: leave one subject out, as
the training does. Logistic rather than naive Bayes because AUs come in correlated groups
(1+2, 6+12) that naive Bayes would count twice; L2-regularised and class-balanced because a
release has a few hundred samples and few of some classes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DISPUTED_BELOW = 0.2
"""A label is disputed by its AUs when, out of subject, they give it less than this
probability and another class more."""
MIN_TRAINING = 10
"""Fewer samples with AUs among the other subjects than this: no judgement."""
TYPICAL_SHOWN = 5

Presence = Mapping[int, float]
"""AU number -> share of the sample's codings that code it (see ActionUnitCoding)."""


@dataclass(frozen=True)
class AuJudgement:
    """The AUs' out-of-subject evidence on one sample's label."""

    label: str
    probability: float
    """Of its label given its AUs."""
    likeliest: str
    """The class its AUs make likeliest."""
    reason: str
    """In words, from the other subjects' counts."""

    @property
    def disputed(self) -> bool:
        return self.probability < DISPUTED_BELOW and self.likeliest != self.label


@dataclass(frozen=True)
class Clash:
    """One set of AUs that the samples of one source dataset carry with several labels."""

    source: str
    action_units: tuple[int, ...]
    labels: dict[str, int]
    """Label -> samples with exactly these AUs."""
    samples: list[int]
    """Their indexes."""


def au_judgements(
    presence: Sequence[Presence | None],
    labels: Sequence[str],
    subjects: Sequence[str],
    sources: Sequence[str],
    classes: Sequence[str],
) -> list[AuJudgement | None]:
    """Each sample's judgement; None where it has no AUs, or too few samples of other
    subjects (or none of its label) have AUs to judge by."""
    judged: list[AuJudgement | None] = [None] * len(labels)
    by_source: dict[str, list[int]] = defaultdict(list)
    for k, coded in enumerate(presence):
        if coded:
            by_source[sources[k]].append(k)
    for members in by_source.values():
        for subject in {subjects[k] for k in members}:
            held_out = [k for k in members if subjects[k] == subject]
            training = [k for k in members if subjects[k] != subject]
            for k, judgement in zip(
                held_out,
                _judge(presence, labels, training, held_out, classes),
                strict=True,
            ):
                judged[k] = judgement
    return judged


def _judge(
    presence: Sequence[Presence | None],
    labels: Sequence[str],
    training: list[int],
    held_out: list[int],
    classes: Sequence[str],
) -> list[AuJudgement | None]:
    from sklearn.linear_model import LogisticRegression

    seen = sorted({au for k in training for au in presence[k] or {}})
    trained_classes = sorted({labels[k] for k in training}, key=list(classes).index)
    if len(training) < MIN_TRAINING or len(trained_classes) < 2 or not seen:
        return [None] * len(held_out)
    x = _matrix(presence, training, seen)
    y = [labels[k] for k in training]
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    model.fit(x, y)
    probabilities = model.predict_proba(_matrix(presence, held_out, seen))
    order = [str(c) for c in model.classes_]
    judged: list[AuJudgement | None] = []
    for row, k in zip(probabilities, held_out, strict=True):
        if labels[k] not in order:
            judged.append(None)
            continue
        likeliest = order[int(np.argmax(row))]
        p_label = float(row[order.index(labels[k])])
        reason = _reason(presence, labels, training, k, likeliest, p_label)
        judged.append(AuJudgement(labels[k], p_label, likeliest, reason))
    return judged


def _matrix(presence: Sequence[Presence | None], rows: list[int], aus: list[int]) -> np.ndarray:
    x = np.zeros((len(rows), len(aus)))
    for i, k in enumerate(rows):
        for j, au in enumerate(aus):
            x[i, j] = (presence[k] or {}).get(au, 0.0)
    return x


def _reason(
    presence: Sequence[Presence | None],
    labels: Sequence[str],
    training: list[int],
    k: int,
    likeliest: str,
    p_label: float,
) -> str:
    """The AU of the sample that best tells its likeliest class from its label, counted
    among the other subjects' samples."""
    label = labels[k]
    own = [au for au, share in (presence[k] or {}).items() if share > 0]
    in_class = Counter(labels[t] for t in training)

    def carrying(au: int, cls: str) -> int:
        return sum(1 for t in training if labels[t] == cls and (presence[t] or {}).get(au, 0) > 0)

    if likeliest == label:
        if not own:
            return f"its AUs support its label ({p_label:.2f})"
        au = max(own, key=lambda a: carrying(a, label) / max(in_class[label], 1))
        return (
            f"its AUs support its label {label} ({p_label:.2f}): AU{au} appears in "
            f"{carrying(au, label)} of {in_class[label]} {label} samples of other subjects"
        )
    if not own:
        return f"no AU coded; other subjects' samples without AUs are mostly {likeliest}"
    au = max(
        own,
        key=lambda a: (
            carrying(a, likeliest) / max(in_class[likeliest], 1)
            - carrying(a, label) / max(in_class[label], 1)
        ),
    )
    return (
        f"AU{au} appears in {carrying(au, likeliest)} of {in_class[likeliest]} {likeliest} "
        f"samples of other subjects and in {carrying(au, label)} of {in_class[label]} "
        f"{label} ones; this sample is labelled {label} ({p_label:.2f} given its AUs)"
    )


def clashes(
    presence: Sequence[Presence | None],
    labels: Sequence[str],
    sources: Sequence[str],
    ambiguous: Sequence[bool],
) -> list[Clash]:
    """The AU sets (numbers only, sides and intensities aside) that carry more than one
    label within a source dataset, most samples first; cells offering several codings are
    left out, their set being uncertain."""
    groups: dict[tuple[str, tuple[int, ...]], list[int]] = defaultdict(list)
    for k, coded in enumerate(presence):
        if coded and not ambiguous[k]:
            groups[(sources[k], tuple(sorted(coded)))].append(k)
    found = [
        Clash(source, aus, dict(Counter(labels[k] for k in members)), members)
        for (source, aus), members in groups.items()
        if len({labels[k] for k in members}) > 1
    ]
    return sorted(found, key=lambda c: (-len(c.samples), c.source, c.action_units))


def typical_action_units(
    presence: Sequence[Presence | None], labels: Sequence[str], classes: Sequence[str]
) -> dict[str, list[tuple[int, float, float]]]:
    """Per class, the AUs most typical of it: (AU, share of the class's samples coding it,
    share of the other classes' samples), by the difference, at most ``TYPICAL_SHOWN``."""
    coded = [k for k, p in enumerate(presence) if p]
    typical: dict[str, list[tuple[int, float, float]]] = {}
    for cls in classes:
        inside = [k for k in coded if labels[k] == cls]
        outside = [k for k in coded if labels[k] != cls]
        if not inside:
            continue
        aus = {au for k in inside for au in presence[k] or {}}

        def share(au: int, members: list[int]) -> float:
            return sum((presence[k] or {}).get(au, 0.0) for k in members) / max(len(members), 1)

        ranked = sorted(
            ((au, share(au, inside), share(au, outside)) for au in aus),
            key=lambda t: (-(t[1] - t[2]), t[0]),
        )
        typical[cls] = [t for t in ranked if t[1] > t[2]][:TYPICAL_SHOWN]
    return typical
