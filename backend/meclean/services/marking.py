"""Marking's rules: who sees which verdicts while a dataset marks blind."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.db.marks import judged_by
from meclean.db.models import Dataset, User
from meclean.db.users import has_role


def blind_datasets(session: Session, dataset_ids: set[int], me: User) -> set[int]:
    """Those of ``dataset_ids`` whose marking is blind to ``me`` (annotators; curators run
    the study and see every verdict)."""
    if has_role(me, "curator"):
        return set()
    return set(
        session.scalars(
            select(Dataset.id).where(Dataset.id.in_(dataset_ids), Dataset.blind_marking)
        )
    )


def hidden_from(session: Session, me: User, samples: Iterable[tuple[int, int]]) -> set[int]:
    """Of ``samples`` (sample id, dataset id), those whose other experts' verdicts ``me``
    may not see: on a dataset that marks blind to them, the samples they have never given
    a verdict on. Once seen, a retraction does not hide them again; a retraction alone
    (of nothing) reveals nothing."""
    pairs = list(samples)
    blind = blind_datasets(session, {dataset_id for _, dataset_id in pairs}, me)
    if not blind:
        return set()
    candidates = [sample_id for sample_id, dataset_id in pairs if dataset_id in blind]
    return set(candidates) - judged_by(session, me.id, candidates)
