"""Helpers for the database tests."""

from meclean.db.models import Dataset


def dataset_of(session, dataset_id: int) -> Dataset:
    return session.get(Dataset, dataset_id)
