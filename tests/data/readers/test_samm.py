from openpyxl import Workbook

from meclean.data.readers import ImportOptions
from meclean.data.readers.samm import read_samm
from tests.helpers import write_frames

HEADER = [
    "Subject",
    "Filename",
    "Inducement Code",
    "Onset Frame",
    "Apex Frame",
    "Offset Frame",
    "Duration",
    "Type",
    "Action Units",
    "Notes",
    "Estimated Emotion",
]


def samm_folder(root, rows):
    for row in rows:
        write_frames(
            root / f"{int(row[0]):03d}" / row[1],
            [f"{int(row[0]):03d}_{n:05d}.jpg" for n in range(5560, 5568)],
        )
    book = Workbook()
    sheet = book.active
    for title in (["SAMM FACS codes"], ["by the coders"], [], []):
        sheet.append(title)
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row[0], row[1], 1, *row[2:5], 8, "Micro - 1/2", "4", "", row[5]])
    book.save(root / "SAMM_Micro_FACS_Codes_v2.xlsx")
    return root


def test_the_facs_sheet_below_its_title_rows_gives_samples(tmp_path):
    root = samm_folder(tmp_path, [[6, "006_1_2", 5560, 5562, 5567, "Anger"]])

    report = read_samm(root)

    (sample,) = report.samples
    assert (sample.subject, sample.name, sample.emotion, sample.label) == (
        "006",
        "006_1_2",
        "Anger",
        "negative",
    )
    assert sample.apex_path.name == "006_05562.jpg"


def test_a_minus_one_apex_is_reported_missing_on_its_spreadsheet_row(tmp_path):
    root = samm_folder(
        tmp_path,
        [[6, "006_1_2", 5560, -1, 5567, "Contempt"], [7, "007_3_1", 5560, 5563, 5567, "Other"]],
    )

    report = read_samm(root, ImportOptions(estimates=False))
    estimated = read_samm(root)

    assert report.samples == []
    assert report.excluded == {"Other": 1}
    (issue,) = report.skipped
    assert (issue.row, issue.field) == (6, "Apex Frame")
    assert "missing Apex Frame" in issue.message
    (estimate,) = estimated.estimates
    assert (estimate.row, estimate.field) == (6, "Apex Frame")
    assert "the sheet's apex was missing" in estimate.message
