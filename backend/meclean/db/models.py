"""Tables. Arrays (features, embeddings) stay in files; rows hold keys and small numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from annotated_types import Ge, Le
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from meclean.db.run_record import RecordJSON, RunConfigRecord, RunMethodRecord

MAX_ID = 2**63 - 1
DbId = Annotated[int, Ge(1), Le(MAX_ID)]
"""A row id as clients send it: positive and within the database's 64-bit integers, so a
larger number is a 422 naming the field, not an overflow deep in the driver."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; every time meclean stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Status(StrEnum):
    """Where a run, a run part or a features job stands; stored as its text."""

    WAITING = "waiting"
    """A run part waiting for other parts (the aggregation waits for every fold)."""
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DELETED = "deleted"
    """A run whose results were discarded; the record stays for the versions that name it."""


ACTIVE = (Status.QUEUED, Status.RUNNING)
"""Statuses of a run or job that is still wanted: waiting for a worker, or held by one."""

FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)


class PartKind(StrEnum):
    """The tasks a run is split into."""

    FOLDS = "folds"
    """A group of LOSO folds of one seed."""
    FINAL = "final"
    """The model trained on every sample, whose hidden layer the projection shows."""
    AGGREGATE = "aggregate"
    """Scoring the run once every other part succeeded."""


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[object, object]] = {
        dict[str, Any]: JSON,
        list[float]: JSON,
        list[int]: JSON,
        list[str]: JSON,
        datetime: DateTime(timezone=True),
    }


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    layout: Mapped[str] = mapped_column(String(20))
    source_path: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    current_label_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("label_versions.id", use_alter=True, name="fk_datasets_current_label_version")
    )
    blind_marking: Mapped[bool] = mapped_column(default=False)
    """Whether an expert sees the others' verdicts on a sample only after giving their own."""

    samples: Mapped[list[Sample]] = relationship(back_populates="dataset")


class Sample(Base):
    __tablename__ = "samples"
    __table_args__ = (UniqueConstraint("dataset_id", "source", "subject", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(50))
    """The source dataset within a composite: casme2, samm, smic or a manifest's name."""
    subject: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    emotion: Mapped[str] = mapped_column(String(50))
    original_label: Mapped[str] = mapped_column(String(20))
    onset_path: Mapped[str] = mapped_column(Text)
    apex_path: Mapped[str] = mapped_column(Text)
    offset_path: Mapped[str | None] = mapped_column(Text)
    apex_source: Mapped[str] = mapped_column(String(20))
    face_crop: Mapped[dict[str, Any] | None] = mapped_column()
    """The face box found at import that every frame is cropped to; None keeps them whole."""
    feature_key: Mapped[str | None] = mapped_column(String(64))
    action_units: Mapped[str | None] = mapped_column(String(200))
    """The AU cell of its sheet as written; None where the sheet coded none. Its AUs are
    the ``SampleActionUnit`` rows."""
    objective_class: Mapped[str | None] = mapped_column(String(20))
    """The class its AUs define, where the sheet gives one (SAMM's Objective Classes)."""

    dataset: Mapped[Dataset] = relationship(back_populates="samples")
    coded_units: Mapped[list[SampleActionUnit]] = relationship(
        cascade="all, delete-orphan", order_by="SampleActionUnit.id"
    )


class SampleActionUnit(Base):
    """One AU of a sample's coding; a cell offering several codings ("or") gives each its
    ``alternative``."""

    __tablename__ = "sample_action_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"), index=True)
    alternative: Mapped[int] = mapped_column(SmallInteger, default=0)
    number: Mapped[int] = mapped_column(SmallInteger, index=True)
    side: Mapped[str | None] = mapped_column(String(3))
    """L, R, T (top), B (bottom), A (asymmetric) or two joined by /, as coded; None: both
    sides or unstated."""
    intensity: Mapped[str | None] = mapped_column(String(3))
    """A (trace) to E (maximum), or a range such as A/B; None where not coded."""
    mark: Mapped[str | None] = mapped_column(String(5))
    """'k' for 4DME's (k), 'ref' for SAMM's ref(...)."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    """annotator, curator or admin."""
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    """Set for generated (one-time) passwords: nothing but a new password until changed."""
    """After failed logins, no attempt is checked before this time (it doubles each time)."""


class LoginThrottle(Base):
    """Failed logins of one name from one client address, whether or not the name exists
    (so a 429 reveals no account, and no one elsewhere can lock an expert out)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    """sha256 of the name (case-folded) and the client's address."""
    failures: Mapped[int] = mapped_column()
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)


class LoginSession(Base):
    """A signed-in browser: the cookie holds the token, the table only its hash."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class TimingVersion(Base):
    """One version of a sample's onset, apex and offset: the imported one is the sample's
    own columns; each expert's change (and each undo) is a row, with its parent, so the
    history is kept whole. The sample's columns always hold the current version."""

    __tablename__ = "timing_versions"
    __table_args__ = (UniqueConstraint("sample_id", "parent_id", name="uq_timing_one_successor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int] = mapped_column(default=0)
    """The version this one changed (0: the imported timing); unique per sample, so two
    changes made from the same version, in two tabs, cannot both land."""
    onset: Mapped[int]
    apex: Mapped[int]
    offset: Mapped[int | None]
    """Frame numbers, as the sheet writes them."""
    before: Mapped[dict[str, Any]]
    """The frames (numbers and paths) and apex source it replaced, for undo and diffs."""
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Mark(Base):
    """One expert verdict on one sample; marks are history, never updated in place.

    ``supersedes`` is the id of the same expert's previous mark on the sample (0 for the
    first); it is unique per (sample, expert), so two writes based on the same mark, from
    two tabs at once, cannot both land: each expert's history stays one line.
    """

    __tablename__ = "marks"
    __table_args__ = (
        Index("ix_marks_sample_user_id", "sample_id", "user_id", "id"),
        UniqueConstraint("sample_id", "user_id", "supersedes", name="uq_marks_one_successor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    supersedes: Mapped[int] = mapped_column(default=0)
    verdict: Mapped[str] = mapped_column(String(10))
    """clean, noisy or unsure."""
    typical: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    judged_label: Mapped[str | None] = mapped_column(String(20))
    """The sample's label when the verdict was given (None for marks older than this
    record): a verdict judges that label, not one given since."""
    should_be: Mapped[str | None] = mapped_column(String(20))
    """With a noisy or unsure verdict: the class the expert says the sample should have."""


class LabelVersion(Base):
    __tablename__ = "label_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("label_versions.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    source_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL", use_alter=True, name="fk_label_versions_run")
    )
    """The run whose relabels this version accepted, if any."""
    open_until: Mapped[datetime | None] = mapped_column()
    """Until when its author's next label decisions join it rather than start a version:
    one sitting, one version. None once closed (a run trained on it, or another
    expert's decision made a newer one)."""


class LabelChange(Base):
    """One sample's label changed in a label version: by whom, when, why, and from what."""

    __tablename__ = "label_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("label_versions.id", ondelete="CASCADE"), index=True
    )
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"))
    before: Mapped[str] = mapped_column(String(20))
    after: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL", use_alter=True, name="fk_label_changes_run")
    )
    """The run whose proposal it accepted (or whose acceptance it undid), if any."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SampleLabel(Base):
    """The label of one sample in one label version."""

    __tablename__ = "sample_labels"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("label_versions.id", ondelete="CASCADE"), primary_key=True
    )
    sample_id: Mapped[int] = mapped_column(
        ForeignKey("samples.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(20))


class Run(Base):
    """A training run; the worker fills its status, metrics and per-sample results."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    label_version_id: Mapped[int] = mapped_column(ForeignKey("label_versions.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    method: Mapped[RunMethodRecord] = mapped_column(RecordJSON(RunMethodRecord))
    config: Mapped[RunConfigRecord] = mapped_column(RecordJSON(RunConfigRecord))
    status: Mapped[str] = mapped_column(String(20), default=Status.QUEUED)
    """A ``Status``: queued, running, succeeded, failed, cancelled or deleted."""
    error: Mapped[str | None] = mapped_column(Text)
    traceback: Mapped[str | None] = mapped_column(Text)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    artifacts_key: Mapped[str | None] = mapped_column(String(200))
    """Folder (under the data directory) holding the run's arrays and weights."""

    parts: Mapped[list[RunPart]] = relationship(
        back_populates="run", order_by="RunPart.id", cascade="all, delete-orphan"
    )


class RunPart(Base):
    """One task of a run, which any worker may take: a group of LOSO folds of one seed, the
    final all-sample model, or the aggregation that scores the run."""

    __tablename__ = "run_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    """A ``PartKind``."""
    seed: Mapped[int] = mapped_column(default=0)
    folds: Mapped[list[int]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default=Status.WAITING)
    """A ``Status``: waiting (for other parts), queued, running, succeeded, failed or
    cancelled."""
    attempts: Mapped[int] = mapped_column(default=0)
    worker: Mapped[str | None] = mapped_column(String(200))
    device: Mapped[str | None] = mapped_column(String(50))
    started_at: Mapped[datetime | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    done: Mapped[int] = mapped_column(default=0)
    """Units of work finished (fold-epochs); ``total`` when the part succeeds."""
    total: Mapped[int] = mapped_column(default=1)
    loss: Mapped[float | None] = mapped_column()
    uf1: Mapped[float | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)

    run: Mapped[Run] = relationship(back_populates="parts")


class FeatureJob(Base):
    """Computing the optical flow and strain of a dataset's samples, queued at import."""

    __tablename__ = "feature_jobs"
    __table_args__ = (
        # At most one queued or running job per dataset, even when two curators click at once.
        Index(
            "ix_feature_jobs_one_active",
            "dataset_id",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=Status.QUEUED)
    """A ``Status``: queued, running, succeeded, failed or cancelled."""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    """Samples looked at so far, those already stored included."""
    total: Mapped[int] = mapped_column(default=0)
    failed: Mapped[list[str]] = mapped_column(default=list)
    """Why samples have no features: 'source/subject: reason', one per failed sample."""
    error: Mapped[str | None] = mapped_column(Text)


class ImportJob(Base):
    """Reading a dataset folder on the queue: its sheets, then its faces; the dataset is
    stored (and its features job queued) only once everything was read."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    """The dataset's name to be."""
    layout: Mapped[str] = mapped_column(String(20))
    request: Mapped[dict[str, Any]] = mapped_column()
    """The import's folder and options, its paths already confined to the import roots."""
    status: Mapped[str] = mapped_column(String(20), default=Status.QUEUED)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    phase: Mapped[str] = mapped_column(String(40), default="waiting for a worker")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    """Onset frames looked at for a face so far, of all of them (0 until the sheets are read)."""
    error: Mapped[str | None] = mapped_column(Text)
    error_field: Mapped[str | None] = mapped_column(String(40))
    """The request field the error concerns (path, name...)."""
    report: Mapped[dict[str, Any] | None] = mapped_column()
    """What the import read, corrected, estimated, cropped and skipped."""
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), index=True
    )


class RunSampleResult(Base):
    __tablename__ = "run_sample_results"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    sample_id: Mapped[int] = mapped_column(
        ForeignKey("samples.id", ondelete="CASCADE"), primary_key=True
    )
    prediction: Mapped[str] = mapped_column(String(20))
    probabilities: Mapped[list[float]] = mapped_column()
    seed_predictions: Mapped[list[str] | None] = mapped_column()
    """The class each seed's LOSO predicted, in the order of the run's seeds: what paired
    comparisons of runs resample. None for runs stored before it was kept."""
    flag_rate: Mapped[float] = mapped_column()
    final_loss: Mapped[float | None] = mapped_column()
    high_loss: Mapped[bool] = mapped_column(default=False)
    proposed_label: Mapped[str | None] = mapped_column(String(20))
    label_issue: Mapped[bool] = mapped_column(default=False)
    """Confident learning's verdict on the out-of-fold probabilities."""
    umap_x: Mapped[float | None] = mapped_column()
    umap_y: Mapped[float | None] = mapped_column()


class RelabelReview(Base):
    __tablename__ = "relabel_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    accepted: Mapped[bool | None] = mapped_column()
    """None withdraws the decision before it: the proposal is pending again."""
    replaced_label: Mapped[str | None] = mapped_column(String(20))
    """Of an acceptance: the label the sample had, which undoing it restores."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
