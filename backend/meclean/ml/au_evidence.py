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
TYPICAL_MARGIN = 0.1
"""An AU is typical of a class when its share there is at least this much above the others'."""

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
    def verdict(self) -> str:
        """'supported' (its label is the likeliest), 'disputed' (below ``DISPUTED_BELOW``
        and another class likelier) or 'contested' (another class likelier, not by much)."""
        if self.likeliest == self.label:
            return "supported"
        return "disputed" if self.probability < DISPUTED_BELOW else "contested"

    @property
    def disputed(self) -> bool:
        return self.verdict == "disputed"


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
        aus = sorted({au for k in members for au in presence[k] or {}})
        column = {au: j for j, au in enumerate(aus)}
        x = np.zeros((len(members), len(aus)))
        for i, k in enumerate(members):
            for au, share in (presence[k] or {}).items():
                x[i, column[au]] = share
        y = np.array([labels[k] for k in members])
        who = np.array([subjects[k] for k in members])
        for subject in dict.fromkeys(who.tolist()):
            held_out = np.flatnonzero(who == subject)
            training = np.flatnonzero(who != subject)
            found = _judge(x, y, training, held_out, aus, classes)
            for position, judgement in zip(held_out.tolist(), found, strict=True):
                judged[members[position]] = judgement
    return judged


def _judge(
    x: np.ndarray,
    y: np.ndarray,
    training: np.ndarray,
    held_out: np.ndarray,
    aus: list[int],
    classes: Sequence[str],
) -> list[AuJudgement | None]:
    from sklearn.linear_model import LogisticRegression

    seen = np.flatnonzero(x[training].any(axis=0))
    if len(training) < MIN_TRAINING or len(set(y[training].tolist())) < 2 or not len(seen):
        return [None] * len(held_out)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    model.fit(x[np.ix_(training, seen)], y[training])
    probabilities = model.predict_proba(x[np.ix_(held_out, seen)])
    order = [str(c) for c in model.classes_]
    counts = _Counts(x[training] > 0, y[training], aus)
    judged: list[AuJudgement | None] = []
    for row, i in zip(probabilities, held_out, strict=True):
        label = str(y[i])
        if label not in order:
            judged.append(None)
            continue
        likeliest = order[int(np.argmax(row))]
        own = np.flatnonzero(x[i] > 0)
        reason = counts.reason(own, label, likeliest)
        judged.append(AuJudgement(label, float(row[order.index(label)]), likeliest, reason))
    return judged


class _Counts:
    """How many of the other subjects' samples of each class code each AU."""

    def __init__(self, present: np.ndarray, y: np.ndarray, aus: list[int]) -> None:
        self.aus = aus
        self.size = {str(c): int((y == c).sum()) for c in set(y.tolist())}
        self.carrying = {c: present[y == c].sum(axis=0) for c in self.size}

    def share(self, cls: str) -> np.ndarray:
        return self.carrying[cls] / max(self.size[cls], 1)

    def said(self, j: int, cls: str) -> str:
        return f"{int(self.carrying[cls][j])} of {self.size[cls]} {cls}"

    def reason(self, own: np.ndarray, label: str, likeliest: str) -> str:
        """The AU that best tells the likeliest class from the label, in words."""
        au = self.aus
        if likeliest == label:
            j = int(own[np.argmax(self.share(label)[own])]) if len(own) else -1
            if j < 0 or self.carrying[label][j] == 0:
                return "its AUs, taken together, make its label the likeliest"
            return (
                f"its AUs support its label: AU{au[j]} appears in {self.said(j, label)} "
                "samples of other subjects"
            )
        towards = self.share(likeliest) - self.share(label)
        if len(own) and towards[own].max() > 0:
            j = int(own[np.argmax(towards[own])])
            return (
                f"AU{au[j]} appears in {self.said(j, likeliest)} samples of other subjects "
                f"and in {self.said(j, label)} ones; this sample is labelled {label}"
            )
        lacking = np.setdiff1d(np.arange(len(au)), own)
        if len(lacking) and (-towards[lacking]).max() > 0:
            j = int(lacking[np.argmax(-towards[lacking])])
            return (
                f"it does not code AU{au[j]}, which appears in {self.said(j, label)} samples "
                f"of other subjects and in {self.said(j, likeliest)} ones; its AUs make "
                f"{likeliest} likelier"
            )
        return f"its AUs, taken together, make {likeliest} likelier than {label}"


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
    share of the other classes' samples), by the difference (at least ``TYPICAL_MARGIN``),
    at most ``TYPICAL_SHOWN``."""
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
        typical[cls] = [t for t in ranked if t[1] - t[2] >= TYPICAL_MARGIN][:TYPICAL_SHOWN]
    return typical
