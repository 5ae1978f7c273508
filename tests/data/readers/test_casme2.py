import pytest
from openpyxl import Workbook

from meclean.data.readers import ImportOptions
from meclean.data.readers.casme2 import read_casme2
from tests.data.helpers import HEADER, casme2_folder
from tests.helpers import write_csv


def test_good_rows_become_samples_with_their_frames(tmp_path):
    root = casme2_folder(tmp_path, [[1, "EP02_01f", 10, 13, 16, "12", "happiness"]])

    report = read_casme2(root)

    assert report.skipped == []
    (sample,) = report.samples
    assert (sample.subject, sample.name, sample.label) == ("sub01", "EP02_01f", "positive")
    assert sample.onset_path.name == "reg_img10.jpg"
    assert sample.apex_path.name == "reg_img13.jpg"
    assert sample.offset_path.name == "reg_img16.jpg"


def test_raw_frame_names_are_read_too(tmp_path):
    root = casme2_folder(tmp_path, [[2, "EP01_11f", 10, 12, 16, "4", "disgust"]], cropped=False)

    (sample,) = read_casme2(root).samples

    assert sample.apex_path.name == "img12.jpg"


def test_the_coding_sheet_may_be_excel(tmp_path):
    casme2_folder(tmp_path, [[1, "EP02_01f", 10, 13, 16, "12", "happiness"]])
    (tmp_path / "CASME2-coding-20140508.csv").unlink()
    book = Workbook()
    book.active.append(HEADER)
    book.active.append([1, "EP02_01f", 10, 13, 16, "12", "happiness"])
    book.save(tmp_path / "CASME2-coding-20140508.xlsx")

    assert len(read_casme2(tmp_path).samples) == 1


def issues_by_sample(report):
    return {issue.sample: issue for issue in report.skipped}


def test_each_bad_row_is_skipped_with_its_row_field_and_reason_and_the_rest_imported(tmp_path):
    rows = [
        [1, "EP_GOOD", 10, 13, 16, "12", "happiness"],
        [1, "EP_NOAPEX", 10, "/", 16, "12", "happiness"],
        [1, "EP_TEXT", "ten", 13, 16, "12", "happiness"],
        [1, "EP_OUTSIDE", 10, 16, 14, "12", "surprise"],
        [1, "EP_UNKNOWN", 10, 13, 16, "12", "joy"],
        [1, "EP_OTHERS", 10, 13, 16, "12", "others"],
        [1, "EP_DUP", 10, 13, 16, "12", "happiness"],
        [1, "EP_DUP", 10, 14, 16, "12", "happiness"],
        [1, "EP_NOFRAME", 10, 30, 40, "12", "happiness"],
    ]
    root = casme2_folder(tmp_path, rows)
    write_csv(
        root / "CASME2-coding-20140508.csv",
        [HEADER, *rows, [2, "EP_NOFOLDER", 10, 13, 16, "4", "disgust"]],
    )

    report = read_casme2(root, ImportOptions(estimates=False))

    assert [s.name for s in report.samples] == ["EP_GOOD"]
    assert report.excluded == {"others": 1}
    issues = issues_by_sample(report)
    assert (issues["sub01/EP_NOAPEX"].row, issues["sub01/EP_NOAPEX"].field) == (3, "ApexFrame")
    assert "overrides" in issues["sub01/EP_NOAPEX"].message
    assert (issues["sub01/EP_TEXT"].row, issues["sub01/EP_TEXT"].field) == (4, "OnsetFrame")
    assert "outside" in issues["sub01/EP_OUTSIDE"].message
    assert issues["sub01/EP_UNKNOWN"].field == "Estimated Emotion"
    assert "first at row 8" in issues["sub01/EP_DUP"].message
    assert sum(i.sample == "sub01/EP_DUP" for i in report.skipped) == 2
    assert "frame 30 not found" in issues["sub01/EP_NOFRAME"].message
    assert "not found" in issues["sub02/EP_NOFOLDER"].message
    assert all(str(i).startswith(str(root / "CASME2-coding-20140508.csv")) for i in report.skipped)


def test_an_unreadable_apex_image_skips_the_sample(tmp_path):
    root = casme2_folder(tmp_path, [[1, "EP02_01f", 10, 13, 16, "12", "happiness"]])
    (root / "Cropped" / "sub01" / "EP02_01f" / "reg_img13.jpg").write_bytes(b"not a jpeg")

    (issue,) = read_casme2(root).skipped

    assert issue.field == "ApexFrame"
    assert "unreadable image reg_img13.jpg" in issue.message


def test_overrides_supply_a_missing_apex_and_are_recorded_as_such(tmp_path):
    root = casme2_folder(tmp_path, [[1, "EP02_01f", 10, "/", 16, "12", "happiness"]])
    overrides = write_csv(
        tmp_path / "fix.csv", [["subject", "filename", "apex"], ["sub01", "EP02_01f", 14]]
    )

    (sample,) = read_casme2(root, ImportOptions(overrides=overrides)).samples

    assert sample.apex_path.name == "reg_img14.jpg"
    assert sample.apex_source == "override"


def test_a_sheet_without_the_emotion_column_stops_with_the_missing_column(tmp_path):
    root = casme2_folder(tmp_path, [[1, "EP02_01f", 10, 13, 16, "12", "happiness"]])
    write_csv(root / "CASME2-coding-20140508.csv", [HEADER[:-1], [1, "EP02_01f", 10, 13, 16, "12"]])

    with pytest.raises(ValueError, match=r"missing column.*Estimated Emotion"):
        read_casme2(root)


@pytest.mark.parametrize(("offset", "reason"), [("/", "unknown"), (40, "not found"), (5, "before")])
def test_a_missing_or_unusable_offset_is_recorded_as_unknown_with_a_warning(
    tmp_path, offset, reason
):
    root = casme2_folder(tmp_path, [[1, "EP02_01f", 10, 13, offset, "12", "happiness"]])

    report = read_casme2(root)

    (sample,) = report.samples
    assert sample.offset_path is None
    (warning,) = report.warnings
    assert (warning.row, warning.field, warning.sample) == (2, "OffsetFrame", "sub01/EP02_01f")
    assert reason in warning.message


def test_an_apex_missing_or_on_the_onset_is_estimated_from_the_motion(tiny_composite, tmp_path):
    import shutil

    from openpyxl import load_workbook

    root = tmp_path / "CASME2"
    shutil.copytree(tiny_composite / "CASME2", root)
    sheet = next(root.glob("*.xlsx"))
    book = load_workbook(sheet)
    rows = list(book.active.iter_rows(min_row=2))
    truth = {rows[0][1].value: rows[0][3].value, rows[1][1].value: rows[1][3].value}
    rows[0][3].value = None  # no apex
    rows[1][3].value = rows[1][2].value  # the apex on the onset
    book.save(sheet)

    estimated = read_casme2(root)
    skipped = read_casme2(root, ImportOptions(estimates=False))

    found = {s.name: s for s in estimated.samples if s.name in truth}
    assert {s.apex_source for s in found.values()} == {"estimate"}
    for name, sample in found.items():
        assert abs(int(sample.apex_path.stem.removeprefix("reg_img")) - truth[name]) <= 2
    assert len(estimated.estimates) == 2
    assert all("confidence" in e.message and e.field == "ApexFrame" for e in estimated.estimates)
    assert "the sheet's apex was missing" in estimated.estimates[0].message
    assert not truth.keys() & {s.name for s in skipped.samples}
