"""Annotation sheets (.xlsx or .csv) whose table may sit below a few title rows."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from meclean.data.records import SheetError
from meclean.text import shortened

HEADER_SEARCH_ROWS = 40


@dataclass(frozen=True)
class SheetRow:
    row: int
    """1-based row number as a spreadsheet program shows it."""
    values: Mapping[str, object]


class MissingValue(ValueError):
    """A required cell is empty or holds a placeholder such as '/' or -1."""


def _normalise(header: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(header or "").lower())


CSV_ENCODINGS = ("utf-8-sig", "cp1252")
"""UTF-8 (with or without Excel's byte-order mark), else the Windows code page Excel
writes a plain 'CSV' in."""


def _csv_rows(path: Path) -> list[Sequence[object]]:
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            return list(reader)
        except csv.Error as exc:
            raise SheetError(path, f"row {reader.line_num}: not a readable CSV ({exc})") from None
    raise SheetError(path, f"not text in {' or '.join(CSV_ENCODINGS)}: save it as UTF-8 CSV")


def _raw_rows(path: Path) -> list[Sequence[object]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise SheetError(path, f"not a readable Excel workbook ({exc})") from exc
        try:
            return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    raise SheetError(path, f"unsupported sheet format {suffix!r}; save it as .xlsx or .csv")


def read_sheet(
    path: Path,
    columns: Mapping[str, Sequence[str]],
    optional: Mapping[str, Sequence[str]] | None = None,
) -> list[SheetRow]:
    """Rows of the first table whose header names every column in ``columns``.

    ``columns`` maps a canonical key to the header spellings it accepts; matching ignores
    case, spaces and punctuation, so 'Onset Frame' and 'OnsetFrame' are the same column.
    Columns in ``optional`` are read when present.
    """
    if not path.is_file():
        raise SheetError(path, "file not found")
    rows = _raw_rows(path)
    every = {**columns, **(optional or {})}
    wanted = {key: {_normalise(s) for s in spellings} for key, spellings in every.items()}
    best_missing: list[str] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        headers = [_normalise(h) for h in row]
        positions = {}
        for key, spellings in wanted.items():
            hits = [i for i, h in enumerate(headers) if h in spellings]
            if hits:
                positions[key] = hits[0]
        missing = [columns[k][0] for k in columns if k not in positions]
        if not missing:
            return [
                SheetRow(
                    row=index + 2 + offset,
                    values={k: (r[i] if i < len(r) else None) for k, i in positions.items()},
                )
                for offset, r in enumerate(rows[index + 1 :])
                if any(cell not in (None, "") for cell in r)
            ]
        if positions and (best_missing is None or len(missing) < len(best_missing)):
            best_missing = missing
    if best_missing:
        raise SheetError(path, f"missing column(s): {', '.join(best_missing)}")
    expected = ", ".join(spellings[0] for spellings in columns.values())
    raise SheetError(path, f"no header row with the columns {expected}")


def read_headerless(path: Path, names: Sequence[str]) -> list[SheetRow]:
    """Rows of a sheet without a header row: its columns, in order, are ``names``."""
    if not path.is_file():
        raise SheetError(path, "file not found")
    rows = _raw_rows(path)
    if rows and not text(rows[0][0] if rows[0] else None).isdigit():
        raise SheetError(path, f"expected data from the first row (columns {', '.join(names)})")
    return [
        SheetRow(
            row=number, values={n: (r[i] if i < len(r) else None) for i, n in enumerate(names)}
        )
        for number, r in enumerate(rows, start=1)
        if any(cell not in (None, "") for cell in r)
    ]


def text(value: object) -> str:
    """A cell as stripped text; whole floats lose their '.0' (Excel stores 1 as 1.0)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


MAX_FRAME = 10**9
"""Largest frame index read: far beyond any release (a day at 200 fps is 17 million)."""


def frame_number(value: object) -> int:
    """A frame index from a cell; raises ``MissingValue`` or ``ValueError`` with a reason."""
    cell = text(value)
    if cell in {"", "/", "-", "-1", "n/a", "na", "nan"}:
        raise MissingValue(f"no value ({cell!r})" if cell else "empty")
    try:
        number = float(cell)
    except ValueError:
        raise ValueError(f"not a number: {shortened(cell, 40)!r}") from None
    if not number.is_integer() or not 0 <= number <= MAX_FRAME:
        raise ValueError(f"not a frame index: {shortened(cell, 40)!r}")
    return int(number)
