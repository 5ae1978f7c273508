import pytest

from meclean.data.marks import read_clean_marks
from meclean.data.readers.common import sample_key
from meclean.data.records import SheetError
from tests.helpers import write_csv


def test_grades_one_and_two_are_clean_and_zero_is_noisy(tmp_path):
    path = write_csv(
        tmp_path / "marks.csv",
        [
            ["subject", "filename", "grade"],
            ["sub01", "EP02_01f", 0],
            ["sub01", "EP19_05f", 1],
            ["s01", "s01_ne_01", 2],
        ],
    )

    marks = read_clean_marks(path)

    assert marks[sample_key("sub01", "EP02_01f")] is False
    assert marks[sample_key("sub1", "EP19_05f")] is True
    assert marks[sample_key("s1", "s1_ne_01")] is True


def test_an_unknown_grade_names_its_row(tmp_path):
    path = write_csv(
        tmp_path / "marks.csv", [["subject", "filename", "grade"], ["1", "a", "clean"]]
    )
    with pytest.raises(SheetError, match=r"row 2, field 'grade'"):
        read_clean_marks(path)
