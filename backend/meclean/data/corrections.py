"""Known errors of the official annotation sheets, and the values used in their place.

The list ships with the package (``resources/sheet_corrections.csv``); each entry names the
sample, the field, what the official sheet says, the value meclean uses and where that value
comes from. A correction applies only while the sheet still holds the known wrong value, so
a release that fixed its sheet is read as it is.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, cast

from meclean.data.records import SheetError
from meclean.data.sheets import frame_number, text

CORRECTIONS_PATH = Path(__file__).parent / "resources" / "sheet_corrections.csv"
FrameField = Literal["onset", "apex", "offset"]
FRAME_FIELDS: tuple[FrameField, ...] = ("onset", "apex", "offset")
MIDDLE = "middle"
"""A value that says: the middle frame of onset and offset (where no published value exists)."""


@dataclass(frozen=True)
class SheetCorrection:
    dataset: str
    subject: str
    filename: str
    field: FrameField
    sheet_value: str
    """The cell as official sheets have it ('/' for a missing apex); several known wrong
    values are separated by '|', and an empty one stands for an empty cell."""
    value: str
    """A frame number, or ``middle``."""
    source: str

    def matches(self, cell: object) -> bool:
        """Whether the sheet still holds the known wrong value."""
        return text(cell).lower() in {v.strip().lower() for v in self.sheet_value.split("|")}

    def frame(self, onset: int | None, offset: int | None) -> int:
        """The frame number to use; ``middle`` needs the sample's onset and offset."""
        if self.value != MIDDLE:
            return int(self.value)
        if onset is None or offset is None:
            raise ValueError("the middle-frame rule needs both onset and offset")
        return (onset + offset) // 2

    def describe(self, cell: object) -> str:
        used = "the middle frame of onset and offset" if self.value == MIDDLE else self.value
        return f"sheet says {text(cell)!r}; using {used}. Source: {self.source}"


@lru_cache(maxsize=4)
def load_corrections(path: Path = CORRECTIONS_PATH) -> tuple[SheetCorrection, ...]:
    """Every entry of a corrections CSV, checked."""
    columns = ("dataset", "subject", "filename", "field", "sheet_value", "value", "source")
    entries = []
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = set(columns) - set(reader.fieldnames or [])
        if missing:
            raise SheetError(path, f"missing column(s): {', '.join(sorted(missing))}")
        for number, row in enumerate(reader, start=2):
            values = {c: (row[c] or "").strip() for c in columns}
            field = values.pop("field")
            if field not in FRAME_FIELDS:
                raise SheetError(path, f"row {number}, field 'field': {field!r}")
            if values["value"] != MIDDLE:
                try:
                    frame_number(values["value"])
                except ValueError as exc:
                    raise SheetError(path, f"row {number}, field 'value': {exc}") from None
            entries.append(SheetCorrection(field=cast(FrameField, field), **values))
    return tuple(entries)
