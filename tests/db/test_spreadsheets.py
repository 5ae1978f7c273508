import csv
import io

import pytest

from meclean.db.spreadsheets import csv_text, safe_cell, unquoted_cell


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)", "\tx", "'=", "''-1"]
)
def test_cells_a_spreadsheet_would_run_as_formulas_are_written_as_text(text):
    (row,) = list(csv.reader(io.StringIO(csv_text(["name"], [[text]]))))[1:]

    assert row == ["'" + text]
    assert unquoted_cell(row[0]) == text


def test_ordinary_cells_and_numbers_are_written_as_they_are():
    assert safe_cell("sub01") == "sub01" and safe_cell(-1) == -1
    assert unquoted_cell("'quoted by the expert") == "'quoted by the expert"
