"""Label versions and exports: list, diff, create from relabels or a CSV, export as CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from meclean.api.deps import Annotator, CommittingRoute, Curator, DbSession, dataset_or_404
from meclean.api.errors import ApiError
from meclean.api.schemas import csv_download
from meclean.data.labels import Label
from meclean.db.labels import (
    LabelError,
    changes_from_csv,
    create_version,
    current_version_id,
    diff_versions,
    labels_of,
    roster_csv,
)
from meclean.db.marks import Consensus, experts_marking, grades, grades_csv
from meclean.db.models import Dataset, DbId, LabelVersion, Sample, as_utc, utcnow
from meclean.db.users import user_id_named, user_names
from meclean.services.marking import blind_datasets

router = APIRouter(
    prefix="/api/datasets/{dataset_id}", tags=["labels"], route_class=CommittingRoute
)


class VersionOut(BaseModel):
    id: int
    parent_id: int | None
    created_by: str | None
    created_at: datetime
    reason: str
    current: bool
    source_run_id: int | None = None
    """The run whose relabels this version accepted (or whose acceptance it undid)."""
    open: bool = False
    """Its author's next label decisions still join it (one sitting, one version)."""


class ChangeOut(BaseModel):
    sample_id: int
    name: str
    """source/subject/sample"""
    before: str
    after: str


class NewVersion(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    changes: dict[int, Label] | None = Field(None, description="sample id -> new label")
    csv: str | None = Field(None, description="labels in the roster's CSV format")


def _version(session: DbSession, dataset: Dataset, version_id: int, field: str) -> LabelVersion:
    version = session.get(LabelVersion, version_id)
    if version is None or version.dataset_id != dataset.id:
        raise ApiError(404, f"no label version {version_id} in this dataset", field)
    return version


@router.get("/label-versions")
def list_versions(dataset_id: DbId, session: DbSession, _: Annotator) -> list[VersionOut]:
    """A dataset's label versions, oldest first, with parent, author, reason and run."""
    dataset = dataset_or_404(session, dataset_id)
    names = user_names(session)
    now = utcnow()
    versions = session.scalars(
        select(LabelVersion).where(LabelVersion.dataset_id == dataset_id).order_by(LabelVersion.id)
    )
    return [
        VersionOut(
            id=v.id,
            parent_id=v.parent_id,
            created_by=names.get(v.created_by),
            created_at=v.created_at,
            reason=v.reason,
            current=v.id == dataset.current_label_version_id,
            source_run_id=v.source_run_id,
            open=v.open_until is not None and as_utc(v.open_until) > now,
        )
        for v in versions
    ]


@router.get("/label-versions/diff")
def diff(
    dataset_id: DbId,
    session: DbSession,
    _: Annotator,
    old: Annotated[DbId, Query()],
    new: Annotated[DbId, Query()],
) -> list[ChangeOut]:
    """The samples whose label differs between two label versions."""
    dataset = dataset_or_404(session, dataset_id)
    _version(session, dataset, old, "old")
    _version(session, dataset, new, "new")
    changes = diff_versions(session, old, new)
    rows = session.execute(
        select(Sample.id, Sample.source + "/" + Sample.subject + "/" + Sample.name).where(
            Sample.id.in_([c.sample_id for c in changes])
        )
    )
    names = {sample_id: name for sample_id, name in rows}
    return [ChangeOut(**c.__dict__, name=names[c.sample_id]) for c in changes]


@router.post("/label-versions", status_code=201)
def new_version(
    dataset_id: DbId, body: NewVersion, session: DbSession, user: Curator
) -> VersionOut:
    """A new current version from explicit changes or a roster-format CSV."""
    dataset = dataset_or_404(session, dataset_id)
    if (body.changes is None) == (body.csv is None):
        raise ApiError(422, "give either changes or csv", "changes")
    try:
        changes = (
            dict(body.changes)
            if body.changes is not None
            else changes_from_csv(session, dataset, body.csv or "")
        )
        version = create_version(session, dataset, changes, body.reason, user.id)
    except LabelError as exc:
        raise ApiError(422, str(exc), "csv" if body.csv is not None else "changes") from None
    return VersionOut(
        id=version.id,
        parent_id=version.parent_id,
        created_by=user.name,
        created_at=version.created_at,
        reason=version.reason,
        current=True,
    )


@router.get("/label-versions/{version_id}/csv", response_class=Response)
def export_version(
    dataset_id: DbId, version_id: DbId, session: DbSession, _: Annotator
) -> Response:
    """A label version in the roster's format (dataset, subject, filename, label)."""
    dataset = dataset_or_404(session, dataset_id)
    _version(session, dataset, version_id, "version_id")
    return csv_download(roster_csv(session, version_id), dataset.name, f"labels-v{version_id}")


class ExpertOut(BaseModel):
    name: str
    samples: int
    """Samples on which the expert's latest verdict stands."""


@router.get("/experts")
def experts(dataset_id: DbId, session: DbSession, _: Curator) -> list[ExpertOut]:
    """The experts who marked the dataset, for choosing one's marks (IDC, the grades CSV)."""
    dataset = dataset_or_404(session, dataset_id)
    return [ExpertOut(name=n, samples=k) for n, k in experts_marking(session, dataset.id)]


@router.get("/marks.csv", response_class=Response)
def export_marks(
    dataset_id: DbId,
    session: DbSession,
    me: Annotator,
    user: str | None = Query(
        None, max_length=100, description="one expert's marks; default all experts"
    ),
    rule: Consensus = "majority",
) -> Response:
    """Grades 0 noisy / 1 clean / 2 clean and typical, the CSV that IDC reads. While the
    dataset is marked blind, an annotator downloads only their own."""
    dataset = dataset_or_404(session, dataset_id)
    if blind_datasets(session, {dataset.id}, me) and user != me.name:
        raise ApiError(403, "marking is blind on this dataset: only your own marks", "user")
    user_id = None
    if user is not None:
        user_id = user_id_named(session, user)
        if user_id is None:
            raise ApiError(404, f"no user {user!r}", "user")
    current = labels_of(session, current_version_id(dataset))
    content = grades_csv(session, dataset_id, grades(session, dataset_id, user_id, rule, current))
    who = user if user is not None else f"all-{rule}"
    return csv_download(content, dataset.name, "idc-grades", who)
