"""Marking's rules: who sees which verdicts while a dataset marks blind."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

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
