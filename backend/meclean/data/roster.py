"""The MEGC2019 composite roster shipped with meclean (see resources/README.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from meclean.data.labels import CLASSES, Label
from meclean.data.records import SheetError
from meclean.data.sheets import read_sheet, text

ROSTER_PATH = Path(__file__).parent / "resources" / "megc2019_composite.csv"
DATASETS = ("casme2", "samm", "smic")


@dataclass(frozen=True)
class RosterEntry:
    dataset: str
    subject: str
    filename: str
    label: Label


def load_roster(path: Path = ROSTER_PATH) -> list[RosterEntry]:
    """Rows of a roster CSV or workbook (dataset, subject, filename, label), checked."""
    columns = {name: [name] for name in ("dataset", "subject", "filename", "label")}
    entries = []
    for row in read_sheet(path, columns):
        dataset, subject, filename, label = (text(row.values[c]) for c in columns)
        dataset, label = dataset.lower(), label.lower()
        if dataset not in DATASETS:
            raise SheetError(path, f"row {row.row}, field 'dataset': unknown {dataset!r}")
        if label not in CLASSES:
            raise SheetError(path, f"row {row.row}, field 'label': unknown {label!r}")
        entries.append(RosterEntry(dataset, subject, filename, label))
    return entries
