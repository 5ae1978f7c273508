"""Whole imports of the MEGC2019 releases, laid out as they ship, known sheet errors included."""

import shutil
from collections import Counter

import pytest
from openpyxl import load_workbook

from meclean.data.corrections import load_corrections
from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.readers.common import sample_key
from meclean.data.records import SheetError
from meclean.data.roster import load_roster
from tests.data.readers.official import LEFT_OUT, SAMM_FRAMES, build_official_tree
from tests.helpers import write_csv


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    return build_official_tree(tmp_path_factory.mktemp("official"))


def corrected_roster_fields():
    """(dataset, subject/name, field) of every shipped correction of a roster sample."""
    roster = {(e.dataset, sample_key(e.subject, e.filename)) for e in load_roster()}
    return {
        (c.dataset, sample_key(c.subject, c.filename), c.field)
        for c in load_corrections()
        if (c.dataset, sample_key(c.subject, c.filename)) in roster
    }


def listed(issues, dataset_of):
    return {(dataset_of(i), sample_key(*i.sample.split("/")), i.field) for i in issues}


def dataset_of(issue):
    return "casme2" if "CASME2" in str(issue.file) else "samm"


FIELDS = {"ApexFrame": "apex", "Apex Frame": "apex", "Offset Frame": "offset"}


def test_the_official_releases_import_whole_with_every_correction_listed(releases):
    report = read_dataset("megc2019", releases)

    assert Counter(s.dataset for s in report.samples) == {"casme2": 145, "samm": 133, "smic": 164}
    assert report.skipped == []
    corrections = {(d, k, FIELDS[f]) for d, k, f in listed(report.corrections, dataset_of)}
    assert corrections == corrected_roster_fields()
    assert len(corrections) == 16  # CASME II: 12 apexes; SAMM: 3 apexes and 1 offset
    by_sample = {i.sample: i for i in report.corrections}
    assert "using 1105" in by_sample["028/028_4_1"].message
    assert "MEB toolbox" in by_sample["028/028_4_1"].message
    apex = {s.name: s for s in report.samples}["028_4_1"].apex_path
    assert apex.name == "028_01105.jpg"
    assert {s.apex_source for s in report.samples if s.name == "EP09_02"} == {"correction"}


def test_three_class_rows_the_roster_leaves_out_are_named_and_others_are_counted(releases):
    report = read_dataset("megc2019", releases)

    named = {i.sample for i in report.warnings if "roster leaves out" in i.message}
    assert named == {f"{subject}/{name}" for subject, name, _ in LEFT_OUT}
    assert report.excluded == {"others": 1}


def test_the_right_folders_are_found_beside_what_the_releases_also_hold(releases):
    report = read_dataset("megc2019", releases)

    # not CASME (CASME I), the compressed videos, SAMM's long videos, or SMIC's VIS/NIR
    assert report.frames == {
        "casme2": releases / "CASME2" / "Cropped" / "Cropped",
        "samm": releases / SAMM_FRAMES,
        "smic": releases / "SMIC" / "SMIC_all_raw" / "HS",
    }


def test_without_corrections_the_samples_with_known_errors_are_skipped_by_name(releases):
    report = read_dataset("megc2019", releases, ImportOptions(corrections=False, estimates=False))

    assert len(report.samples) == 442 - 15
    assert report.corrections == []
    skipped = {sample_key(*i.sample.split("/")) for i in report.skipped}
    expected = {k for d, k, field in corrected_roster_fields() if field == "apex"}
    assert skipped == expected
    (offset,) = [w for w in report.warnings if w.sample == "013/013_1_9"]
    assert offset.field == "Offset Frame" and "unknown" in offset.message


def test_without_corrections_the_apexes_with_known_errors_are_estimated_near_the_fixes(releases):
    """MEB hand-picked the missing and impossible apexes from the flow; the estimates come
    from the motion and are listed, each with its confidence."""
    fixed = read_dataset("megc2019", releases, ImportOptions())
    estimated = read_dataset("megc2019", releases, ImportOptions(corrections=False))

    apex_fixes = {k for d, k, field in corrected_roster_fields() if field == "apex"}
    listed_ = {sample_key(*i.sample.split("/")) for i in estimated.estimates}
    assert listed_ == apex_fixes and not estimated.skipped
    documented = {sample_key(s.subject, s.name): s.apex_path for s in fixed.samples}
    near = [
        abs(_number(s.apex_path) - _number(documented[sample_key(s.subject, s.name)])) <= 3
        for s in estimated.samples
        if s.apex_source == "estimate"
    ]
    assert len(near) == len(apex_fixes) and sum(near) >= 0.8 * len(near)


def _number(path):
    return int("".join(c for c in path.stem[-6:] if c.isdigit()))


def test_a_users_override_wins_over_the_shipped_correction_and_is_listed(releases, tmp_path):
    fix = write_csv(
        tmp_path / "fix.csv",
        [
            ["subject", "filename", "apex", "emotion"],
            ["28", "028_4_1", 1108, ""],
            ["sub99", "EP01_01", 10, ""],  # no such sample
            ["sub01", "EP02_01f", "", "disgust"],  # the roster gives the label
        ],
    )

    report = read_dataset("megc2019", releases, ImportOptions(overrides=fix))

    sample = {s.name: s for s in report.samples}["028_4_1"]
    assert (sample.apex_path.name, sample.apex_source) == ("028_01108.jpg", "override")
    assert "028/028_4_1" not in {i.sample for i in report.corrections}
    used = {i.sample: i for i in report.overrides}
    assert set(used) == {"028/028_4_1", "sub01/EP02_01f"}
    assert (used["028/028_4_1"].row, used["028/028_4_1"].message) == (
        2,
        "apex 1108 from the overrides",
    )
    about_overrides = {(w.row, w.message) for w in report.warnings if w.file == fix}
    assert (3, "matches no sample of the dataset") in about_overrides
    assert any(row == 4 and "roster gives the label" in m for row, m in about_overrides)


def test_a_corrected_sheet_is_read_as_it_is(releases, tmp_path):
    """A release that fixed a known error keeps its own value; nothing is corrected."""
    copy = tmp_path / "releases"
    shutil.copytree(releases, copy)
    sheet = next((copy / "CASME2").glob("*.xlsx"))
    book = load_workbook(sheet)
    for row in book.active.iter_rows(min_row=2):
        if row[1].value == "EP09_10":
            row[4].value = 83  # the release now gives a number where it said '/'
    book.save(sheet)

    report = read_dataset("megc2019", copy)

    assert "sub13/EP09_10" not in {i.sample for i in report.corrections}
    sample = {s.name: s for s in report.samples}["EP09_10"]
    assert (sample.apex_source, sample.apex_path.name) == ("sheet", "reg_img83.jpg")


def test_each_dataset_may_be_given_its_own_folder_and_sheet(releases, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(releases / "SAMM", elsewhere)
    (elsewhere / "SAMM_Micro_FACS_Codes_v2.xlsx").rename(elsewhere.parent / "codes.xlsx")
    options = ImportOptions(
        parts={"samm": elsewhere}, part_sheets={"samm": tmp_path / "codes.xlsx"}
    )

    report = read_dataset("megc2019", releases, options)

    assert Counter(s.dataset for s in report.samples)["samm"] == 133
    assert report.frames["samm"] == elsewhere / "SAMM"


def test_a_single_sheet_option_for_the_composite_is_refused_with_the_right_options(releases):
    with pytest.raises(SheetError, match="--part-sheet"):
        read_dataset("megc2019", releases, ImportOptions(sheet=releases / "x.xlsx"))


def test_a_source_datasets_error_names_the_composites_options(releases, tmp_path):
    copy = tmp_path / "releases"
    shutil.copytree(releases, copy)
    (copy / "SAMM" / "SAMM_Micro_FACS_Codes_v2.xlsx").unlink()

    with pytest.raises(SheetError, match=r"samm: no annotation sheet.*--part-sheet samm=FILE"):
        read_dataset("megc2019", copy)
    with pytest.raises(SheetError, match=r"folder not found \(--part casme2\)"):
        read_dataset("megc2019", copy, ImportOptions(parts={"casme2": tmp_path / "nope"}))
