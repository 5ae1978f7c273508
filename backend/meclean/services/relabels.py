"""Reviewing a run's relabel proposals: accept, reject, or take a decision back. Accepted
relabels become a label version; an expert's later label is never overwritten silently,
and nothing is lost when a decision is taken back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.db.labels import labels_of, lock_labels, record_decision
from meclean.db.models import Dataset, RelabelReview, Run, RunSampleResult
from meclean.services.errors import Conflict, Invalid
from meclean.services.labelling import refuse_over_clean
from meclean.services.runs import succeeded

ReviewState = Literal["accepted", "rejected"]


def latest_reviews(session: Session, run_id: int) -> dict[int, RelabelReview]:
    """Each sample's latest decision on the run's proposal (withdrawals included)."""
    reviews = session.scalars(
        select(RelabelReview).where(RelabelReview.run_id == run_id).order_by(RelabelReview.id)
    )
    return {r.sample_id: r for r in reviews}


def review_state(review: RelabelReview | None) -> ReviewState | None:
    """A decision as the projection shows it; None while pending (or taken back)."""
    if review is None or review.accepted is None:
        return None
    return "accepted" if review.accepted else "rejected"


def proposals(session: Session, run: Run) -> dict[int, str | None]:
    """Sample id -> the label the run proposes (None where it proposes none)."""
    succeeded(run)
    rows = session.execute(
        select(RunSampleResult.sample_id, RunSampleResult.proposed_label).where(
            RunSampleResult.run_id == run.id
        )
    )
    return {sample_id: proposed for sample_id, proposed in rows}


@dataclass(frozen=True)
class Decided:
    reviewed: int
    label_version_id: int | None
    """The new version holding the accepted relabels; None when nothing changed."""
    unchanged: list[int]
    """Accepted samples whose current label already is the proposal."""


def decide(
    session: Session,
    run: Run,
    sample_ids: Sequence[int],
    accept: bool,
    user_id: int,
    replace_changed: bool = False,
    override_clean: bool = False,
) -> Decided:
    """Accept or reject the run's proposals for ``sample_ids``; accepted ones join the
    curator's label version of this sitting (or start one), built on the current labels
    under their lock. A sample an expert relabelled after the run's label version is a
    ``Conflict`` naming it, unless ``replace_changed``; so is one an expert judged clean on
    its label, unless ``override_clean``. Accepting again changes nothing."""
    proposed = {s: p for s, p in proposals(session, run).items() if p is not None}
    unknown = [s for s in sample_ids if s not in proposed]
    if unknown:
        raise Invalid(f"run {run.id} proposes no relabel for samples {unknown[:10]}", "sample_ids")
    ids = list(dict.fromkeys(sample_ids))
    dataset = session.get_one(Dataset, run.dataset_id)
    current = lock_labels(session, dataset)
    version_id, unchanged = None, []
    earlier = latest_reviews(session, run.id)
    if not accept:
        accepted = [s for s in ids if review_state(earlier.get(s)) == "accepted"]
        if accepted:
            # A rejection would leave the accepted label standing under a "rejected" review.
            raise Conflict(
                f"{len(accepted)} of these proposals were accepted; take the acceptance back "
                "before rejecting them",
                "sample_ids",
                changed={str(s): current[s] for s in accepted},
            )
    if accept:
        trained_on = labels_of(session, run.label_version_id)
        changed = {s: current[s] for s in ids if current[s] not in (trained_on[s], proposed[s])}
        if changed and not replace_changed:
            raise Conflict(
                f"{len(changed)} of these samples were relabelled after run {run.id}'s label "
                f"version {run.label_version_id}; accept with replace_changed to replace "
                "those labels, or leave them out",
                "sample_ids",
                changed=changed,
            )
        changes = {s: proposed[s] for s in ids if current[s] != proposed[s]}
        unchanged = [s for s in ids if s not in changes]
        refuse_over_clean(session, current, list(changes), override_clean)
        if changes:
            version, _ = record_decision(
                session,
                dataset,
                changes,
                f"accepted relabels proposed by run {run.id} ({run.method.name})",
                user_id,
                run.id,
            )
            version.source_run_id = version.source_run_id or run.id
            version_id = version.id

    def replaced(sample_id: int) -> str:
        # Accepted again: what the first acceptance replaced is what an undo restores.
        before = earlier.get(sample_id)
        if current[sample_id] == proposed[sample_id] and before and before.accepted:
            return before.replaced_label or current[sample_id]
        return current[sample_id]

    session.add_all(
        RelabelReview(
            run_id=run.id,
            sample_id=s,
            user_id=user_id,
            accepted=accept,
            replaced_label=replaced(s) if accept else None,
        )
        for s in ids
    )
    return Decided(reviewed=len(ids), label_version_id=version_id, unchanged=unchanged)


@dataclass(frozen=True)
class Withdrawn:
    withdrawn: int
    """Decisions taken back: those proposals are pending again."""
    label_version_id: int | None
    """The new version restoring the labels accepted relabels replaced; None when only
    rejections were taken back."""


def withdraw(session: Session, run: Run, sample_ids: Sequence[int], user_id: int) -> Withdrawn:
    """Take decisions back: their proposals are pending again, and the labels accepted
    relabels replaced are restored in a new label version. All or nothing: a sample
    relabelled since its acceptance is a ``Conflict`` that names it."""
    proposed = proposals(session, run)
    ids = list(dict.fromkeys(sample_ids))
    dataset = session.get_one(Dataset, run.dataset_id)
    current = lock_labels(session, dataset)
    reviews = latest_reviews(session, run.id)
    undecided = [s for s in ids if review_state(reviews.get(s)) is None]
    if undecided:
        raise Invalid(f"no decision to take back on samples {undecided[:10]}", "sample_ids")
    accepted = [s for s in ids if reviews[s].accepted]
    moved = {s: current[s] for s in accepted if current[s] != proposed[s]}
    if moved:
        raise Conflict(
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
        version, _ = record_decision(
            session,
            dataset,
            restore,
            f"undid acceptances of relabels proposed by run {run.id}",
            user_id,
            run.id,
        )
        version.source_run_id = version.source_run_id or run.id
        version_id = version.id
    session.add_all(
        RelabelReview(run_id=run.id, sample_id=s, user_id=user_id, accepted=None) for s in ids
    )
    return Withdrawn(withdrawn=len(ids), label_version_id=version_id)
