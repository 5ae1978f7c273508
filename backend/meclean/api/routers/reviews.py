"""Reviewing a run's relabel proposals on its projection: accept, reject, or undo a
decision. Accepted relabels become a label version; an expert's later label is never
overwritten silently, and nothing is lost when a decision is taken back."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from meclean.api.deps import Annotator, CommittingRoute, Curator, DbSession, run_or_404, succeeded
from meclean.api.errors import ApiError
from meclean.data.labels import CLASSES
from meclean.db.labels import create_version, labels_of, lock_labels
from meclean.db.models import (
    Dataset,
    DbId,
    RelabelReview,
    Run,
    RunSampleResult,
    Sample,
    SampleLabel,
)

router = APIRouter(prefix="/api", tags=["runs"], route_class=CommittingRoute)

Review = Literal["accepted", "rejected"]


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
    review: list[Review | None]
    """The latest decision on each proposal; None while pending (or taken back)."""


class RelabelReviewIn(BaseModel):
    sample_ids: list[DbId] = Field(min_length=1, max_length=10_000)
    accept: bool
    replace_changed: bool = Field(
        False,
        description="Also accept where an expert changed the label after the run's label "
        "version, replacing their label; without it such samples are a 409 that names them.",
    )


class RelabelReviewOut(BaseModel):
    reviewed: int
    label_version_id: int | None
    """The new label version holding the accepted relabels; None when every accepted
    sample already had its proposed label (nothing to change, no new version)."""
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


def latest_reviews(session: Session, run_id: int) -> dict[int, RelabelReview]:
    """Each sample's latest decision on the run's proposal (withdrawals included)."""
    reviews = session.scalars(
        select(RelabelReview).where(RelabelReview.run_id == run_id).order_by(RelabelReview.id)
    )
    return {r.sample_id: r for r in reviews}


def _state(review: RelabelReview | None) -> Review | None:
    if review is None or review.accepted is None:
        return None
    return "accepted" if review.accepted else "rejected"


def _proposals(session: Session, run: Run) -> dict[int, str | None]:
    succeeded(run)
    rows = session.execute(
        select(RunSampleResult.sample_id, RunSampleResult.proposed_label).where(
            RunSampleResult.run_id == run.id
        )
    )
    return {sample_id: proposed for sample_id, proposed in rows}


@router.get("/runs/{run_id}/projection")
def projection(run_id: DbId, session: DbSession, _: Annotator) -> Projection:
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
        review=[_state(reviews.get(i)) for i in ids],
    )


@router.post("/runs/{run_id}/relabels")
def review_relabels(
    run_id: DbId, body: RelabelReviewIn, session: DbSession, user: Curator
) -> RelabelReviewOut:
    """Accept or reject the run's proposed relabels; accepted ones become a new label version."""
    run = run_or_404(session, run_id)
    proposed = {s: p for s, p in _proposals(session, run).items() if p is not None}
    unknown = [s for s in body.sample_ids if s not in proposed]
    if unknown:
        raise ApiError(
            422, f"run {run_id} proposes no relabel for samples {unknown[:10]}", "sample_ids"
        )
    ids = list(dict.fromkeys(body.sample_ids))
    dataset = session.get_one(Dataset, run.dataset_id)
    current = lock_labels(session, dataset)
    version_id, unchanged = None, []
    if body.accept:
        trained_on = labels_of(session, run.label_version_id)
        changed = {s: current[s] for s in ids if current[s] not in (trained_on[s], proposed[s])}
        if changed and not body.replace_changed:
            # An expert relabelled these after the run's label version: never overwrite
            # their decision silently.
            raise ApiError(
                409,
                f"{len(changed)} of these samples were relabelled after run {run_id}'s label "
                f"version {run.label_version_id}; accept with replace_changed to replace "
                "those labels, or leave them out",
                "sample_ids",
                changed=changed,
            )
        changes = {s: proposed[s] for s in ids if current[s] != proposed[s]}
        unchanged = [s for s in ids if s not in changes]
        if changes:
            version = create_version(
                session,
                dataset,
                changes,
                f"accepted {len(changes)} relabels proposed by run {run_id} ({run.method['name']})",
                user.id,
            )
            version.source_run_id = run_id
            version_id = version.id
    earlier = latest_reviews(session, run_id)

    def replaced(sample_id: int) -> str:
        # Accepted again: what the first acceptance replaced is what an undo restores.
        before = earlier.get(sample_id)
        if current[sample_id] == proposed[sample_id] and before and before.accepted:
            return before.replaced_label or current[sample_id]
        return current[sample_id]

    session.add_all(
        RelabelReview(
            run_id=run_id,
            sample_id=s,
            user_id=user.id,
            accepted=body.accept,
            replaced_label=replaced(s) if body.accept else None,
        )
        for s in ids
    )
    return RelabelReviewOut(reviewed=len(ids), label_version_id=version_id, unchanged=unchanged)


@router.post("/runs/{run_id}/relabels/undo")
def undo_relabel_reviews(
    run_id: DbId, body: RelabelUndoIn, session: DbSession, user: Curator
) -> RelabelUndoOut:
    """Take decisions back: their proposals are pending again, and the labels accepted
    relabels replaced are restored in a new label version. All or nothing: a sample
    relabelled since its acceptance is a 409 that names it."""
    run = run_or_404(session, run_id)
    proposals = _proposals(session, run)
    ids = list(dict.fromkeys(body.sample_ids))
    dataset = session.get_one(Dataset, run.dataset_id)
    current = lock_labels(session, dataset)
    reviews = latest_reviews(session, run_id)
    undecided = [s for s in ids if _state(reviews.get(s)) is None]
    if undecided:
        raise ApiError(422, f"no decision to take back on samples {undecided[:10]}", "sample_ids")
    accepted = [s for s in ids if reviews[s].accepted]
    moved = {s: current[s] for s in accepted if current[s] != proposals[s]}
    if moved:
        raise ApiError(
            409,
            f"{len(moved)} of these samples were relabelled after their relabel was accepted; "
            "their labels are left as they are, and nothing was undone",
            "sample_ids",
            changed=moved,
        )
    # Acceptances stored before replaced labels were recorded replaced the run's label.
    trained_on = labels_of(session, run.label_version_id)
    replaced = {s: reviews[s].replaced_label or trained_on[s] for s in accepted}
    restore = {s: label for s, label in replaced.items() if label != current[s]}
    version_id = None
    if restore:
        version = create_version(
            session,
            dataset,
            restore,
            f"undid the acceptance of {len(restore)} relabels proposed by run {run_id}",
            user.id,
        )
        version.source_run_id = run_id
        version_id = version.id
    session.add_all(
        RelabelReview(run_id=run_id, sample_id=s, user_id=user.id, accepted=None) for s in ids
    )
    return RelabelUndoOut(withdrawn=len(ids), label_version_id=version_id)
