"""Marking: one call per keystroke; a stale write (another tab) gets 409 and the current mark."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from meclean.api.deps import Annotator, CommittingRoute, DbId, DbSession
from meclean.api.errors import ApiError
from meclean.db.marks import StaleMark, Verdict, latest_mark, set_mark
from meclean.db.models import Sample
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


@router.put("/samples/{sample_id}/mark")
def put_mark(sample_id: DbId, body: MarkIn, session: DbSession, me: Annotator) -> MarkState:
    if session.get(Sample, sample_id) is None:
        raise ApiError(404, f"no sample {sample_id}", "sample_id")
    try:
        mark = set_mark(
            session, sample_id, me.id, body.verdict, body.typical, body.note, body.based_on
        )
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
def bulk_marks(body: BulkMarkIn, session: DbSession, me: Annotator) -> dict[str, int]:
    """Mark a selection, all or nothing; each new mark follows my latest one on that sample.
    A sample listed twice is marked once."""
    sample_ids = list(dict.fromkeys(body.sample_ids))
    take_write_lock(session)  # all or nothing, savepoints included
    found = set(session.scalars(select(Sample.id).where(Sample.id.in_(sample_ids))))
    missing = sorted(set(sample_ids) - found)
    if missing:
        raise ApiError(404, f"no samples {missing[:10]}", "sample_ids")
    for sample_id in sample_ids:
        current = latest_mark(session, sample_id, me.id)
        try:
            set_mark(
                session,
                sample_id,
                me.id,
                body.verdict,
                body.typical,
                based_on=current.id if current else None,
            )
        except StaleMark:
            # Raising rolls the whole selection back: no sample of it is half-marked.
            raise ApiError(
                409,
                f"your mark on sample {sample_id} changed while this selection was being "
                "marked; nothing of the selection was saved, try again",
                "sample_ids",
            ) from None
    return {"marked": len(sample_ids)}
