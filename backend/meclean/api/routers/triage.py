"""Review next: a dataset's samples in order of how suspicious their labels look."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from meclean.api.deps import Annotator, AppSettings, CommittingRoute, DbSession, dataset_or_404
from meclean.api.schemas import MAX_PAGE, SAMPLE_COLUMNS, SampleOut, describe_samples
from meclean.data.feature_store import FeatureStore
from meclean.db.models import DbId, Sample
from meclean.ml.triage import SIGNALS
from meclean.services.review_queue import MAX_RUNS, review_queue

Signal = Literal[SIGNALS]  # type: ignore[valid-type]

router = APIRouter(prefix="/api", tags=["review"], route_class=CommittingRoute)


class Signals(BaseModel):
    """What makes a sample suspicious; the runs' signals averaged over the chosen runs
    (None when the queue has no run: ranked by its AUs)."""

    loss: float | None
    """Out-of-fold cross-entropy of its current label."""
    flag_rate: float | None
    label_quality: float | None
    """Confident learning's normalized margin: near 0, another class is preferred."""
    disagreement: bool
    """Experts' clean and noisy verdicts on it disagree."""
    au_support: float | None
    """The probability of its label given its AUs, out of subject; None where they cannot
    judge it."""
    au_reason: str | None
    """Why, in words, from the other subjects' counts."""
    timing: list[str] | None
    """What is doubtful in its annotated timing (none: an empty list); None until the
    dataset's features job has measured the motion."""


class TriageItem(BaseModel):
    position: int
    """0-based place in the queue."""
    score: float
    """Mean percentile rank of the signals: 1 is the most suspicious."""
    signals: Signals
    flagged: bool
    """A chosen run flagged it (high loss, flag rate >= 0.5 or a confident-learning issue)
    while it had the label it has now (a relabelled sample's old flags do not carry over),
    or, ranking by AUs, its AUs dispute its label."""
    marks_hidden: bool
    """The dataset marks blind and I have not marked it: others' verdicts are not shown
    and count for no disagreement."""
    caveats: list[str]
    """Why a flag here means less than it seems (a rare class, a small subject)."""
    sample: SampleOut


class TriageQueue(BaseModel):
    run_ids: list[int]
    signals: list[str]
    """The signals that ranked it."""
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


@router.get("/datasets/{dataset_id}/triage")
def triage(
    dataset_id: DbId,
    session: DbSession,
    settings: AppSettings,
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
    signal: Annotated[
        list[Signal],
        Query(
            max_length=len(SIGNALS),
            description="the signals to rank by; default every one there is (the runs', "
            "the experts' disagreement, and the AUs' where the sheets coded them)",
        ),
    ] = [],  # noqa: B006 - FastAPI copies query defaults
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> TriageQueue:
    """The samples, most suspicious first, by the chosen runs, the experts' marks and the
    AUs' evidence; before any run has finished, by the AUs alone where they were coded.

    A mark can move samples (experts who disagree raise one): a reviewer steps through a
    snapshot of the order (``with_order``) and asks for each sample by ``sample_id``."""
    dataset = dataset_or_404(session, dataset_id)
    store = FeatureStore(settings.feature_dir)
    queue = review_queue(session, store, dataset, me, run_id, disagreement, signal)
    order, score, ids = queue.order, queue.score, [r.id for r in queue.rows]
    page = order[offset : offset + limit]
    if sample_id is not None:
        place = queue.position(sample_id)
        page = order[place : place + 1] if place is not None else order[:0]
        offset = place or 0
    rows = {
        r.id: r
        for r in session.execute(select(*SAMPLE_COLUMNS).where(Sample.id.in_(ids[k] for k in page)))
    }
    described = describe_samples(session, [rows[ids[k]] for k in page], queue.current, me)
    loss, flag_rate, quality = (queue.mean(s) for s in ("loss", "flag_rate", "label_quality"))
    flagged, reviewed = queue.flagged, queue.reviewed
    queued = np.zeros(len(ids), bool)
    queued[order] = True
    unreviewed = [p for p, k in enumerate(order) if not reviewed[k]]
    items = [
        TriageItem(
            position=offset + n,
            score=round(float(score[k]), 4),
            signals=Signals(
                loss=None if loss is None else round(float(loss[k]), 4),
                flag_rate=None if flag_rate is None else round(float(flag_rate[k]), 3),
                label_quality=None if quality is None else round(float(quality[k]), 4),
                disagreement=bool(queue.disagreement[k]),
                au_support=sample.au_support,
                au_reason=judged.reason if (judged := queue.au_judgements[k]) else None,
                timing=None
                if queue.timing_doubts is None
                else [c.message for c in queue.timing_doubts[k]],
            ),
            flagged=bool(flagged[k]),
            marks_hidden=ids[k] in queue.hidden,
            caveats=queue.caveats(k),
            sample=sample,
        )
        for n, (k, sample) in enumerate(zip(page, described, strict=True))
    ]
    return TriageQueue(
        run_ids=[r.id for r in queue.runs],
        signals=list(queue.signals),
        total=len(order),
        reviewed=int((reviewed & queued).sum()),
        flagged=int((flagged & queued).sum()),
        flagged_unreviewed=int((flagged & ~reviewed & queued).sum()),
        next_unreviewed=unreviewed[0] if unreviewed else None,
        order=[ids[k] for k in order] if with_order else None,
        items=items,
    )
