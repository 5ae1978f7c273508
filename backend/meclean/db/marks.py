"""Expert marks: an append-only history, and each expert's latest verdict per sample."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Row, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from meclean.data.marks import Verdict
from meclean.db.labels import current_labels
from meclean.db.models import Mark, Sample, User
from meclean.db.spreadsheets import csv_text


@dataclass(frozen=True)
class MarkState:
    """A mark as plain values, usable after its session has closed."""

    id: int
    verdict: str
    typical: bool
    note: str
    created_at: datetime

    @classmethod
    def of(cls, mark: Mark) -> MarkState:
        return cls(mark.id, mark.verdict, mark.typical, mark.note, mark.created_at)


class StaleMark(Exception):
    """The expert's latest mark is not the one their change was based on (another tab)."""

    def __init__(self, current: MarkState | None) -> None:
        super().__init__("the mark changed since it was read")
        self.current = current


class NothingToRetract(ValueError):
    """A retraction of a verdict the expert does not hold: it would record having judged
    a sample never judged (and, marking blind, unveil the others' verdicts)."""


def _state(mark: Mark | None) -> MarkState | None:
    return MarkState.of(mark) if mark else None


def latest_mark(session: Session, sample_id: int, user_id: int) -> Mark | None:
    return session.scalar(
        select(Mark)
        .where(Mark.sample_id == sample_id, Mark.user_id == user_id)
        .order_by(Mark.id.desc())
        .limit(1)
    )


def set_mark(
    session: Session,
    sample_id: int,
    user_id: int,
    verdict: Verdict,
    typical: bool = False,
    note: str = "",
    based_on: int | None = None,
    should_be: str | None = None,
) -> Mark:
    """Record a new verdict on the sample's current label (kept with it); ``based_on`` is
    the id of the mark the expert last saw (None if they saw none), and a mismatch raises
    ``StaleMark``."""
    if verdict not in set(Verdict):
        raise ValueError(f"verdict must be one of {', '.join(Verdict)}, got {verdict!r}")
    current = latest_mark(session, sample_id, user_id)
    if (current.id if current else None) != based_on:
        raise StaleMark(_state(current))
    if verdict == Verdict.RETRACTED and (current is None or current.verdict == Verdict.RETRACTED):
        raise NothingToRetract(f"no verdict of yours on sample {sample_id} to retract")
    mark = Mark(
        sample_id=sample_id,
        user_id=user_id,
        supersedes=based_on or 0,
        verdict=verdict,
        typical=typical,
        note=note,
        judged_label=current_labels(session, [sample_id]).get(sample_id),
        should_be=should_be,
    )
    try:
        with session.begin_nested():
            session.add(mark)
    except IntegrityError:
        # A concurrent write based on the same mark landed first.
        raise StaleMark(_state(latest_mark(session, sample_id, user_id))) from None
    return mark


MARK_COLUMNS = (
    Mark.id,
    Mark.sample_id,
    Mark.user_id,
    Mark.supersedes,
    Mark.verdict,
    Mark.typical,
    Mark.note,
    Mark.created_at,
    Mark.judged_label,
    Mark.should_be,
)


def latest_marks(
    session: Session, sample_ids: Sequence[int] | None = None, retracted: bool = False
) -> list[Row]:
    """Every expert's latest mark on each sample (all samples unless ``sample_ids``), as
    rows of ``MARK_COLUMNS`` (plain values: pages of samples read many); an expert whose
    latest mark is a retraction has none, unless ``retracted``."""
    newest = _newest_ids()
    if sample_ids is not None:
        newest = newest.where(Mark.sample_id.in_(sample_ids))
    query = select(*MARK_COLUMNS).where(Mark.id.in_(newest)).order_by(Mark.id)
    if not retracted:
        query = query.where(Mark.verdict != Verdict.RETRACTED)
    return list(session.execute(query))


def judged_by(session: Session, user_id: int, sample_ids: Sequence[int] | None = None) -> set[int]:
    """The samples on which the expert has ever given a verdict. Marking blind, these are
    the ones whose other verdicts they may see: a later retraction does not hide what was
    seen, and a retraction alone (of nothing) reveals nothing."""
    query = select(Mark.sample_id).where(Mark.user_id == user_id, Mark.verdict != Verdict.RETRACTED)
    if sample_ids is not None:
        query = query.where(Mark.sample_id.in_(sample_ids))
    return set(session.scalars(query.distinct()))


@dataclass(frozen=True)
class VerdictCounts:
    """What the experts' latest marks on a dataset add up to."""

    everyone: dict[str, int]
    """Latest verdicts of all experts, by verdict."""
    mine: dict[str, int]
    """One expert's latest verdicts, by verdict."""
    marked: int
    """Samples with at least one expert's verdict."""


def verdict_counts(session: Session, dataset_id: int, user_id: int) -> VerdictCounts:
    """Counted in the database: the counter refreshes after every keystroke of every expert."""
    newest = _newest_ids().join(Sample, Sample.id == Mark.sample_id)
    current = Mark.id.in_(newest.where(Sample.dataset_id == dataset_id)) & (
        Mark.verdict != Verdict.RETRACTED
    )
    everyone: dict[str, int] = {}
    mine: dict[str, int] = {}
    for verdict, expert, n in session.execute(
        select(Mark.verdict, Mark.user_id, func.count())
        .where(current)
        .group_by(Mark.verdict, Mark.user_id)
    ):
        everyone[verdict] = everyone.get(verdict, 0) + n
        if expert == user_id:
            mine[verdict] = n
    marked = session.scalar(select(func.count(func.distinct(Mark.sample_id))).where(current))
    return VerdictCounts(everyone, mine, marked or 0)


def experts_marking(session: Session, dataset_id: int) -> list[tuple[str, int]]:
    """Each expert with a standing verdict on the dataset and how many samples they
    judged, by name."""
    newest = _newest_ids().join(Sample, Sample.id == Mark.sample_id)
    rows = session.execute(
        select(User.name, func.count(func.distinct(Mark.sample_id)))
        .join(User, User.id == Mark.user_id)
        .where(
            Mark.id.in_(newest.where(Sample.dataset_id == dataset_id)),
            Mark.verdict != Verdict.RETRACTED,
        )
        .group_by(User.name)
        .order_by(User.name)
    )
    return [(name, n) for name, n in rows]


def verdicts_by_expert(
    session: Session, dataset_id: int, labels: Mapping[int, str] | None = None
) -> dict[int, dict[int, str]]:
    """User id -> sample id -> that expert's latest verdict, over a dataset's samples they
    marked (a retraction leaves the sample unmarked). With ``labels``, a verdict given on
    another label of the sample is left out, as in ``grades``."""
    rows = session.execute(
        select(Mark.user_id, Mark.sample_id, Mark.verdict, Mark.judged_label)
        .join(Sample, Sample.id == Mark.sample_id)
        .where(
            Sample.dataset_id == dataset_id,
            Mark.id.in_(_newest_ids()),
            Mark.verdict != Verdict.RETRACTED,
        )
    )
    verdicts: dict[int, dict[int, str]] = {}
    for user_id, sample_id, verdict, judged in rows:
        if labels is None or judged is None or judged == labels.get(sample_id):
            verdicts.setdefault(user_id, {})[sample_id] = verdict
    return verdicts


Consensus = Literal["majority", "any-noisy"]


def grades(
    session: Session,
    dataset_id: int,
    user_id: int | None = None,
    rule: Consensus = "majority",
    labels: Mapping[int, str] | None = None,
) -> dict[int, int]:
    """Sample id -> IDC grade (0 noisy, 1 clean, 2 clean and typical), from one expert's
    latest marks or, without ``user_id``, from all experts by ``rule``. Samples with only
    'unsure' marks, no marks or a tie get no grade. With ``labels`` (those graded: a label
    version's), a verdict given on another label of the sample does not count: it judged
    that label, not this one (marks older than the record of their label count)."""
    query = (
        select(Mark)
        .join(Sample, Sample.id == Mark.sample_id)
        .where(
            Sample.dataset_id == dataset_id,
            Mark.id.in_(_newest_ids()),
            Mark.verdict != Verdict.RETRACTED,
        )
    )
    if user_id is not None:
        query = query.where(Mark.user_id == user_id)
    votes: dict[int, list[Mark]] = {}
    for mark in session.scalars(query):
        judged_another = (
            labels is not None
            and mark.judged_label is not None
            and mark.judged_label != labels.get(mark.sample_id)
        )
        if mark.verdict != Verdict.UNSURE and not judged_another:
            votes.setdefault(mark.sample_id, []).append(mark)
    result = {}
    for sample_id, marks in votes.items():
        clean = [m for m in marks if m.verdict == Verdict.CLEAN]
        noisy = len(marks) - len(clean)
        if noisy and (rule == "any-noisy" or noisy > len(clean)):
            result[sample_id] = 0
        elif len(clean) > noisy:
            typical = sum(m.typical for m in clean) * 2 > len(clean)
            result[sample_id] = 2 if typical else 1
    return result


def _newest_ids() -> Select:
    return select(func.max(Mark.id)).group_by(Mark.sample_id, Mark.user_id)


def grades_csv(session: Session, dataset_id: int, graded: Mapping[int, int]) -> str:
    """Grades as the CSV that ``meclean train --marks`` and IDC read."""
    rows = session.execute(
        select(Sample.id, Sample.source, Sample.subject, Sample.name, Sample.action_units)
        .where(Sample.dataset_id == dataset_id, Sample.id.in_(list(graded)))
        .order_by(Sample.source, Sample.subject, Sample.name)
    )
    return csv_text(
        ["dataset", "subject", "filename", "grade", "action_units"],
        (
            (source, subject, name, graded[sid], aus or "")
            for sid, source, subject, name, aus in rows
        ),
    )
