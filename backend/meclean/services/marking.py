"""Marking's rules: recording verdicts one by one or for a selection, undoing a bulk mark,
and who sees which verdicts while a dataset marks blind."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.marks import Verdict
from meclean.db.labels import current_labels
from meclean.db.marks import NothingToRetract, StaleMark, judged_by, latest_mark, set_mark
from meclean.db.models import Dataset, Mark, Sample, User
from meclean.db.session import take_write_lock
from meclean.db.users import has_role
from meclean.services.errors import Conflict, Invalid, NotFound


def blind_datasets(session: Session, dataset_ids: set[int], me: User) -> set[int]:
    """Those of ``dataset_ids`` whose marking is blind to ``me`` (annotators; curators run
    the study and see every verdict)."""
    if has_role(me, "curator"):
        return set()
    return set(
        session.scalars(
            select(Dataset.id).where(Dataset.id.in_(dataset_ids), Dataset.blind_marking)
        )
    )


def hidden_from(session: Session, me: User, samples: Iterable[tuple[int, int]]) -> set[int]:
    """Of ``samples`` (sample id, dataset id), those whose other experts' verdicts ``me``
    may not see: on a dataset that marks blind to them, the samples they have never given
    a verdict on. Once seen, a retraction does not hide them again; a retraction alone
    (of nothing) reveals nothing."""
    pairs = list(samples)
    blind = blind_datasets(session, {dataset_id for _, dataset_id in pairs}, me)
    if not blind:
        return set()
    candidates = [sample_id for sample_id, dataset_id in pairs if dataset_id in blind]
    return set(candidates) - judged_by(session, me.id, candidates)


def mark_sample(
    session: Session,
    sample_id: int,
    me: User,
    verdict: Verdict,
    typical: bool,
    note: str,
    based_on: int | None,
    should_be: str | None = None,
) -> Mark:
    """Record ``me``'s verdict on one sample, after the mark they last saw (``based_on``):
    ``Conflict`` with the current mark if another tab marked it first, ``Invalid`` for a
    retraction with no verdict to retract, or a ``should_be`` that is no other class or
    comes with a clean verdict."""
    if should_be is not None:
        if verdict not in (Verdict.NOISY, Verdict.UNSURE):
            raise Invalid(
                "only a noisy or unsure verdict says what the label should be", "should_be"
            )
        if should_be == current_labels(session, [sample_id]).get(sample_id):
            raise Invalid(f"{should_be} is already the sample's label", "should_be")
    try:
        return set_mark(session, sample_id, me.id, verdict, typical, note, based_on, should_be)
    except NothingToRetract as exc:
        raise Invalid(str(exc), "verdict") from None
    except StaleMark as stale:
        current = stale.current
        raise Conflict(
            "your mark changed since this page read it",
            "based_on",
            current=None
            if current is None
            else {
                "id": current.id,
                "verdict": current.verdict,
                "typical": current.typical,
                "note": current.note,
            },
        ) from None


def mark_selection(
    session: Session,
    sample_ids: Sequence[int],
    me: User,
    verdict: Verdict,
    typical: bool,
    overwrite: bool,
) -> list[Mark]:
    """Mark a selection, all or nothing; each new mark follows ``me``'s latest on that
    sample. A sample listed twice is marked once; one that already has this verdict keeps
    its mark. Without ``overwrite``, a selection holding another verdict of ``me``'s is a
    ``Conflict`` that names them; a retraction where some sample has nothing to retract
    is ``Invalid``."""
    sample_ids = list(dict.fromkeys(sample_ids))
    take_write_lock(session)  # all or nothing, savepoints included
    found = set(session.scalars(select(Sample.id).where(Sample.id.in_(sample_ids))))
    missing = sorted(set(sample_ids) - found)
    if missing:
        raise NotFound(f"no samples {missing[:10]}", "sample_ids")
    current = {s: latest_mark(session, s, me.id) for s in sample_ids}
    live = {s: m for s, m in current.items() if m is not None and m.verdict != Verdict.RETRACTED}
    unjudged = [s for s in sample_ids if s not in live]
    if verdict == Verdict.RETRACTED and unjudged:
        raise Invalid(
            f"{len(unjudged)} of these samples have no verdict of yours to retract "
            f"(samples {unjudged[:10]}); nothing was saved",
            "sample_ids",
        )
    same = {s for s, m in live.items() if (m.verdict, m.typical) == (verdict, typical)}
    others = {s: m.verdict for s, m in live.items() if s not in same}
    if others and not overwrite:
        raise Conflict(
            f"{len(others)} of these samples already have another verdict of yours; "
            "mark with overwrite to replace them, or leave them out",
            "sample_ids",
            changed=others,
        )
    return [
        _follow(session, sample_id, me.id, current[sample_id], verdict, typical)
        for sample_id in sample_ids
        if sample_id not in same
    ]


def undo_marks(session: Session, mark_ids: Sequence[int], me: User) -> list[Mark]:
    """Take back marks of ``me``'s (a bulk mark's): each sample gets back the mark it had
    before, or none. All or nothing: a sample marked again since is a ``Conflict``."""
    take_write_lock(session)
    marks = session.scalars(select(Mark).where(Mark.id.in_(mark_ids))).all()
    if len(marks) != len(set(mark_ids)) or any(m.user_id != me.id for m in marks):
        raise NotFound("no such marks of yours", "mark_ids")
    moved = []
    for mark in marks:
        latest = latest_mark(session, mark.sample_id, me.id)
        assert latest is not None  # the mark itself is one of mine on that sample
        if latest.id != mark.id:
            moved.append(mark.sample_id)
    if moved:
        raise Conflict(
            f"you marked {len(moved)} of these samples again since; nothing was undone",
            "mark_ids",
            changed=moved[:100],
        )
    restored = []
    for mark in marks:
        before = session.get(Mark, mark.supersedes) if mark.supersedes else None
        verdict = Verdict(before.verdict) if before else Verdict.RETRACTED
        typical, note = (before.typical, before.note) if before else (False, "")
        restored.append(_follow(session, mark.sample_id, me.id, mark, verdict, typical, note))
    return restored


def _follow(
    session: Session,
    sample_id: int,
    user_id: int,
    current: Mark | None,
    verdict: Verdict,
    typical: bool,
    note: str = "",
) -> Mark:
    """A mark after ``current``; raising rolls the whole request back."""
    try:
        return set_mark(
            session, sample_id, user_id, verdict, typical, note, current.id if current else None
        )
    except StaleMark:
        raise Conflict(
            f"your mark on sample {sample_id} changed while this selection was being "
            "marked; nothing of the selection was saved, try again",
            "sample_ids",
        ) from None
