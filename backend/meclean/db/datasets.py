"""Imported datasets: stored whole or not at all, with their first label version."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.records import ImportReport
from meclean.db.action_units import unit_rows
from meclean.db.models import Dataset, LabelVersion, Sample, SampleLabel


class DatasetExists(ValueError):
    """A dataset of that name is already stored."""


def store_import(
    session: Session,
    name: str,
    layout: str,
    source: Path,
    report: ImportReport,
    user_id: int | None = None,
) -> Dataset:
    """Add the report's samples as a new dataset whose current labels are the imported ones.

    Runs inside the caller's transaction: if anything fails, nothing of it is stored.
    """
    if session.scalar(select(Dataset.id).where(Dataset.name == name)) is not None:
        raise DatasetExists(f"a dataset named {name!r} already exists")
    dataset = Dataset(name=name, layout=layout, source_path=str(source))
    session.add(dataset)
    samples = [
        Sample(
            dataset=dataset,
            source=record.dataset,
            subject=record.subject,
            name=record.name,
            emotion=record.emotion,
            original_label=record.label,
            onset_path=str(record.onset_path),
            apex_path=str(record.apex_path),
            offset_path=str(record.offset_path) if record.offset_path else None,
            apex_source=record.apex_source,
            face_crop=record.face.as_dict() if record.face else None,
            action_units=record.action_units.text if record.action_units else None,
            objective_class=record.objective_class,
            coded_units=unit_rows(record.action_units),
        )
        for record in report.samples
    ]
    session.add_all(samples)
    session.flush()
    version = LabelVersion(dataset_id=dataset.id, created_by=user_id, reason="imported labels")
    session.add(version)
    session.flush()
    session.add_all(
        SampleLabel(version_id=version.id, sample_id=s.id, label=s.original_label) for s in samples
    )
    dataset.current_label_version_id = version.id
    session.flush()
    return dataset
