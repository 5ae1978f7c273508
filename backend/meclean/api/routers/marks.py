"""Marking: one call per keystroke; a stale write (another tab) gets 409 and the current mark."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from meclean.api.deps import Annotator, CommittingRoute, DbSession, sample_or_404
from meclean.data.labels import Label
from meclean.data.marks import Verdict
from meclean.db.models import DbId
from meclean.services.marking import mark_sample, mark_selection, undo_marks

router = APIRouter(prefix="/api", tags=["marks"], route_class=CommittingRoute)


class MarkIn(BaseModel):
    verdict: Verdict
    typical: bool = False
    note: str = Field("", max_length=2000)
    based_on: int | None = Field(
        None, description="id of my latest mark as I saw it (null if I saw none)"
    )
    should_be: Label | None = Field(
        None, description="with a noisy or unsure verdict: the class the sample should have"
    )


class MarkState(BaseModel):
    id: int
    verdict: str
    typical: bool
    note: str
    judged_label: str | None
    """The label the verdict judged: the sample's label when it was given."""
    should_be: str | None


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
    mark = mark_sample(
        session, sample_id, me, body.verdict, body.typical, body.note, body.based_on, body.should_be
    )
    return MarkState(
        id=mark.id,
        verdict=mark.verdict,
        typical=mark.typical,
        note=mark.note,
        judged_label=mark.judged_label,
        should_be=mark.should_be,
    )


@router.post("/marks/bulk")
def bulk_marks(body: BulkMarkIn, session: DbSession, me: Annotator) -> BulkMarkOut:
    """Mark a selection, all or nothing; each new mark follows my latest one on that sample.
    A sample listed twice is marked once; one I already gave this verdict keeps its mark."""
    marks = mark_selection(session, body.sample_ids, me, body.verdict, body.typical, body.overwrite)
    return BulkMarkOut(marked=len(marks), mark_ids=[m.id for m in marks])


@router.post("/marks/bulk/undo")
def undo_bulk_marks(body: BulkUndoIn, session: DbSession, me: Annotator) -> BulkMarkOut:
    """Take back marks of mine (a bulk mark's ``mark_ids``): each sample gets back the mark
    it had before, or none. All or nothing: a sample marked again since is a 409."""
    restored = undo_marks(session, body.mark_ids, me)
    return BulkMarkOut(marked=len(restored), mark_ids=[m.id for m in restored])
