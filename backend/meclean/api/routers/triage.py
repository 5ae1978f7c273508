"""Review next: a dataset's samples in order of how suspicious their labels look."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.api.deps import (
    Annotator,
    CommittingRoute,
    DbSession,
    dataset_or_404,
)
from meclean.api.errors import ApiError
from meclean.api.schemas import MAX_PAGE, SAMPLE_COLUMNS, SampleOut, describe_samples
from meclean.data.labels import CLASSES
from meclean.data.marks import experts_agree
from meclean.db.labels import current_version_id, labels_of
from meclean.db.marks import latest_marks
from meclean.db.models import Dataset, DbId, Run, RunSampleResult, Sample, User
from meclean.ml.triage import (
    flagged_by_run,
    label_quality,
    out_of_fold_loss,
    small_data_caveats,
    suspicion,
)
from meclean.services.marking import hidden_from
from meclean.services.runs import finished_run, reference_run

router = APIRouter(prefix="/api", tags=["review"], route_class=CommittingRoute)
MAX_RUNS = 5


class Signals(BaseModel):
    """What makes a sample suspicious, each averaged over the chosen runs."""

    loss: float
    """Out-of-fold cross-entropy of its current label."""
    flag_rate: float
    label_quality: float
    """Confident learning's normalized margin: near 0, another class is preferred."""
    disagreement: bool
    """Experts' clean and noisy verdicts on it disagree."""


class TriageItem(BaseModel):
    position: int
    """0-based place in the queue."""
    score: float
    """Mean percentile rank of the signals: 1 is the most suspicious."""
    signals: Signals
    flagged: bool
    """A chosen run flagged it (high loss, flag rate >= 0.5 or a confident-learning issue)
    while it had the label it has now; a relabelled sample's old flags do not carry over."""
    marks_hidden: bool
    """The dataset marks blind and I have not marked it: others' verdicts are not shown
    and count for no disagreement."""
    caveats: list[str]
    """Why a flag here means less than it seems (a rare class, a small subject)."""
    sample: SampleOut


class TriageQueue(BaseModel):
    run_ids: list[int]
    total: int
    """Samples in the queue: all, or those the experts disagree on."""
    reviewed: int
    """Samples I have marked."""
    flagged: int
    flagged_unreviewed: int
    """Flagged samples I have not marked yet."""
    next_unreviewed: int | None
    """Position of the first sample I have not marked; None when I marked every one."""
    order: list[int] | None
    """With ``with_order``: every sample id of the queue, in its order."""
    items: list[TriageItem]


@dataclass(frozen=True)
class _RunOutcomes:
    """A run's per-sample outcomes, aligned to the dataset's samples in id order."""

    probabilities: np.ndarray
    flag_rate: np.ndarray
    flagged: np.ndarray


def _chosen_runs(session: Session, dataset: Dataset, run_ids: list[int]) -> list[Run]:
    if not run_ids:
        best = reference_run(session, dataset.id)
        if best is None:
            raise ApiError(409, "no run has finished on this dataset yet: launch one first")
        return [best]
    return [finished_run(session, dataset.id, run_id) for run_id in dict.fromkeys(run_ids)]


def _outcomes(
    session: Session, run: Run, sample_ids: list[int], current: dict[int, str]
) -> _RunOutcomes:
    """The run's outcomes; its flags and flag rates judged the labels of its own version,
    so they are dropped for samples relabelled since (their loss is recomputed instead)."""
    rows = {
        r.sample_id: r
        for r in session.execute(
            select(
                RunSampleResult.sample_id,
                RunSampleResult.probabilities,
                RunSampleResult.flag_rate,
                RunSampleResult.high_loss,
                RunSampleResult.label_issue,
            ).where(RunSampleResult.run_id == run.id)
        )
    }
    missing = [s for s in sample_ids if s not in rows]
    if missing:
        raise ApiError(409, f"run {run.id} has no result for samples {missing[:10]}", "run_id")
    ordered = [rows[s] for s in sample_ids]
    trained_on = labels_of(session, run.label_version_id)
    same = np.array([trained_on.get(s) == current[s] for s in sample_ids])
    flag_rate = np.array([r.flag_rate for r in ordered]) * same
    return _RunOutcomes(
        probabilities=np.array([r.probabilities for r in ordered]),
        flag_rate=flag_rate,
        flagged=flagged_by_run(
            np.array([r.high_loss for r in ordered]),
            np.array([r.label_issue for r in ordered]),
            flag_rate,
        )
        & same,
    )


def _disagreement(
    session: Session, sample_ids: list[int], me: User, hidden: set[int]
) -> tuple[np.ndarray, set[int]]:
    """Whether experts disagree on each sample, and the samples I have marked. On samples
    whose others' verdicts are ``hidden`` from me, disagreement stays unseen too."""
    verdicts: dict[int, list[str]] = {}
    mine = set()
    for mark in latest_marks(session, sample_ids):
        if mark.user_id == me.id:
            mine.add(mark.sample_id)
        verdicts.setdefault(mark.sample_id, []).append(mark.verdict)
    disagree = np.array(
        [experts_agree(verdicts.get(s, ())) is False and s not in hidden for s in sample_ids]
    )
    return disagree, mine


@router.get("/datasets/{dataset_id}/triage")
def triage(
    dataset_id: DbId,
    session: DbSession,
    me: Annotator,
    run_id: Annotated[
        list[DbId],
        Query(
            max_length=MAX_RUNS,
            description="finished runs to judge by; default the best by composite UF1",
        ),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    disagreement: Annotated[
        bool, Query(description="only samples whose experts disagree: the disagreement queue")
    ] = False,
    sample_id: Annotated[
        DbId | None, Query(description="just this sample's item, at its place in the queue")
    ] = None,
    with_order: Annotated[
        bool, Query(description="also every sample id in queue order (a snapshot to step by)")
    ] = False,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> TriageQueue:
    """The samples, most suspicious first, by the chosen runs and the experts' marks.

    A mark can move samples (experts who disagree raise one): a reviewer steps through a
    snapshot of the order (``with_order``) and asks for each sample by ``sample_id``."""
    dataset = dataset_or_404(session, dataset_id)
    runs = _chosen_runs(session, dataset, run_id)
    rows = session.execute(
        select(*SAMPLE_COLUMNS).where(Sample.dataset_id == dataset.id).order_by(Sample.id)
    ).all()
    ids = [r.id for r in rows]
    current = labels_of(session, current_version_id(dataset))
    labels = np.array([CLASSES.index(current[i]) for i in ids])
    outcomes = [_outcomes(session, run, ids, current) for run in runs]
    per_run = [
        {
            "loss": out_of_fold_loss(labels, o.probabilities),
            "flag_rate": o.flag_rate,
            "label_quality": label_quality(labels, o.probabilities),
        }
        for o in outcomes
    ]
    hidden = hidden_from(session, me, ((s, dataset.id) for s in ids))
    disagree, mine = _disagreement(session, ids, me, hidden)
    score = suspicion(per_run, disagree)
    order = np.lexsort((np.array(ids), -score))
    if disagreement:
        order = order[disagree[order]]
    flagged = np.any([o.flagged for o in outcomes], axis=0)
    reviewed = np.array([i in mine for i in ids])
    unreviewed = [p for p, k in enumerate(order) if not reviewed[k]]
    queued = np.zeros(len(ids), bool)
    queued[order] = True
    page = order[offset : offset + limit]
    if sample_id is not None:
        if sample_id not in ids:
            raise ApiError(422, f"no sample {sample_id} in this dataset", "sample_id")
        k = ids.index(sample_id)
        page = order[order == k]
        offset = int(np.flatnonzero(order == k)[0]) if len(page) else 0
    described = describe_samples(session, [rows[k] for k in page], current, me)
    class_sizes = Counter(int(v) for v in labels)
    subject_sizes = Counter((r.source, r.subject) for r in rows)
    items = [
        TriageItem(
            position=offset + n,
            score=round(float(score[k]), 4),
            signals=Signals(
                loss=round(float(np.mean([r["loss"][k] for r in per_run])), 4),
                flag_rate=round(float(np.mean([r["flag_rate"][k] for r in per_run])), 3),
                label_quality=round(float(np.mean([r["label_quality"][k] for r in per_run])), 4),
                disagreement=bool(disagree[k]),
            ),
            flagged=bool(flagged[k]),
            marks_hidden=ids[k] in hidden,
            caveats=small_data_caveats(
                class_sizes[int(labels[k])],
                subject_sizes[(rows[k].source, rows[k].subject)],
                current[ids[k]],
                f"{rows[k].source}/{rows[k].subject}",
            ),
            sample=sample,
        )
        for n, (k, sample) in enumerate(zip(page, described, strict=True))
    ]
    return TriageQueue(
        run_ids=[r.id for r in runs],
        total=len(order),
        reviewed=int((reviewed & queued).sum()),
        flagged=int((flagged & queued).sum()),
        flagged_unreviewed=int((flagged & ~reviewed & queued).sum()),
        next_unreviewed=unreviewed[0] if unreviewed else None,
        order=[ids[k] for k in order] if with_order else None,
        items=items,
    )
