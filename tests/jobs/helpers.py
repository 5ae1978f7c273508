"""Helpers for the job tests."""

from sqlalchemy import select

from meclean.db.models import Sample
from meclean.jobs.queue import Jobs


def sample_paths(jobs: Jobs, dataset_id: int) -> list[tuple[str, str, str]]:
    """(sample name, onset path, apex path) in id order."""
    with jobs.sessions() as session:
        return session.execute(
            select(Sample.name, Sample.onset_path, Sample.apex_path)
            .where(Sample.dataset_id == dataset_id)
            .order_by(Sample.id)
        ).all()
