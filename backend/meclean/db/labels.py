"""Label versions: each a full labelling of a dataset, with a parent, an author and a reason."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.labels import CLASSES
from meclean.data.readers.common import sample_key
from meclean.db.models import Dataset, LabelVersion, Sample, SampleLabel


class LabelError(ValueError):
    """Labels that cannot become a version: unknown class, unknown sample, bad CSV row."""


def labels_of(session: Session, version_id: int) -> dict[int, str]:
    """Sample id -> label in one version."""
    rows = session.execute(
        select(SampleLabel.sample_id, SampleLabel.label).where(SampleLabel.version_id == version_id)
    )
    return {sample_id: label for sample_id, label in rows}


def create_version(
    session: Session,
    dataset: Dataset,
    changes: Mapping[int, str],
    reason: str,
    user_id: int | None = None,
) -> LabelVersion:
    """A new current version: the current one with ``changes`` (sample id -> label) applied."""
    parent_id = dataset.current_label_version_id
    labels = labels_of(session, parent_id) if parent_id else {}
    for sample_id, label in changes.items():
        if sample_id not in labels:
            raise LabelError(f"sample {sample_id} is not in dataset {dataset.name!r}")
        if label not in CLASSES:
            raise LabelError(f"label {label!r} for sample {sample_id} is not one of {CLASSES}")
    labels.update(changes)
    version = LabelVersion(
        dataset_id=dataset.id, parent_id=parent_id, created_by=user_id, reason=reason
    )
    session.add(version)
    session.flush()
    session.add_all(
        SampleLabel(version_id=version.id, sample_id=s, label=lab) for s, lab in labels.items()
    )
    dataset.current_label_version_id = version.id
    session.flush()
    return version


@dataclass(frozen=True)
class LabelChange:
    sample_id: int
    before: str
    after: str


def diff_versions(session: Session, old: int, new: int) -> list[LabelChange]:
    """Samples whose label differs between two versions."""
    before, after = labels_of(session, old), labels_of(session, new)
    return [
        LabelChange(s, before[s], after[s])
        for s in sorted(before)
        if s in after and before[s] != after[s]
    ]


def roster_csv(session: Session, version_id: int) -> str:
    """A version in the roster's format: dataset, subject, filename, label."""
    rows = session.execute(
        select(Sample.source, Sample.subject, Sample.name, SampleLabel.label)
        .join(SampleLabel, SampleLabel.sample_id == Sample.id)
        .where(SampleLabel.version_id == version_id)
        .order_by(Sample.source, Sample.subject, Sample.name)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["dataset", "subject", "filename", "label"])
    writer.writerows(rows)
    return out.getvalue()


def changes_from_csv(session: Session, dataset: Dataset, text: str) -> dict[int, str]:
    """Sample id -> label from a roster-format CSV; every row must name a known sample."""
    samples = session.execute(
        select(Sample.id, Sample.source, Sample.subject, Sample.name).where(
            Sample.dataset_id == dataset.id
        )
    )
    by_key = {(source, *sample_key(subject, name)): sid for sid, source, subject, name in samples}
    reader = csv.DictReader(io.StringIO(text))
    missing = {"dataset", "subject", "filename", "label"} - set(reader.fieldnames or [])
    if missing:
        raise LabelError(f"CSV misses column(s): {', '.join(sorted(missing))}")
    changes = {}
    for row_number, row in enumerate(reader, start=2):
        key = (row["dataset"].strip(), *sample_key(row["subject"], row["filename"]))
        if key not in by_key:
            raise LabelError(f"row {row_number}: no sample {'/'.join(key)} in {dataset.name!r}")
        label = row["label"].strip().lower()
        if label not in CLASSES:
            raise LabelError(f"row {row_number}, field 'label': {row['label']!r} is not a class")
        changes[by_key[key]] = label
    return changes
