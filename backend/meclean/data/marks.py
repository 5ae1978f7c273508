"""Expert marks: the verdicts' vocabulary, and marks as a CSV (subject, filename, grade:
0 noisy, 1 clean, 2 clean and typical)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Literal, get_args

from meclean.data.readers.common import SampleKey, sample_key
from meclean.data.records import SheetError
from meclean.data.sheets import read_sheet, text


class Verdict(StrEnum):
    """An expert's verdict on a sample's label. 'typical' is a clean verdict with its
    typical flag set; RETRACTED withdraws the expert's earlier verdict (undo back to
    unmarked), and the history keeps both."""

    CLEAN = "clean"
    NOISY = "noisy"
    UNSURE = "unsure"
    RETRACTED = "retracted"


Judgement = Literal[Verdict.CLEAN, Verdict.NOISY, Verdict.UNSURE]
"""A verdict that judges a label: having given one, an expert has judged the sample."""
JUDGEMENTS: tuple[Judgement, ...] = get_args(Judgement)
DECIDED = (Verdict.CLEAN, Verdict.NOISY)
"""The verdicts that take a side: experts disagree when both are given."""


def experts_agree(verdicts: Iterable[str]) -> bool | None:
    """Whether the experts' clean and noisy verdicts on one sample agree ('unsure' takes
    no side); None with fewer than two that take one."""
    decided = [v for v in verdicts if v in DECIDED]
    return None if len(decided) < 2 else len(set(decided)) == 1


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
