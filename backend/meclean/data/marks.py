"""Expert marks as a CSV: subject, filename, grade (0 noisy, 1 clean, 2 clean and typical)."""

from __future__ import annotations

from pathlib import Path

from meclean.data.readers.common import SampleKey, sample_key
from meclean.data.records import SheetError
from meclean.data.sheets import read_sheet, text

GRADES = {"0": False, "1": True, "2": True}


def read_clean_marks(path: Path) -> dict[SampleKey, bool]:
    """Whether the experts marked each sample clean (grades 1 and 2) or noisy (grade 0)."""
    rows = read_sheet(
        path,
        {"subject": ("subject",), "filename": ("filename", "sample"), "grade": ("grade",)},
    )
    marks = {}
    for row in rows:
        grade = text(row.values["grade"])
        if grade not in GRADES:
            raise SheetError(path, f"row {row.row}, field 'grade': {grade!r} is not 0, 1 or 2")
        marks[sample_key(text(row.values["subject"]), text(row.values["filename"]))] = GRADES[grade]
    return marks
