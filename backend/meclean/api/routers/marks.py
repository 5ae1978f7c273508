"""Marking: one call per keystroke; a stale write (another tab) gets 409 and the current mark."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.api.deps import Annotator, CommittingRoute, DbSession, sample_or_404
from meclean.api.errors import ApiError
from meclean.data.marks import Verdict
from meclean.db.marks import NothingToRetract, StaleMark, latest_mark, set_mark
from meclean.db.models import DbId, Mark, Sample
from meclean.db.session import take_write_lock

router = APIRouter(prefix="/api", tags=["marks"], route_class=CommittingRoute)


class MarkIn(BaseModel):
    verdict: Verdict
    typical: bool = False
    note: str = Field("", max_length=2000)
    based_on: int | None = Field(
        None, description="id of my latest mark as I saw it (null if I saw none)"
    )


class MarkState(BaseModel):
    id: int
    verdict: str
    typical: bool
    note: str


class BulkMarkIn(BaseModel):
    sample_ids: list[DbId] = Field(min_length=1, max_length=10_000)
    verdict: Verdict
    typical: bool = False
    overwrite: bool = Field(
        False,
        description="Replace my other verdicts on these samples; without it a selection "
        "holding any is a 409 that names them, and nothing is saved.",
    )


class BulkMarkOut(BaseModel):
    marked: int
    mark_ids: list[int]
    """The new marks, for ``POST /api/marks/bulk/undo``."""


class BulkUndoIn(BaseModel):
    mark_ids: list[DbId] = Field(min_length=1, max_length=10_000)


@router.put("/samples/{sample_id}/mark")
def put_mark(sample_id: DbId, body: MarkIn, session: DbSession, me: Annotator) -> MarkState:
    """Mark a sample clean, noisy or unsure (with a note), or retract my verdict; 409 if
    another tab marked it first, 422 for a retraction with no verdict of mine to retract."""
    sample_or_404(session, sample_id)
    try:
        mark = set_mark(
            session, sample_id, me.id, body.verdict, body.typical, body.note, body.based_on
        )
    except NothingToRetract as exc:
        raise ApiError(422, str(exc), "verdict") from None
    except StaleMark as stale:
        current = stale.current
        raise ApiError(
            409,
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
    return MarkState(id=mark.id, verdict=mark.verdict, typical=mark.typical, note=mark.note)


@router.post("/marks/bulk")
def bulk_marks(body: BulkMarkIn, session: DbSession, me: Annotator) -> BulkMarkOut:
    """Mark a selection, all or nothing; each new mark follows my latest one on that sample.
    A sample listed twice is marked once; one I already gave this verdict keeps its mark."""
    sample_ids = list(dict.fromkeys(body.sample_ids))
    take_write_lock(session)  # all or nothing, savepoints included
    found = set(session.scalars(select(Sample.id).where(Sample.id.in_(sample_ids))))
    missing = sorted(set(sample_ids) - found)
    if missing:
        raise ApiError(404, f"no samples {missing[:10]}", "sample_ids")
    current = {s: latest_mark(session, s, me.id) for s in sample_ids}
    live = {s: m for s, m in current.items() if m is not None and m.verdict != Verdict.RETRACTED}
    unjudged = [s for s in sample_ids if s not in live]
    if body.verdict == Verdict.RETRACTED and unjudged:
        raise ApiError(
            422,
            f"{len(unjudged)} of these samples have no verdict of yours to retract "
            f"(samples {unjudged[:10]}); nothing was saved",
            "sample_ids",
        )
    same = {s for s, m in live.items() if (m.verdict, m.typical) == (body.verdict, body.typical)}
    others = {s: m.verdict for s, m in live.items() if s not in same}
    if others and not body.overwrite:
        raise ApiError(
            409,
            f"{len(others)} of these samples already have another verdict of yours; "
            "mark with overwrite to replace them, or leave them out",
            "sample_ids",
            changed=others,
        )
    marks = []
    for sample_id in sample_ids:
        if sample_id in same:
            continue
        mark = current[sample_id]
        marks.append(_follow(session, sample_id, me.id, mark, body.verdict, body.typical))
    return BulkMarkOut(marked=len(marks), mark_ids=[m.id for m in marks])


@router.post("/marks/bulk/undo")
def undo_bulk_marks(body: BulkUndoIn, session: DbSession, me: Annotator) -> BulkMarkOut:
    """Take back marks of mine (a bulk mark's ``mark_ids``): each sample gets back the mark
    it had before, or none. All or nothing: a sample marked again since is a 409."""
    take_write_lock(session)
    marks = session.scalars(select(Mark).where(Mark.id.in_(body.mark_ids))).all()
    if len(marks) != len(set(body.mark_ids)) or any(m.user_id != me.id for m in marks):
        raise ApiError(404, "no such marks of yours", "mark_ids")
    moved = []
    for mark in marks:
        latest = latest_mark(session, mark.sample_id, me.id)
        assert latest is not None  # the mark itself is one of mine on that sample
        if latest.id != mark.id:
            moved.append(mark.sample_id)
    if moved:
        raise ApiError(
            409,
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
    return BulkMarkOut(marked=len(restored), mark_ids=[m.id for m in restored])


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
        raise ApiError(
            409,
            f"your mark on sample {sample_id} changed while this selection was being "
            "marked; nothing of the selection was saved, try again",
            "sample_ids",
        ) from None
