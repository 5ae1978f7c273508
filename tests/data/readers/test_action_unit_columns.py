"""Every reader takes its sheet's AU column; cells it cannot read are named, not fatal."""

import csv

from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.readers.samm import read_samm
from tests.data.readers.test_samm import samm_folder


def test_the_synthetic_sheets_aus_reach_each_sample_as_coded(tiny_composite):
    report = read_dataset("megc2019", tiny_composite, ImportOptions())
    with (tiny_composite / "ground_truth.csv").open() as f:
        coded = {(r["dataset"], r["subject"], r["filename"]): r for r in csv.DictReader(f)}

    for sample in report.samples:
        truth = coded[(sample.dataset, sample.subject, sample.name)]
        if sample.dataset == "smic":
            assert sample.action_units is None  # SMIC-HS codes no AUs
        else:
            assert sample.action_units.code() == truth["coded_action_units"]
    assert report.ambiguous_action_units == []


def test_a_cell_with_two_codings_keeps_both_and_is_listed(tmp_path):
    root = samm_folder(tmp_path, [[6, "006_1_2", 5560, 5562, 5567, "Anger"]])
    _rewrite_samm_aus(root, "(R6 or R12)+R15")

    report = read_samm(root)

    (sample,) = report.samples
    assert sample.action_units.code() == "R6+R15 or R12+R15"
    (listed,) = report.ambiguous_action_units
    assert (listed.row, listed.field, listed.sample) == (6, "Action Units", "006/006_1_2")
    assert "2 codings" in listed.message


def test_a_cell_that_is_no_coding_is_named_and_the_sample_still_imported(tmp_path):
    root = samm_folder(tmp_path, [[6, "006_1_2", 5560, 5562, 5567, "Anger"]])
    _rewrite_samm_aus(root, "?")

    report = read_samm(root)

    (sample,) = report.samples
    assert sample.action_units is None
    (warning,) = report.warnings
    assert warning.file.name == "SAMM_Micro_FACS_Codes_v2.xlsx"
    assert (warning.row, warning.field) == (6, "Action Units")
    assert "'?'" in warning.message and "imported without them" in warning.message


def test_free_text_in_a_cell_is_named_and_the_aus_beside_it_kept(tmp_path):
    root = samm_folder(tmp_path, [[6, "006_1_2", 5560, 5562, 5567, "Anger"]])
    _rewrite_samm_aus(root, "R14+17+soft focus")

    report = read_samm(root)

    (sample,) = report.samples
    assert sample.action_units.code() == "R14+17"
    (warning,) = report.warnings
    assert "'soft focus'" in warning.message and warning.field == "Action Units"


def _rewrite_samm_aus(root, cell):
    from openpyxl import load_workbook

    path = root / "SAMM_Micro_FACS_Codes_v2.xlsx"
    book = load_workbook(path)
    book.active.cell(row=6, column=9, value=cell)
    book.save(path)
