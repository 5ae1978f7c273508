"""The MEGC2019 composite roster shipped with meclean (see resources/README.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from meclean.data.labels import CLASSES, Label
from meclean.data.records import SheetError

ROSTER_PATH = Path(__file__).parent / "resources" / "megc2019_composite.csv"
DATASETS = ("casme2", "samm", "smic")


@dataclass(frozen=True)
class RosterEntry:
    dataset: str
    subject: str
    filename: str
    label: Label


def load_roster(path: Path = ROSTER_PATH) -> list[RosterEntry]:
    """Rows of a roster CSV (dataset, subject, filename, label), checked."""
    entries = []
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = {"dataset", "subject", "filename", "label"} - set(reader.fieldnames or [])
        if missing:
            raise SheetError(path, f"missing column(s): {', '.join(sorted(missing))}")
        for row_number, row in enumerate(reader, start=2):
            dataset, label = row["dataset"].strip().lower(), row["label"].strip().lower()
            if dataset not in DATASETS:
                raise SheetError(path, f"row {row_number}, field 'dataset': unknown {dataset!r}")
            if label not in CLASSES:
                raise SheetError(path, f"row {row_number}, field 'label': unknown {label!r}")
            entries.append(
                RosterEntry(
                    dataset, row["subject"].strip(), row["filename"].strip(), cast(Label, label)
                )
            )
    return entries
