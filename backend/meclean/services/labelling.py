"""Curators set labels directly: one sample or a selection, each decision with its reason,
into the label version of their sitting; a decision is undone per sample, and a label an
expert judged clean is replaced only when the curator says so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.marks import Verdict
from meclean.db.labels import LabelError, lock_labels, record_decision
from meclean.db.marks import latest_marks
from meclean.db.models import Dataset, LabelChange, LabelVersion, Sample
from meclean.db.users import user_names
from meclean.services.errors import Conflict, Invalid, NotFound


@dataclass(frozen=True)
class Decision:
    version: LabelVersion
    changes: list[LabelChange]
    unchanged: list[int]
    """Samples that already had the label."""


def clean_verdicts(
    session: Session, labels: Mapping[int, str], sample_ids: Sequence[int]
) -> dict[int, list[str]]:
    """Of ``sample_ids``, those an expert's latest verdict calls clean on the label they
    have now (``labels``), with those experts' names."""
    names = user_names(session)
    found: dict[int, list[str]] = {}
    for mark in latest_marks(session, list(sample_ids)):
        judged = mark.judged_label
        if mark.verdict == Verdict.CLEAN and (judged is None or judged == labels[mark.sample_id]):
            found.setdefault(mark.sample_id, []).append(names[mark.user_id])
    return found


def refuse_over_clean(
    session: Session, labels: Mapping[int, str], sample_ids: Sequence[int], override: bool
) -> None:
    """``Conflict`` naming the samples experts judged clean, unless ``override``."""
    if override:
        return
    clean = clean_verdicts(session, labels, sample_ids)
    if clean:
        raise Conflict(
            f"experts marked {len(clean)} of these samples clean on the label they have; "
            "decide with override_clean to replace it anyway, or leave them out",
            "override_clean",
            clean={str(s): who for s, who in clean.items()},
        )


def relabel(
    session: Session,
    dataset: Dataset,
    sample_ids: Sequence[int],
    label: str,
    reason: str,
    user_id: int,
    override_clean: bool = False,
) -> Decision:
    """Give the samples ``label``: all or nothing, into the version of the curator's
    sitting (see ``record_decision``)."""
    ids = list(dict.fromkeys(sample_ids))
    labels = lock_labels(session, dataset)
    missing = [s for s in ids if s not in labels]
    if missing:
        raise NotFound(f"no samples {missing[:10]} in this dataset", "sample_ids")
    moving = [s for s in ids if labels[s] != label]
    if not moving:
        raise Invalid(f"every one of these samples is {label} already", "label")
    refuse_over_clean(session, labels, moving, override_clean)
    try:
        version, changes = record_decision(
            session, dataset, {s: label for s in moving}, reason, user_id
        )
    except LabelError as exc:
        raise Invalid(str(exc), "label") from None
    return Decision(version, changes, [s for s in ids if s not in moving])


def undo_changes(
    session: Session, dataset: Dataset, change_ids: Sequence[int], user_id: int
) -> Decision:
    """Give each changed sample back the label the change replaced, as a new decision. All
    or nothing: a sample relabelled since the change is a ``Conflict`` naming it."""
    ids = list(dict.fromkeys(change_ids))
    changes = session.scalars(
        select(LabelChange)
        .join(Sample, Sample.id == LabelChange.sample_id)
        .where(LabelChange.id.in_(ids), Sample.dataset_id == dataset.id)
    ).all()
    if len(changes) != len(ids):
        raise NotFound("no such label changes in this dataset", "change_ids")
    from_runs = sorted({c.run_id for c in changes if c.run_id is not None})
    if from_runs:
        # Its review must follow the label: taken back where it was decided.
        raise Conflict(
            "these changes decided a run's proposals; take them back on the projection of "
            f"run {', '.join(map(str, from_runs))}",
            "change_ids",
        )
    labels = lock_labels(session, dataset)
    if len({c.sample_id for c in changes}) != len(changes):
        raise Invalid("two of these changes concern one sample: undo them one by one", "change_ids")
    moved = {c.sample_id: labels[c.sample_id] for c in changes if labels[c.sample_id] != c.after}
    if moved:
        raise Conflict(
            f"{len(moved)} of these samples were relabelled since; nothing was undone",
            "change_ids",
            changed={str(s): label for s, label in moved.items()},
        )
    restore = {c.sample_id: c.before for c in changes}
    names = dict(
        session.execute(
            select(Sample.id, Sample.source + "/" + Sample.subject + "/" + Sample.name).where(
                Sample.id.in_(list(restore))
            )
        ).all()
    )
    undone = [f"{names[c.sample_id]} back to {c.before}" for c in changes[:5]]
    reason = "undid: " + ", ".join(undone)
    reason += f" and {len(changes) - 5} more" if len(changes) > 5 else ""
    version, recorded = record_decision(session, dataset, restore, reason, user_id)
    return Decision(version, recorded, [])
