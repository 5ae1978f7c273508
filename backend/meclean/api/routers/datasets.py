"""Datasets: list, settings, counts per class and verdict, and their features job (the
import itself is in ``imports``)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from meclean.api.deps import (
    Annotator,
    CommittingRoute,
    Curator,
    DbSession,
    Queue,
    dataset_or_404,
)
from meclean.api.errors import ApiError
from meclean.data.labels import CLASSES
from meclean.db.marks import verdict_counts
from meclean.db.models import ACTIVE, Dataset, DbId, FeatureJob, Sample, SampleLabel, User
from meclean.jobs.features import cancel_features, latest_features_job, launch_features

router = APIRouter(prefix="/api/datasets", tags=["datasets"], route_class=CommittingRoute)


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
    subjects_by_source: dict[str, list[str]]
    """The subjects of each source dataset, sorted: a bare "6" is SAMM's 006, not CASME II's."""


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
    pairs = session.execute(
        select(Sample.source, Sample.subject)
        .where(Sample.dataset_id == dataset.id)
        .distinct()
        .order_by(Sample.source, Sample.subject)
    ).all()
    by_source: dict[str, list[str]] = {}
    for source, subject in pairs:
        by_source.setdefault(source, []).append(subject)
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
        subjects=sorted({subject for _, subject in pairs}),
        subjects_by_source=by_source,
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
    if job is None or not cancel_features(session, job):
        raise ApiError(409, "no features job of this dataset is queued or running")
    session.flush()
    return FeaturesJobOut.of(job)
