"""Label versions: each a full labelling of a dataset, with a parent, an author and a reason."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from meclean.data.labels import CLASSES
from meclean.data.readers.common import sample_key
from meclean.db.models import (
    Dataset,
    LabelChange,
    LabelVersion,
    Sample,
    SampleLabel,
    as_utc,
    utcnow,
)
from meclean.db.session import lock_for_update
from meclean.db.spreadsheets import csv_text, unquoted_cell

MAX_CSV_ROWS = 100_000
"""Rows a label CSV may hold: far above any micro-expression dataset."""


class LabelError(ValueError):
    """Labels that cannot become a version: unknown class, unknown sample, bad CSV row."""


def current_version_id(dataset: Dataset) -> int:
    """The dataset's current label version; an import stores the first one."""
    if dataset.current_label_version_id is None:
        raise LabelError(f"dataset {dataset.name!r} has no label version")
    return dataset.current_label_version_id


def labels_of(session: Session, version_id: int) -> dict[int, str]:
    """Sample id -> label in one version."""
    rows = session.execute(
        select(SampleLabel.sample_id, SampleLabel.label).where(SampleLabel.version_id == version_id)
    )
    return {sample_id: label for sample_id, label in rows}


def lock_labels(session: Session, dataset: Dataset) -> dict[int, str]:
    """The dataset's current labels, locked until the transaction ends: a concurrent label
    decision on the dataset waits, then builds on what this one made (none is lost)."""
    lock_for_update(session, dataset)
    return labels_of(session, current_version_id(dataset))


SITTING = timedelta(minutes=30)
"""How long after an expert's last label decision their next one still joins its version."""

MAX_REASON = 2000
"""A version's reason (the sitting's reasons joined) is cut to this many characters."""


def create_version(
    session: Session,
    dataset: Dataset,
    changes: Mapping[int, str],
    reason: str,
    user_id: int | None = None,
    run_id: int | None = None,
) -> LabelVersion:
    """A new current version: the current one with ``changes`` (sample id -> label) applied,
    built on the current version atomically (see ``lock_labels``); each change is recorded."""
    lock_for_update(session, dataset)
    parent_id = dataset.current_label_version_id
    labels = labels_of(session, parent_id) if parent_id else {}
    effective = _effective(dataset, labels, changes)
    version = LabelVersion(
        dataset_id=dataset.id, parent_id=parent_id, created_by=user_id, reason=reason
    )
    session.add(version)
    session.flush()
    session.add_all(
        SampleLabel(version_id=version.id, sample_id=s, label=effective.get(s, lab))
        for s, lab in labels.items()
    )
    _record(session, version, labels, effective, reason, user_id, run_id)
    dataset.current_label_version_id = version.id
    session.flush()
    return version


def record_decision(
    session: Session,
    dataset: Dataset,
    changes: Mapping[int, str],
    reason: str,
    user_id: int,
    run_id: int | None = None,
) -> tuple[LabelVersion, list[LabelChange]]:
    """Apply an expert's label decision: into the version they opened within the last
    ``SITTING`` while it is still current and untrained on (one sitting, one version), else
    into a new version, which stays open to them for the next ``SITTING``. Returns the
    version and the changes recorded."""
    lock_for_update(session, dataset)
    now = utcnow()
    current = session.get(LabelVersion, current_version_id(dataset))
    assert current is not None
    still_open = (
        current.created_by == user_id
        and current.open_until is not None
        and as_utc(current.open_until) > now
    )
    if still_open:
        labels = labels_of(session, current.id)
        effective = _effective(dataset, labels, changes)
        for sample_id, label in effective.items():
            session.execute(
                update(SampleLabel)
                .where(SampleLabel.version_id == current.id, SampleLabel.sample_id == sample_id)
                .values(label=label)
            )
        if reason not in current.reason.split("; "):
            joined = f"{current.reason}; {reason}"
            current.reason = joined if len(joined) <= MAX_REASON else joined[: MAX_REASON - 1] + "…"
        version = current
        recorded = _record(session, version, labels, effective, reason, user_id, run_id)
    else:
        version = create_version(session, dataset, changes, reason, user_id, run_id)
        recorded = list(
            session.scalars(select(LabelChange).where(LabelChange.version_id == version.id))
        )
        if current.open_until is not None:
            current.open_until = None  # another expert's decision (or a late one) closes it
    version.open_until = now + SITTING
    session.flush()
    return version, recorded


def close_version(session: Session, version_id: int) -> None:
    """No later decision joins the version: a run trained on it, or its author saved it."""
    session.execute(
        update(LabelVersion).where(LabelVersion.id == version_id).values(open_until=None)
    )


def _effective(
    dataset: Dataset, labels: Mapping[int, str], changes: Mapping[int, str]
) -> dict[int, str]:
    """The changes that change something, after checking every sample and class."""
    for sample_id, label in changes.items():
        if sample_id not in labels:
            raise LabelError(f"sample {sample_id} is not in dataset {dataset.name!r}")
        if label not in CLASSES:
            raise LabelError(f"label {label!r} for sample {sample_id} is not one of {CLASSES}")
    effective = {s: label for s, label in changes.items() if labels[s] != label}
    if not effective:
        raise LabelError("no label changes: the current version already holds these labels")
    return effective


def _record(
    session: Session,
    version: LabelVersion,
    before: Mapping[int, str],
    effective: Mapping[int, str],
    reason: str,
    user_id: int | None,
    run_id: int | None,
) -> list[LabelChange]:
    recorded = [
        LabelChange(
            version_id=version.id,
            sample_id=s,
            before=before[s],
            after=label,
            reason=reason,
            user_id=user_id,
            run_id=run_id,
        )
        for s, label in effective.items()
    ]
    session.add_all(recorded)
    session.flush()
    return recorded


def current_labels(session: Session, sample_ids: Sequence[int]) -> dict[int, str]:
    """Sample id -> its label in its dataset's current version."""
    rows = session.execute(
        select(SampleLabel.sample_id, SampleLabel.label)
        .join(Sample, Sample.id == SampleLabel.sample_id)
        .join(Dataset, Dataset.id == Sample.dataset_id)
        .where(
            SampleLabel.sample_id.in_(sample_ids),
            SampleLabel.version_id == Dataset.current_label_version_id,
        )
    )
    return {sample_id: label for sample_id, label in rows}


@dataclass(frozen=True)
class LabelDifference:
    sample_id: int
    before: str
    after: str


def diff_versions(session: Session, old: int, new: int) -> list[LabelDifference]:
    """Samples whose label differs between two versions."""
    before, after = labels_of(session, old), labels_of(session, new)
    return [
        LabelDifference(s, before[s], after[s])
        for s in sorted(before)
        if s in after and before[s] != after[s]
    ]


def roster_csv(session: Session, version_id: int) -> str:
    """A version in the roster's format (dataset, subject, filename, label), with each
    sample's AUs as its sheet coded them (read back, the extra column is ignored)."""
    rows = session.execute(
        select(
            Sample.source,
            Sample.subject,
            Sample.name,
            SampleLabel.label,
            func.coalesce(Sample.action_units, ""),
        )
        .join(SampleLabel, SampleLabel.sample_id == Sample.id)
        .where(SampleLabel.version_id == version_id)
        .order_by(Sample.source, Sample.subject, Sample.name)
    )
    return csv_text(["dataset", "subject", "filename", "label", "action_units"], rows)


def changes_from_csv(session: Session, dataset: Dataset, text: str) -> dict[int, str]:
    """Sample id -> label from a roster-format CSV; every row must name a known sample."""
    # A byte-order mark (Excel's "CSV UTF-8") is not part of the first column's name.
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        return _changes(session, dataset, reader)
    except csv.Error as exc:
        raise LabelError(f"row {reader.line_num}: not CSV ({exc})") from None


def _changes(session: Session, dataset: Dataset, reader: Iterator[list[str]]) -> dict[int, str]:
    samples = session.execute(
        select(Sample.id, Sample.source, Sample.subject, Sample.name).where(
            Sample.dataset_id == dataset.id
        )
    )
    by_key = {(source, *sample_key(subject, name)): sid for sid, source, subject, name in samples}
    header = [h.strip().lower() for h in next(reader, [])]
    columns = ("dataset", "subject", "filename", "label")
    missing = set(columns) - set(header)
    if missing:
        raise LabelError(f"CSV misses column(s): {', '.join(sorted(missing))}")
    where = {c: header.index(c) for c in columns}
    changes: dict[int, str] = {}
    first_row: dict[int, int] = {}
    for row_number, row in enumerate(reader, start=2):
        if row_number > MAX_CSV_ROWS + 1:
            raise LabelError(f"more than {MAX_CSV_ROWS} rows; split the CSV")
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise LabelError(f"row {row_number}: {len(row)} fields, the header has {len(header)}")
        dataset_name, subject, filename, given = (
            unquoted_cell(row[where[c]].strip()) for c in columns
        )
        key = (dataset_name, *sample_key(subject, filename))
        if key not in by_key:
            raise LabelError(f"row {row_number}: no sample {'/'.join(key)} in {dataset.name!r}")
        label = given.lower()
        if label not in CLASSES:
            raise LabelError(f"row {row_number}, field 'label': {given!r} is not a class")
        sample_id = by_key[key]
        if sample_id in changes and changes[sample_id] != label:
            raise LabelError(
                f"rows {first_row[sample_id]} and {row_number} give {'/'.join(key)} different "
                f"labels ({changes[sample_id]!r}, {label!r})"
            )
        changes[sample_id] = label
        first_row.setdefault(sample_id, row_number)
    return changes
