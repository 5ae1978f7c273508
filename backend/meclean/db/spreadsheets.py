"""CSV that experts open in spreadsheets: written so no cell runs as a formula, read back
with that protection undone."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to Excel, LibreOffice and Sheets."""


def _runs_as_formula(value: str) -> bool:
    """A formula, or one behind the quotes that mark it as text: "'=1" must itself be
    quoted, or reading it back would strip its quote."""
    return value.lstrip("'").startswith(FORMULA_STARTS)


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, quoted with a leading "'"."""
    if isinstance(value, str) and _runs_as_formula(value):
        return "'" + value
    return value


def unquoted_cell(value: str) -> str:
    """``safe_cell`` undone: what an export wrote is read back as the original text."""
    if value.startswith("'") and _runs_as_formula(value[1:]):
        return value[1:]
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()
