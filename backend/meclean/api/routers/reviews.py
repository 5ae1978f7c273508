"""A run's projection with its relabel proposals, and the decisions on them: accept,
reject, or undo (the rules live in ``services/relabels.py``)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import aliased

from meclean.api.deps import Annotator, CommittingRoute, Curator, DbSession, run_or_404
from meclean.data.labels import CLASSES
from meclean.db.marks import latest_marks
from meclean.db.models import (
    Dataset,
    DbId,
    RunSampleResult,
    Sample,
    SampleLabel,
    User,
)
from meclean.db.users import user_names
from meclean.services.marking import hidden_from
from meclean.services.relabels import ReviewState, decide, latest_reviews, review_state, withdraw
from meclean.services.runs import succeeded

router = APIRouter(prefix="/api", tags=["runs"], route_class=CommittingRoute)


class ExpertVerdict(BaseModel):
    user: str
    verdict: str
    judged_label: str | None
    """The label the verdict judged; the sample may have another now."""
    should_be: str | None


class Projection(BaseModel):
    """Columns of equal length, ready for one Plotly scattergl trace per class."""

    classes: list[str]
    sample_id: list[int]
    name: list[str]
    x: list[float]
    y: list[float]
    label: list[str]
    """In the run's label version."""
    current_label: list[str]
    prediction: list[str]
    proposed_label: list[str | None]
    high_loss: list[bool]
    final_loss: list[float | None]
    """The final model's loss on each sample: what ``high_loss`` thresholds at the run's
    alpha, and what the browser re-thresholds at another."""
    subject: list[str]
    source: list[str]
    flag_rate: list[float]
    probabilities: list[list[float]]
    """Out-of-fold class probabilities in ``classes`` order, averaged over seeds."""
    review: list[ReviewState | None]
    """The latest decision on each proposal; None while pending (or taken back)."""
    verdicts: list[list[ExpertVerdict]]
    """Every expert's latest verdict on each sample, with the label it judged (none where
    the dataset marks blind to me and I have not judged the sample)."""


class RelabelReviewIn(BaseModel):
    sample_ids: list[DbId] = Field(min_length=1, max_length=10_000)
    accept: bool
    replace_changed: bool = Field(
        False,
        description="Also accept where an expert changed the label after the run's label "
        "version, replacing their label; without it such samples are a 409 that names them.",
    )
    override_clean: bool = Field(
        False,
        description="Also accept where an expert's latest verdict calls the sample's label "
        "clean; without it such samples are a 409 that names them and the experts.",
    )


class RelabelReviewOut(BaseModel):
    reviewed: int
    label_version_id: int | None
    """The label version holding the accepted relabels (the curator's version of this
    sitting, or a new one); None when every accepted sample already had its proposal."""
    unchanged: list[int]
    """Accepted samples whose current label already is the proposal."""


class RelabelUndoIn(BaseModel):
    sample_ids: list[DbId] = Field(min_length=1, max_length=10_000)


class RelabelUndoOut(BaseModel):
    withdrawn: int
    """Decisions taken back: those proposals are pending again."""
    label_version_id: int | None
    """The new version restoring the labels accepted relabels replaced; None when only
    rejections were taken back."""


@router.get("/runs/{run_id}/projection")
def projection(run_id: DbId, session: DbSession, me: Annotator) -> Projection:
    """The final model's UMAP of every sample, with flags, proposals and their reviews."""
    run = succeeded(run_or_404(session, run_id))
    dataset = session.get_one(Dataset, run.dataset_id)
    in_run, current = aliased(SampleLabel), aliased(SampleLabel)
    # Plain columns, not ORM objects: this is 10,000 rows for a large dataset.
    rows = session.execute(
        select(
            Sample.id,
            Sample.source + "/" + Sample.subject + "/" + Sample.name,
            RunSampleResult.umap_x,
            RunSampleResult.umap_y,
            in_run.label,
            current.label,
            RunSampleResult.prediction,
            RunSampleResult.proposed_label,
            RunSampleResult.high_loss,
            RunSampleResult.flag_rate,
            RunSampleResult.probabilities,
            RunSampleResult.final_loss,
            Sample.subject,
            Sample.source,
        )
        .join(RunSampleResult, RunSampleResult.sample_id == Sample.id)
        .join(in_run, (in_run.sample_id == Sample.id) & (in_run.version_id == run.label_version_id))
        .join(
            current,
            (current.sample_id == Sample.id)
            & (current.version_id == dataset.current_label_version_id),
        )
        .where(RunSampleResult.run_id == run_id)
        .order_by(Sample.id)
    ).all()
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[]] * 14
    ids = columns[0]
    reviews = latest_reviews(session, run.id)
    return Projection(
        classes=list(CLASSES),
        sample_id=ids,
        name=columns[1],
        x=[round(v or 0.0, 4) for v in columns[2]],
        y=[round(v or 0.0, 4) for v in columns[3]],
        label=columns[4],
        current_label=columns[5],
        prediction=columns[6],
        proposed_label=columns[7],
        high_loss=columns[8],
        flag_rate=[round(v, 3) for v in columns[9]],
        probabilities=[[round(p, 3) for p in ps] for ps in columns[10]],
        final_loss=[None if v is None else round(v, 5) for v in columns[11]],
        subject=[
            f"{source}/{subject}" for subject, source in zip(columns[12], columns[13], strict=True)
        ],
        source=columns[13],
        review=[review_state(reviews.get(i)) for i in ids],
        verdicts=_verdicts(session, dataset, ids, me),
    )


def _verdicts(
    session: DbSession, dataset: Dataset, ids: list[int], me: User
) -> list[list[ExpertVerdict]]:
    hidden = hidden_from(session, me, ((i, dataset.id) for i in ids))
    names = user_names(session)
    found: dict[int, list[ExpertVerdict]] = {}
    for mark in latest_marks(session, ids):
        if mark.sample_id not in hidden:
            found.setdefault(mark.sample_id, []).append(
                ExpertVerdict(
                    user=names[mark.user_id],
                    verdict=mark.verdict,
                    judged_label=mark.judged_label,
                    should_be=mark.should_be,
                )
            )
    return [found.get(i, []) for i in ids]


@router.post("/runs/{run_id}/relabels")
def review_relabels(
    run_id: DbId, body: RelabelReviewIn, session: DbSession, user: Curator
) -> RelabelReviewOut:
    """Accept or reject the run's proposed relabels; accepted ones join the curator's label
    version of this sitting (decisions within 30 minutes of the last), or start one."""
    run = run_or_404(session, run_id)
    decided = decide(
        session,
        run,
        body.sample_ids,
        body.accept,
        user.id,
        body.replace_changed,
        body.override_clean,
    )
    return RelabelReviewOut(**asdict(decided))


@router.post("/runs/{run_id}/relabels/undo")
def undo_relabel_reviews(
    run_id: DbId, body: RelabelUndoIn, session: DbSession, user: Curator
) -> RelabelUndoOut:
    """Take decisions back: their proposals are pending again, and the labels accepted
    relabels replaced are restored in a new label version. All or nothing: a sample
    relabelled since its acceptance is a 409 that names it."""
    withdrawn = withdraw(session, run_or_404(session, run_id), body.sample_ids, user.id)
    return RelabelUndoOut(**asdict(withdrawn))
