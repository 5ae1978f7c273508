"""Imports: a curator names a folder under the import roots and its layout; the dataset is
read, its faces found and missing apexes estimated on the queue, with progress, and the
report (corrections, estimates, skipped samples, warnings) stays with the job."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal, overload

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from meclean.api.deps import AppSettings, CommittingRoute, Curator, DbSession, Queue
from meclean.api.errors import ApiError
from meclean.data.faces import FaceMode
from meclean.data.readers import Layout
from meclean.db.datasets import DatasetExists
from meclean.db.models import ACTIVE, DbId, FeatureJob, ImportJob
from meclean.jobs.imports import cancel_import, launch_import
from meclean.settings import Settings

router = APIRouter(prefix="/api", tags=["imports"], route_class=CommittingRoute)

SourceDataset = Literal["casme2", "samm", "smic"]


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt option is an error, not a no-op

    name: str = Field(min_length=1, max_length=200)
    layout: Layout
    path: str = Field(description="Folder (or manifest CSV) under one of the import roots.")
    sheet: str | None = None
    frames: str | None = Field(
        default=None, description="The folder holding the subject folders, if not found."
    )
    overrides: str | None = None
    roster: str | None = None
    corrections: bool = Field(
        default=True, description="Replace the sheets' known errors by the documented values."
    )
    estimates: bool = Field(
        default=True,
        description="Estimate from the motion an apex the sheet leaves missing, puts outside "
        "[onset, offset] or on the onset, instead of skipping the sample.",
    )
    classes: str | None = Field(
        default=None, description="For a manifest: CSV mapping its emotions to classes."
    )
    parts: dict[SourceDataset, str] = Field(
        default_factory=dict, description="For megc2019: a source dataset's folder."
    )
    part_sheets: dict[SourceDataset, str] = Field(
        default_factory=dict, description="For megc2019: a source dataset's annotation sheet."
    )
    faces: FaceMode = Field(
        default="auto",
        description="auto: crop raw frames to the face on each onset frame, leave face crops "
        "whole; crop: crop every face found; keep: use the frames whole.",
    )


class ImportNote(BaseModel):
    """One import issue: the sample, file, row and field it concerns, and what happened."""

    sample: str | None
    file: str
    row: int | None
    field: str | None
    message: str


class ImportSummary(BaseModel):
    imported: int
    skipped: list[ImportNote]
    excluded: dict[str, int]
    corrections: list[ImportNote]
    """Known sheet errors replaced by their documented value, per sample and field."""
    overrides: list[ImportNote]
    """Rows of the overrides CSV, each with the sample it applied to."""
    estimates: list[ImportNote]
    """Apexes estimated from the motion (the sheet's missing or impossible), each with its
    frame and confidence."""
    warnings: list[ImportNote]
    frames: dict[str, str]
    """Where each source dataset's frames were found."""
    faces: list[ImportNote]
    """Samples cropped to their face, each with its box and turn."""
    face_counts: dict[str, int]
    """Samples by what finding faces did to them: cropped, already a face crop, no face."""
    action_units: dict[str, dict[str, int]]
    """Per source dataset, ``coded``: samples whose sheet codes their AUs, of ``samples``
    (0 coded: the dataset has no AUs, e.g. SMIC-HS)."""
    ambiguous_action_units: list[ImportNote]
    """Samples whose AU cell offers several codings ("or"), all kept as alternatives."""


class ImportJobOut(BaseModel):
    """An import: where it stands, and once done, its dataset and report or its error."""

    id: int
    name: str
    layout: str
    status: str
    """queued, running, succeeded, failed or cancelled."""
    active: bool
    phase: str
    """waiting for a worker, reading the sheets, finding faces, storing, imported."""
    done: int
    total: int
    """Onset frames looked at for a face, of all of them (0 before the sheets are read)."""
    error: str | None
    """Why it failed, naming the file, row or field."""
    error_field: str | None
    """The request field the error concerns."""
    dataset_id: int | None
    features_job_id: int | None
    """The queued job computing the new samples' flow (``GET /api/datasets/{id}/features``)."""
    report: ImportSummary | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: ImportJob, features_job_id: int | None = None) -> ImportJobOut:
        fields = {"active", "features_job_id", "report"}
        return cls(
            **{name: getattr(job, name) for name in cls.model_fields if name not in fields},
            active=job.status in ACTIVE,
            features_job_id=features_job_id,
            report=None if job.report is None else ImportSummary.model_validate(job.report),
        )


@overload
def confined(settings: Settings, raw: str, field: str, kind: str = "file") -> Path: ...


@overload
def confined(
    settings: Settings, raw: str | None, field: str, kind: str = "file"
) -> Path | None: ...


def confined(settings: Settings, raw: str | None, field: str, kind: str = "file") -> Path | None:
    """A path inside a configured import root, symlinks resolved; anything else is refused.
    ``kind``: 'file' (a regular file), 'folder', or 'either'."""
    if raw is None:
        return None
    try:
        path = Path(raw).resolve()
        roots = settings.allowed_import_roots()
        if not any(path.is_relative_to(root) for root in roots):
            raise ApiError(403, "path is outside the import roots", field)
        is_file, is_folder = path.is_file(), path.is_dir()
    except (ValueError, OSError, RuntimeError) as exc:  # a NUL byte, a symlink loop, too long
        raise ApiError(422, f"not a usable path: {exc}", field) from None
    if not (is_file or is_folder):
        # A named pipe would block the import for good: only files and folders are read.
        raise ApiError(422, f"{raw} does not exist or is not a regular file or folder", field)
    if kind == "file" and not is_file:
        raise ApiError(422, f"{raw} is a folder; a file is needed here", field)
    if kind == "folder" and not is_folder:
        raise ApiError(422, f"{raw} is a file; a folder is needed here", field)
    return path


def confined_request(settings: Settings, body: ImportRequest) -> dict[str, Any]:
    """The request's paths, each confined to the import roots, as the job will read them."""

    def text(path: Path | None) -> str | None:
        return None if path is None else str(path)

    return {
        "path": str(confined(settings, body.path, "path", "either")),
        "sheet": text(confined(settings, body.sheet, "sheet")),
        "frames": text(confined(settings, body.frames, "frames", "folder")),
        "overrides": text(confined(settings, body.overrides, "overrides")),
        "roster": text(confined(settings, body.roster, "roster")),
        "classes": text(confined(settings, body.classes, "classes")),
        "corrections": body.corrections,
        "estimates": body.estimates,
        "faces": body.faces,
        "parts": {
            d: str(confined(settings, v, f"parts.{d}", "either")) for d, v in body.parts.items()
        },
        "part_sheets": {
            d: str(confined(settings, v, f"part_sheets.{d}")) for d, v in body.part_sheets.items()
        },
    }


@router.post("/datasets/import", status_code=202)
def import_dataset(
    body: ImportRequest, settings: AppSettings, jobs: Queue, user: Curator
) -> ImportJobOut:
    """Queue the import of a folder; follow it at ``GET /api/imports/{id}``. Paths outside
    the import roots and names already taken are refused here; what the sheets hold is
    read by the job, whose error names the file, row and field."""
    request = confined_request(settings, body)
    try:
        with jobs.committing() as (session, outbox):
            job = launch_import(session, body.name, body.layout, request, user.id)
            outbox.imports.append(job.id)
            out = ImportJobOut.of(job)
    except DatasetExists as exc:
        raise ApiError(409, str(exc), "name") from None
    return out


@router.get("/imports")
def list_imports(
    session: DbSession, _: Curator, limit: int = Query(default=20, ge=1, le=100)
) -> list[ImportJobOut]:
    """The latest imports, newest first."""
    jobs = session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit))
    return [ImportJobOut.of(job) for job in jobs]


@router.get("/imports/roots")
def import_roots(settings: AppSettings, _: Curator) -> list[str]:
    """The server folders an import may read from (``MECLEAN_IMPORT_ROOTS``, else the data
    folder): what a curator's paths must lie under."""
    return [str(root) for root in settings.allowed_import_roots()]


@router.get("/imports/{import_id}")
def get_import(import_id: DbId, session: DbSession, _: Curator) -> ImportJobOut:
    """One import: its phase and progress, then its dataset and report, or its error."""
    job = session.get(ImportJob, import_id)
    if job is None:
        raise ApiError(404, "no such import")
    return ImportJobOut.of(job, _features_job(session, job))


@router.post("/imports/{import_id}/cancel")
def cancel(import_id: DbId, session: DbSession, _: Curator) -> ImportJobOut:
    """Stop a queued or running import; nothing of it is stored."""
    job = session.get(ImportJob, import_id)
    if job is None:
        raise ApiError(404, "no such import")
    if not cancel_import(session, job):
        raise ApiError(409, f"the import is {job.status}, not queued or running")
    session.flush()
    return ImportJobOut.of(job)


def _features_job(session: DbSession, job: ImportJob) -> int | None:
    """The features job the import queued (its dataset's first)."""
    if job.dataset_id is None:
        return None
    first = select(func.min(FeatureJob.id)).where(FeatureJob.dataset_id == job.dataset_id)
    return session.scalar(first)
