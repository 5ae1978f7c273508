"""What a run asked for becomes before it starts: the method with its parameters resolved,
the clean set, the folds, and how long it should take. Checked before anything is queued."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meclean.data.labels import CLASSES
from meclean.data.marks import Verdict
from meclean.db.labels import labels_of
from meclean.db.marks import Consensus, grades
from meclean.db.models import Dataset, DbId, LabelVersion, Run, Sample, Status, as_utc
from meclean.ml.methods import (
    DEFAULT_ALPHA,
    METHOD_NAMES,
    PAPER_EPOCHS,
    NoisyLabelMethod,
    make_method,
)
from meclean.ml.protocols import Protocol, TrainConfig, protocol_config
from meclean.services.consensus import experts_weighed, weighing_run
from meclean.services.errors import Invalid

ESTIMATE_FROM_RUNS = 8
"""The finished runs of a dataset whose pace estimates the next one's duration."""


class RunError(Invalid):
    """A run that cannot be launched as asked; ``field`` names the offending input."""


class RunOptions(BaseModel):
    """How to train, as a curator chooses it: the one definition of a launch's options,
    their bounds and defaults (the API's launch body adds who chose IDC's clean set)."""

    # A misspelt option is an error, not a default silently used.
    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Literal[METHOD_NAMES]  # type: ignore[valid-type]
    alpha: float = Field(
        DEFAULT_ALPHA,
        ge=0,
        le=10,
        description="high loss: above mean + alpha * std (LTM and ILC also train by it)",
    )
    q: float | None = Field(None, gt=0, le=100, description="q-percentile (%) or GCE's q")
    warmup_epochs: int | None = Field(
        None, ge=0, le=2000, description="default: the paper's share of the epochs"
    )
    epochs: int = Field(PAPER_EPOCHS, ge=1, le=2000)
    seeds: int = Field(1, ge=1, le=10)
    protocol: Protocol = Field(
        "meclean",
        description="meclean (logits, SSSNet24, scaled inputs) or paper (as the published "
        "code: double softmax, SSSNet 28, unscaled inputs, its LTM and IDC batches)",
    )
    label_version_id: DbId | None = Field(None, description="default: the current version")
    consensus: Consensus | Literal["cleanlab"] = Field(
        "majority",
        description="IDC's clean set from all experts: majority, any-noisy, or cleanlab "
        "(each expert weighed by their estimated quality against a finished run)",
    )
    consensus_run_id: DbId | None = Field(
        None,
        description="cleanlab's consensus: the finished run to weigh the experts against; "
        "default the best by composite UF1 that did not train on marks",
    )
    device: Literal["auto", "cpu", "cuda"] = "auto"
    tasks_per_seed: int = Field(4, ge=1, le=68, description="fold groups per seed")
    """Fold groups per seed, each a task another worker may take."""


class RunRequest(RunOptions):
    """What a curator asks for; everything else about the run follows from it."""

    marks_user_id: int | None = None
    """IDC's clean set from this expert's marks; ``None``: all experts by ``consensus``."""


@dataclass(frozen=True)
class RunPlan:
    method: NoisyLabelMethod
    """With every parameter resolved (``describe()``), warm-ups scaled to the epochs."""
    protocol: TrainConfig
    label_version_id: int
    subjects: int
    """LOSO folds per seed."""
    clean_ids: list[int] | None
    """IDC's clean set; None for methods without one."""
    clean_per_class: dict[str, int] | None
    consensus_run_id: int | None
    """The run cleanlab weighed the experts against, for a cleanlab consensus."""
    estimate_s: float | None
    """From the pace of this dataset's last finished runs on this server; None before any."""


def plan_run(session: Session, dataset: Dataset, request: RunRequest) -> RunPlan:
    """The run ``request`` describes, or a RunError naming what makes it impossible."""
    try:
        method = make_method(
            request.method,
            alpha=request.alpha,
            q=request.q,
            warmup_epochs=request.warmup_epochs,
            epochs=request.epochs,
        )
    except ValueError as exc:
        raise RunError(str(exc), _field_of(str(exc))) from None
    try:
        protocol = protocol_config(request.protocol, epochs=request.epochs)
    except ValueError as exc:
        raise RunError(str(exc), "protocol") from None
    version_id = request.label_version_id or dataset.current_label_version_id
    version = session.get(LabelVersion, version_id) if version_id else None
    if version is None or version.dataset_id != dataset.id:
        raise RunError(f"no label version {version_id} in this dataset", "label_version_id")
    clean_ids = clean_per_class = consensus_run = None
    about_marks = sorted(
        {"consensus", "consensus_run_id", "marks_user_id"} & request.model_fields_set
    )
    if about_marks and not method.needs_marks:
        # Recording them would claim the run used marks it never read.
        raise RunError(
            f"{method.name} trains on no marks; leave out {about_marks[0]}", about_marks[0]
        )
    if request.consensus == "cleanlab" and request.marks_user_id is not None:
        raise RunError(
            "cleanlab weighs all experts together: choose it or one expert's marks", "consensus"
        )
    if request.consensus_run_id is not None and request.consensus != "cleanlab":
        raise RunError("a run to weigh the experts against is for cleanlab", "consensus_run_id")
    if method.needs_marks:
        if request.consensus == "cleanlab":
            consensus_run = _weighed_against(session, dataset.id, request.consensus_run_id)
        clean_ids, clean_per_class = _clean_set(
            session, dataset, version.id, request, consensus_run
        )
        missing = [c for c, n in clean_per_class.items() if n == 0]
        if missing:
            # Trained on a clean set without a class, the warm-up model never predicts it.
            raise RunError(
                f"{method.name} needs samples marked clean in every class; none in "
                f"{', '.join(missing)} (clean set: {_counts(clean_per_class)})",
                "marks_user_id",
            )
    subjects = session.execute(
        select(func.count()).select_from(
            select(Sample.source, Sample.subject)
            .where(Sample.dataset_id == dataset.id)
            .distinct()
            .subquery()
        )
    ).scalar_one()
    if subjects < 2:
        raise RunError("leave-one-subject-out needs at least two subjects", "dataset_id")
    return RunPlan(
        method,
        protocol,
        version.id,
        subjects,
        clean_ids,
        clean_per_class,
        consensus_run.id if consensus_run else None,
        _estimate_s(
            session,
            dataset.id,
            work_units(request.epochs, request.seeds, subjects),
            request.protocol,
        ),
    )


def _weighed_against(session: Session, dataset_id: int, run_id: int | None) -> Run:
    try:
        run = weighing_run(session, dataset_id, run_id, "consensus_run_id")
    except Invalid as exc:
        raise RunError(exc.message, exc.field) from None
    if run is None:
        raise RunError(
            "cleanlab's consensus weighs the experts against a model: it needs a finished "
            "run of this dataset",
            "consensus",
        )
    return run


def _field_of(message: str) -> str:
    if "warm-up" in message:
        return "warmup_epochs"
    return "q" if "has no q" in message else "method"


def _clean_set(
    session: Session,
    dataset: Dataset,
    version_id: int,
    request: RunRequest,
    consensus_run: Run | None,
) -> tuple[list[int], dict[str, int]]:
    labels = labels_of(session, version_id)
    if consensus_run is not None:
        weighed = experts_weighed(session, dataset.id, consensus_run, labels)
        if weighed.reason:
            raise RunError(weighed.reason, "consensus")
        clean_ids = sorted(s for s, v in weighed.verdicts.items() if v == Verdict.CLEAN)
    else:
        rule: Consensus = "majority" if request.consensus == "cleanlab" else request.consensus
        graded = grades(session, dataset.id, request.marks_user_id, rule, labels)
        clean_ids = sorted(s for s, grade in graded.items() if grade >= 1)
    counts = Counter(labels[s] for s in clean_ids if s in labels)
    return clean_ids, {c: counts[c] for c in CLASSES}


def _counts(per_class: dict[str, int]) -> str:
    return ", ".join(f"{c} {n}" for c, n in per_class.items())


def work_units(epochs: int, seeds: int, folds: int) -> int:
    """What a run's duration grows with: every epoch of every fold of every seed, and of
    the final model trained on all samples."""
    return epochs * seeds * (folds + 1)


def duration_estimate(history: Sequence[tuple[float, float]], work: float) -> float | None:
    """Seconds for ``work`` units from earlier runs' (units, seconds): a fixed part (loading,
    the projection, scoring) plus a pace per unit, fitted by least squares once the runs
    differ in size; from the pace alone before. None without history."""
    if not history:
        return None
    units = np.array([u for u, _ in history], float)
    seconds = np.array([t for _, t in history], float)
    if len(set(units.tolist())) >= 2:
        pace, fixed = np.polyfit(units, seconds, 1)
        if pace > 0 and fixed >= 0:
            return float(fixed + pace * work)
    # One size only (or a fit without sense): the median pace, all of it per unit.
    return float(np.median(seconds / units) * work)


def _estimate_s(session: Session, dataset_id: int, work: int, protocol: str) -> float | None:
    """Seconds for ``work`` units, from the dataset's last finished runs on this server: those
    of the same protocol (its network differs in size) once there are two, else all."""
    runs = session.execute(
        select(Run.started_at, Run.finished_at, Run.config)
        .where(
            Run.dataset_id == dataset_id,
            Run.status == Status.SUCCEEDED,
            Run.started_at.is_not(None),
        )
        .order_by(Run.id.desc())
        .limit(ESTIMATE_FROM_RUNS)
    ).all()
    timed = [
        (
            config.protocol,
            work_units(config.epochs, len(config.seeds), config.folds or 1),
            (as_utc(finished) - as_utc(started)).total_seconds(),
        )
        for started, finished, config in runs
        if started is not None and finished is not None
    ]
    alike = [(units, s) for p, units, s in timed if p == protocol]
    return duration_estimate(alike if len(alike) >= 2 else [(u, s) for _, u, s in timed], work)
