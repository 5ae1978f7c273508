"""The shapes of answers that several routes give, and the functions that fill them: a
sample with the marks its reader may see, a run with its progress, a CSV to download."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, overload

import numpy as np
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Row
from sqlalchemy.orm import Session

from meclean.data.labels import CLASSES
from meclean.data.marks import Verdict, experts_agree
from meclean.db.action_units import codings_of
from meclean.db.marks import latest_marks
from meclean.db.models import ACTIVE, Dataset, Run, RunSampleResult, Sample, Status, User
from meclean.db.run_record import RunConfigRecord
from meclean.db.users import user_names
from meclean.jobs.runs import ProgressSummary, run_progress
from meclean.ml.au_evidence import AuJudgement
from meclean.ml.metrics import one_class
from meclean.services.au_evidence import au_evidence
from meclean.services.marking import hidden_from

MAX_PAGE = 500
"""Samples one page holds at most."""


class MarkOut(BaseModel):
    id: int
    user: str
    verdict: str
    typical: bool
    note: str
    created_at: datetime
    judged_label: str | None
    """The label the verdict judged (None for marks recorded before labels were kept)."""
    on_another_label: bool
    """The sample was relabelled since: the verdict judged a label it no longer has."""
    should_be: str | None
    """With a noisy or unsure verdict: the class the expert says it should be."""


class SampleOut(BaseModel):
    id: int
    dataset_id: int
    source: str
    subject: str
    name: str
    emotion: str
    label: str
    """In the dataset's current label version."""
    marks: list[MarkOut]
    """Every expert's latest mark."""
    my_mark: MarkOut | None
    my_mark_id: int | None
    """Id of my latest mark, a retraction included: what a change of mine is based on."""
    agreement: bool | None
    """Whether the experts who marked it clean or noisy agree; None with fewer than two."""
    run_loss: float | None = None
    """With a ``run_id``: the run's final-model loss on the sample."""
    run_flag_rate: float | None = None
    """With a ``run_id``: how often the run's training flagged it."""
    action_units: str | None
    """Its AUs as its sheet coded them, normalised (``R12A+L14``; codings offered as
    alternatives joined by ' or '); None where the sheet codes none."""
    objective_class: str | None
    au_support: float | None
    """The probability of its current label given its AUs, from the other subjects of its
    source dataset; None where the AUs cannot judge it."""
    au_verdict: Literal["supported", "contested", "disputed"] | None
    """What its AUs say of its label: its label is the likeliest class given them
    (supported); another class is likelier (contested), and its label has less than 0.2
    (disputed). None where they cannot judge it."""
    au_likeliest: str | None
    """The class its AUs make likeliest."""
    au_disputed: bool
    """``au_verdict`` is 'disputed'."""


SAMPLE_COLUMNS = (
    Sample.id,
    Sample.dataset_id,
    Sample.source,
    Sample.subject,
    Sample.name,
    Sample.emotion,
    Sample.original_label,
    Sample.objective_class,
)
"""What a page shows of each sample: read as plain rows, not ORM objects."""


def mark_out(mark: Row, names: dict[int | None, str], label: str | None = None) -> MarkOut:
    """``label``: the sample's current label, against which the mark's is compared."""
    judged = mark.judged_label
    return MarkOut(
        id=mark.id,
        user=names[mark.user_id],
        verdict=mark.verdict,
        typical=mark.typical,
        note=mark.note,
        created_at=mark.created_at,
        judged_label=judged,
        on_another_label=judged is not None and label is not None and judged != label,
        should_be=mark.should_be,
    )


def describe_samples(
    session: Session, samples: Sequence[Sample | Row], labels: dict[int, str], me: User
) -> list[SampleOut]:
    """``samples``: Sample objects or rows of ``SAMPLE_COLUMNS``. On a dataset that marks
    blind, an annotator sees no one's marks and no agreement on a sample they never gave a
    verdict on, so the grid's filters on them cannot tell either; once seen, a retraction
    does not hide them again. Curators, who run the study, see every verdict."""
    names = user_names(session)
    hidden = hidden_from(session, me, ((s.id, s.dataset_id) for s in samples))
    codings = codings_of(session, [s.id for s in samples])
    judgements = {}
    for dataset_id in {s.dataset_id for s in samples}:
        judgements.update(au_evidence(session, session.get_one(Dataset, dataset_id)).judgements)
    by_sample: dict[int, list[Row]] = {}
    for mark in latest_marks(session, [s.id for s in samples], retracted=True):
        by_sample.setdefault(mark.sample_id, []).append(mark)
    out = []
    for s in samples:
        with_retracted = by_sample.get(s.id, [])
        marks = [m for m in with_retracted if m.verdict != Verdict.RETRACTED]
        mine = next((m for m in marks if m.user_id == me.id), None)
        my_latest = next((m for m in with_retracted if m.user_id == me.id), None)
        if s.id in hidden:
            marks = []
        label = labels.get(s.id, s.original_label)
        out.append(
            SampleOut(
                id=s.id,
                dataset_id=s.dataset_id,
                source=s.source,
                subject=s.subject,
                name=s.name,
                emotion=s.emotion,
                label=label,
                marks=[mark_out(m, names, label) for m in marks],
                my_mark=mark_out(mine, names, label) if mine else None,
                my_mark_id=my_latest.id if my_latest else None,
                agreement=experts_agree(m.verdict for m in marks),
                action_units=codings[s.id].code() if s.id in codings else None,
                objective_class=s.objective_class,
                **_au_fields(judgements.get(s.id), label),
            )
        )
    return out


def _au_fields(judgement: AuJudgement | None, label: str) -> dict[str, Any]:
    """What the AUs say of ``label``, if they judged that label (not an older one)."""
    if judgement is None or judgement.label != label:
        return {"au_support": None, "au_verdict": None, "au_likeliest": None, "au_disputed": False}
    return {
        "au_support": round(judgement.probability, 4),
        "au_verdict": judgement.verdict,
        "au_likeliest": judgement.likeliest,
        "au_disputed": judgement.disputed,
    }


class PartOut(BaseModel):
    id: int
    kind: str
    seed: int
    folds: list[int]
    status: str
    attempts: int
    worker: str | None
    """The worker's host and process id that took the part; shown to curators only."""
    device: str | None
    """Where the part trained (cpu, cuda:0); None until it has."""
    started_at: datetime | None
    finished_at: datetime | None
    done: int
    total: int
    error: str | None


class RunOut(BaseModel):
    id: int
    dataset_id: int
    label_version_id: int
    created_by: str | None
    method: dict[str, Any]
    epochs: int
    seeds: list[int]
    device: str
    protocol: str
    training: dict[str, Any] | None
    """The full training protocol the run recorded (optimiser, model, loss and batch rules)."""
    flow: dict[str, Any] | None
    timing_version: int
    """The dataset's latest change of timing when it was launched (0: the imported
    timing): the frames it trained on."""
    """How its features were computed (flow method, working size, output size)."""
    clean_samples: int | None
    clean_set_from: str | None
    """Where IDC's clean set came from: one expert's marks, or all experts by a consensus
    rule (for cleanlab's, the run it weighed them against)."""
    """How many samples IDC was told are clean, when the method uses marks."""
    status: str
    active: bool
    """Queued or running: progress is still to come."""
    has_results: bool
    """Succeeded: its results (projection, flags, per-sample verdicts) can be read."""
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress: ProgressSummary
    summary: dict[str, dict[str, float | None]] | None
    one_class: str | None = None
    """Set when the run predicts one class for nearly every sample (90% or more of its
    out-of-fold predictions, over its seeds): its UF1 then says little of its method."""


class RunDetail(RunOut):
    parts: list[PartOut]
    metrics: dict[str, Any] | None
    traceback: str | None


class SampleVerdict(BaseModel):
    """What a finished run says about one sample."""

    prediction: str
    """Out of fold, from the probabilities averaged over seeds."""
    probabilities: list[float]
    flag_rate: float
    final_loss: float | None
    high_loss: bool
    proposed_label: str | None

    @classmethod
    def fields_of(cls, result: RunSampleResult) -> dict[str, Any]:
        return cls.model_validate(result, from_attributes=True).model_dump()


def _clean_set_from(config: RunConfigRecord, names: dict[int | None, str]) -> str:
    if config.marks_user_id is not None:
        return f"the marks of {names.get(config.marks_user_id, 'a deleted user')}"
    if config.consensus == "cleanlab":
        return f"all experts weighed by cleanlab against run {config.consensus_run_id}"
    return f"all experts by {config.consensus}"


def _one_class(metrics: dict[str, Any] | None) -> str | None:
    """What a finished run predicts almost always, from its composite confusion matrices
    (their columns count its predictions per class)."""
    seeds = (metrics or {}).get("scores") or []
    if metrics is None or not seeds:
        return None
    predicted = sum(np.asarray(seed["composite"]["confusion"]).sum(0) for seed in seeds)
    found = one_class(predicted)
    return None if found is None else found.describe(metrics.get("classes") or CLASSES)


@overload
def run_out(run: Run, names: dict[int | None, str], detail: Literal[False] = False) -> RunOut: ...


@overload
def run_out(run: Run, names: dict[int | None, str], detail: Literal[True]) -> RunDetail: ...


def run_out(run: Run, names: dict[int | None, str], detail: bool = False) -> RunOut | RunDetail:
    clean = run.config.clean_sample_ids
    fields = dict(
        id=run.id,
        dataset_id=run.dataset_id,
        label_version_id=run.label_version_id,
        created_by=names.get(run.created_by),
        method=run.method.model_dump(exclude_none=True),
        epochs=run.config.epochs,
        seeds=run.config.seeds,
        device=run.config.device,
        protocol=run.config.protocol,
        training=run.config.training,
        flow=run.config.flow,
        timing_version=run.config.timing_version,
        clean_samples=None if clean is None else len(clean),
        clean_set_from=None if clean is None else _clean_set_from(run.config, names),
        status=run.status,
        active=run.status in ACTIVE,
        has_results=run.status == Status.SUCCEEDED,
        error=run.error,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        progress=run_progress(run),
        summary=(run.metrics or {}).get("summary"),
        one_class=_one_class(run.metrics),
    )
    if not detail:
        return RunOut(**fields)
    parts = [PartOut.model_validate(p, from_attributes=True) for p in run.parts]
    return RunDetail(**fields, parts=parts, metrics=run.metrics, traceback=run.traceback)


def attachment(*parts: str, suffix: str) -> dict[str, str]:
    """The header that has the browser save a download as a file named after its parts
    (the dataset's name, what it holds), reduced to characters safe in any header."""
    name = "-".join(re.sub(r"[^A-Za-z0-9._-]+", "_", p).strip("_") or "_" for p in parts)
    return {"Content-Disposition": f'attachment; filename="{name}{suffix}"'}


def csv_download(content: str, *parts: str) -> Response:
    """A CSV the browser saves as a file named after the dataset and what it holds."""
    return Response(
        content, media_type="text/csv; charset=utf-8", headers=attachment(*parts, suffix=".csv")
    )
