import pytest
from openpyxl import Workbook

from meclean.data.records import SheetError
from meclean.data.sheets import MissingValue, frame_number, read_sheet
from tests.helpers import write_csv

COLUMNS = {"subject": ("Subject",), "onset": ("Onset Frame",)}


def test_the_table_is_found_below_title_rows_and_rows_keep_their_spreadsheet_numbers(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["A title"])
    sheet.append([])
    sheet.append(["Subject", "OnsetFrame", "Notes"])
    sheet.append([6, 5562.0, "x"])
    book.save(tmp_path / "codes.xlsx")

    rows = read_sheet(tmp_path / "codes.xlsx", COLUMNS)

    assert [(r.row, r.values["subject"], r.values["onset"]) for r in rows] == [(4, 6, 5562.0)]


def test_a_missing_column_is_named_with_the_file(tmp_path):
    path = write_csv(tmp_path / "sheet.csv", [["Subject", "Apex"], ["1", "3"]])

    with pytest.raises(SheetError, match=r"sheet\.csv: missing column\(s\): Onset Frame"):
        read_sheet(path, COLUMNS)


def test_an_unsupported_format_says_how_to_fix_it(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf")
    with pytest.raises(SheetError, match=r"save it as \.xlsx or \.csv"):
        read_sheet(path, COLUMNS)


@pytest.mark.parametrize("cell", ["", "/", "-1", None, float("nan")])
def test_placeholders_for_missing_frames_are_missing_values(cell):
    with pytest.raises(MissingValue):
        frame_number(cell)


@pytest.mark.parametrize("cell", ["abc", "12.5", "-3"])
def test_a_non_frame_value_is_rejected_with_the_value(cell):
    with pytest.raises(ValueError, match="not a"):
        frame_number(cell)


def test_excel_floats_are_frame_numbers():
    assert frame_number(46.0) == 46
    assert frame_number(" 46 ") == 46
