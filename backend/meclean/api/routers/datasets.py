"""Datasets: import from a folder on the server (its flow then computed on the queue), list,
and counts per class and verdict."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal, overload

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from meclean.api.deps import (
    Annotator,
    AppSettings,
    CommittingRoute,
    Curator,
    DbSession,
    Queue,
    dataset_or_404,
)
from meclean.api.errors import ApiError
from meclean.data.faces import FaceMode
from meclean.data.labels import CLASSES
from meclean.data.readers import ImportOptions, Layout, read_dataset
from meclean.data.records import ImportIssue, SheetError
from meclean.db.datasets import DatasetExists, store_import
from meclean.db.marks import verdict_counts
from meclean.db.models import ACTIVE, Dataset, DbId, FeatureJob, Sample, SampleLabel, User
from meclean.jobs.features import cancel_features, latest_features_job, launch_features
from meclean.settings import Settings

router = APIRouter(prefix="/api/datasets", tags=["datasets"], route_class=CommittingRoute)


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


class Skipped(BaseModel):
    """One import issue: the sample, file, row and field it concerns, and what happened."""

    sample: str | None
    file: str
    row: int | None
    field: str | None
    message: str

    @classmethod
    def of(cls, issue: ImportIssue) -> Skipped:
        return cls(
            sample=issue.sample,
            file=str(issue.file),
            row=issue.row,
            field=issue.field,
            message=issue.message,
        )


class ImportSummary(BaseModel):
    dataset_id: int
    imported: int
    skipped: list[Skipped]
    excluded: dict[str, int]
    corrections: list[Skipped]
    """Known sheet errors replaced by their documented value, per sample and field."""
    overrides: list[Skipped]
    """Rows of the overrides CSV, each with the sample it applied to."""
    estimates: list[Skipped]
    """Apexes estimated from the motion (the sheet's missing or impossible), each with its
    frame and confidence."""
    warnings: list[Skipped]
    frames: dict[str, str]
    """Where each source dataset's frames were found."""
    faces: list[Skipped]
    """Samples cropped to their face, each with its box and turn."""
    face_counts: dict[str, int]
    """Samples by what finding faces did to them: cropped, already a face crop, no face."""
    action_units: dict[str, dict[str, int]]
    """Per source dataset, ``coded``: samples whose sheet codes their AUs, of ``samples``
    (0 coded: the dataset has no AUs, e.g. SMIC-HS)."""
    ambiguous_action_units: list[Skipped]
    """Samples whose AU cell offers several codings ("or"), all kept as alternatives."""
    features_job_id: int
    """The queued job computing the new samples' flow (``GET .../features``)."""


class DatasetChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    blind_marking: StrictBool | None = Field(
        default=None,
        description="Experts see the others' verdicts on a sample only after giving their own.",
    )


class FeaturesJobOut(BaseModel):
    """How far computing a dataset's optical flow and strain has come."""

    id: int
    status: str
    """queued, running, succeeded, failed or cancelled."""
    active: bool
    """Queued or running: progress is still to come."""
    done: int
    total: int
    failed: list[str]
    """Samples without features, each with the reason."""
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: FeatureJob) -> FeaturesJobOut:
        return cls(
            **{name: getattr(job, name) for name in cls.model_fields if name != "active"},
            active=job.status in ACTIVE,
        )


class MarkProgress(BaseModel):
    """How far the experts' marking has come: what the counter in the browser shows.

    Everyone's counts stay while the dataset marks blind: they are sums over the whole
    dataset and say nothing of any one sample's verdicts.
    """

    samples: int
    verdicts: dict[str, int]
    """Experts' latest marks, by verdict."""
    marked: int
    """Samples with at least one expert's verdict."""
    my_verdicts: dict[str, int]
    """My latest marks, by verdict."""


class DatasetOut(MarkProgress):
    id: int
    name: str
    layout: str
    current_label_version_id: int | None
    blind_marking: bool
    """Whether experts see the others' verdicts on a sample only after giving their own."""
    labels: dict[str, int]
    """Samples per class in the current label version."""
    classes: list[str]
    """The classes samples can be labelled with, in the model's order."""
    sources: dict[str, int]
    """Samples per source dataset (casme2, samm, ... or a manifest's names)."""
    subjects: list[str]
    """Every subject name, sorted, for filters to suggest."""


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


@router.post("/import", status_code=201)
def import_dataset(
    body: ImportRequest, settings: AppSettings, jobs: Queue, user: Curator
) -> ImportSummary:
    """Read the layout and store its samples; their flow is then computed on the queue."""
    path = confined(settings, body.path, "path", "either")
    options = ImportOptions(
        sheet=confined(settings, body.sheet, "sheet"),
        frames=confined(settings, body.frames, "frames", "folder"),
        overrides=confined(settings, body.overrides, "overrides"),
        roster=confined(settings, body.roster, "roster"),
        corrections=body.corrections,
        estimates=body.estimates,
        classes=confined(settings, body.classes, "classes"),
        faces=body.faces,
        confine_to=tuple(settings.allowed_import_roots()),
        parts={d: confined(settings, v, f"parts.{d}", "either") for d, v in body.parts.items()},
        part_sheets={
            d: confined(settings, v, f"part_sheets.{d}") for d, v in body.part_sheets.items()
        },
    )
    try:
        report = read_dataset(body.layout, path, options)
        if not report.samples:
            reasons = "; ".join(str(i) for i in report.skipped[:3]) or "no samples found"
            raise ApiError(422, f"nothing to import from {body.path}: {reasons}", "path")
        with jobs.committing() as (session, outbox):
            dataset = store_import(session, body.name, body.layout, path, report, user.id)
            job = launch_features(session, dataset.id, user.id)
            assert job is not None  # a dataset stored just now has no features job yet
            outbox.features_jobs.append(job.id)
    except SheetError as exc:
        raise ApiError(422, str(exc), "path") from None
    except DatasetExists as exc:
        raise ApiError(409, str(exc), "name") from None
    return ImportSummary(
        dataset_id=dataset.id,
        imported=len(report.samples),
        skipped=[Skipped.of(i) for i in report.skipped],
        excluded=dict(report.excluded),
        corrections=[Skipped.of(i) for i in report.corrections],
        overrides=[Skipped.of(i) for i in report.overrides],
        estimates=[Skipped.of(i) for i in report.estimates],
        warnings=[Skipped.of(i) for i in report.warnings],
        frames={dataset: str(folder) for dataset, folder in report.frames.items()},
        faces=[Skipped.of(i) for i in report.faces],
        face_counts=dict(report.face_counts),
        action_units={
            d: {"coded": c, "samples": n} for d, (c, n) in report.with_action_units().items()
        },
        ambiguous_action_units=[Skipped.of(i) for i in report.ambiguous_action_units],
        features_job_id=job.id,
    )


def progress(session: DbSession, dataset: Dataset, me: User) -> MarkProgress:
    counts = verdict_counts(session, dataset.id, me.id)
    return MarkProgress(
        samples=session.execute(
            select(func.count()).where(Sample.dataset_id == dataset.id)
        ).scalar_one(),
        verdicts=counts.everyone,
        marked=counts.marked,
        my_verdicts=counts.mine,
    )


def describe(session: DbSession, dataset: Dataset, me: User) -> DatasetOut:
    labels = session.execute(
        select(SampleLabel.label, func.count())
        .where(SampleLabel.version_id == dataset.current_label_version_id)
        .group_by(SampleLabel.label)
    )
    sources = session.execute(
        select(Sample.source, func.count())
        .where(Sample.dataset_id == dataset.id)
        .group_by(Sample.source)
        .order_by(Sample.source)
    )
    return DatasetOut(
        **progress(session, dataset, me).model_dump(),
        id=dataset.id,
        name=dataset.name,
        layout=dataset.layout,
        current_label_version_id=dataset.current_label_version_id,
        blind_marking=dataset.blind_marking,
        labels={label: n for label, n in labels},
        classes=list(CLASSES),
        sources={source: n for source, n in sources},
        subjects=list(
            session.scalars(
                select(Sample.subject)
                .where(Sample.dataset_id == dataset.id)
                .distinct()
                .order_by(Sample.subject)
            )
        ),
    )


@router.get("")
def list_datasets(session: DbSession, me: Annotator) -> list[DatasetOut]:
    """Every imported dataset with its sample counts."""
    datasets = session.scalars(select(Dataset).order_by(Dataset.id))
    return [describe(session, d, me) for d in datasets]


@router.get("/{dataset_id}")
def get_dataset(dataset_id: DbId, session: DbSession, me: Annotator) -> DatasetOut:
    """One dataset: its layout, sources, classes, current label version and counts."""
    return describe(session, dataset_or_404(session, dataset_id), me)


@router.patch("/{dataset_id}")
def change_dataset(
    dataset_id: DbId, body: DatasetChange, session: DbSession, me: Curator
) -> DatasetOut:
    """Change a dataset's settings: whether it marks blind."""
    dataset = dataset_or_404(session, dataset_id)
    if body.blind_marking is not None:
        dataset.blind_marking = body.blind_marking
    session.flush()
    return describe(session, dataset, me)


@router.get("/{dataset_id}/progress")
def get_progress(dataset_id: DbId, session: DbSession, me: Annotator) -> MarkProgress:
    """The marking counts alone: cheap enough to reload after every mark."""
    return progress(session, dataset_or_404(session, dataset_id), me)


@router.get("/{dataset_id}/features")
def get_features_job(dataset_id: DbId, session: DbSession, _: Annotator) -> FeaturesJobOut | None:
    """The latest job computing the dataset's flow; null when none was ever queued."""
    job = latest_features_job(session, dataset_or_404(session, dataset_id).id)
    return None if job is None else FeaturesJobOut.of(job)


@router.post("/{dataset_id}/features", status_code=201)
def compute_features(dataset_id: DbId, jobs: Queue, user: Curator) -> FeaturesJobOut:
    """Queue the computation of every missing feature, e.g. after a cancelled job."""
    busy = ApiError(409, "this dataset's features are already being computed")
    try:
        with jobs.committing() as (session, outbox):
            job = launch_features(session, dataset_or_404(session, dataset_id).id, user.id)
            if job is None:
                raise busy
            outbox.features_jobs.append(job.id)
            out = FeaturesJobOut.of(job)
    except IntegrityError:  # another curator's job got in first
        raise busy from None
    return out


@router.post("/{dataset_id}/features/cancel")
def cancel_features_job(dataset_id: DbId, session: DbSession, _: Curator) -> FeaturesJobOut:
    """Stop the running job; the features computed so far are kept."""
    job = latest_features_job(session, dataset_or_404(session, dataset_id).id)
    if job is None or not cancel_features(job):
        raise ApiError(409, "no features job of this dataset is queued or running")
    session.flush()
    return FeaturesJobOut.of(job)
