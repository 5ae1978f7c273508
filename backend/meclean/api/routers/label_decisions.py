"""Curators' label decisions: relabel samples (one, or a selection), undo a change, read a
version's list of changes, close a version (the rules live in ``services/labelling.py``)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from meclean.api.deps import Annotator, CommittingRoute, Curator, DbSession, dataset_or_404
from meclean.api.errors import ApiError
from meclean.data.labels import Label
from meclean.db.labels import close_version, current_version_id, labels_of
from meclean.db.models import DbId, LabelChange, LabelVersion, Sample
from meclean.db.users import user_names
from meclean.services.labelling import Decision, relabel, undo_changes

router = APIRouter(
    prefix="/api/datasets/{dataset_id}", tags=["labels"], route_class=CommittingRoute
)


class RelabelIn(BaseModel):
    sample_ids: list[DbId] = Field(min_length=1, max_length=10_000)
    label: Label
    reason: str = Field(min_length=1, max_length=2000)
    override_clean: bool = Field(
        False,
        description="Also relabel samples an expert's latest verdict calls clean on their "
        "label; without it such samples are a 409 that names them and the experts.",
    )


class UndoIn(BaseModel):
    change_ids: list[DbId] = Field(min_length=1, max_length=10_000)


class ChangeMade(BaseModel):
    id: int
    sample_id: int
    before: str
    after: str


class DecisionOut(BaseModel):
    label_version_id: int
    """The version holding the decision: the curator's version of this sitting (decisions
    within 30 minutes of their last, while it is current and no run trained on it) or a
    new one."""
    changes: list[ChangeMade]
    """One per sample whose label changed: what ``.../label-changes/undo`` takes back."""
    unchanged: list[int]
    """Samples that already had the label."""

    @classmethod
    def of(cls, decision: Decision) -> DecisionOut:
        return cls(
            label_version_id=decision.version.id,
            changes=[
                ChangeMade(id=c.id, sample_id=c.sample_id, before=c.before, after=c.after)
                for c in decision.changes
            ],
            unchanged=decision.unchanged,
        )


class ChangeOut(ChangeMade):
    name: str
    """source/subject/sample"""
    reason: str
    user: str | None
    run_id: int | None
    """The run whose proposal it accepted (or whose acceptance it undid)."""
    created_at: datetime
    undoable: bool
    """Its sample still has the label it gave, and no run's review depends on it (those
    are taken back on the run's projection)."""


@router.post("/relabel")
def relabel_samples(
    dataset_id: DbId, body: RelabelIn, session: DbSession, user: Curator
) -> DecisionOut:
    """Give samples a label, with a reason; all or nothing. A sample an expert marked clean
    on its label is a 409 naming it and them unless ``override_clean``."""
    dataset = dataset_or_404(session, dataset_id)
    decided = relabel(
        session, dataset, body.sample_ids, body.label, body.reason, user.id, body.override_clean
    )
    return DecisionOut.of(decided)


@router.post("/label-changes/undo")
def undo_label_changes(
    dataset_id: DbId, body: UndoIn, session: DbSession, user: Curator
) -> DecisionOut:
    """Give each changed sample back its label from before the change, as a new decision;
    a sample relabelled since is a 409 and nothing is undone."""
    dataset = dataset_or_404(session, dataset_id)
    return DecisionOut.of(undo_changes(session, dataset, body.change_ids, user.id))


@router.get("/label-versions/{version_id}/changes")
def version_changes(
    dataset_id: DbId, version_id: DbId, session: DbSession, _: Annotator
) -> list[ChangeOut]:
    """The label changes a version holds, in the order they were decided."""
    dataset = dataset_or_404(session, dataset_id)
    version = session.get(LabelVersion, version_id)
    if version is None or version.dataset_id != dataset.id:
        raise ApiError(404, f"no label version {version_id} in this dataset", "version_id")
    names = user_names(session)
    current = labels_of(session, current_version_id(dataset))
    rows = session.execute(
        select(LabelChange, Sample.source + "/" + Sample.subject + "/" + Sample.name)
        .join(Sample, Sample.id == LabelChange.sample_id)
        .where(LabelChange.version_id == version_id)
        .order_by(LabelChange.id)
    )
    return [
        ChangeOut(
            id=c.id,
            sample_id=c.sample_id,
            before=c.before,
            after=c.after,
            name=name,
            reason=c.reason,
            user=names.get(c.user_id),
            run_id=c.run_id,
            created_at=c.created_at,
            undoable=c.run_id is None and current.get(c.sample_id) == c.after,
        )
        for c, name in rows
    ]


@router.post("/label-versions/{version_id}/close", status_code=204)
def close(dataset_id: DbId, version_id: DbId, session: DbSession, _: Curator) -> None:
    """End a version's sitting: the next decision starts a new version."""
    dataset = dataset_or_404(session, dataset_id)
    version = session.get(LabelVersion, version_id)
    if version is None or version.dataset_id != dataset.id:
        raise ApiError(404, f"no label version {version_id} in this dataset", "version_id")
    close_version(session, version.id)
