import shutil

from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.readers.common import sample_key
from meclean.data.readers.megc import read_megc2019
from meclean.data.roster import load_roster


def test_every_roster_sample_of_the_synthetic_composite_is_imported_with_roster_names(
    tiny_composite,
):
    roster = tiny_composite / "roster.csv"

    report = read_megc2019(tiny_composite, ImportOptions(roster=roster))

    expected = {(e.dataset, e.subject, e.filename, e.label) for e in load_roster(roster)}
    assert {(s.dataset, s.subject, s.name, s.label) for s in report.samples} == expected
    assert report.skipped == [] and report.warnings == []
    smic = [s for s in report.samples if s.dataset == "smic"]
    assert smic and all(s.subject.startswith("s0") for s in smic)  # s1 on disk, s01 in the roster


def test_roster_samples_missing_on_disk_are_reported(tiny_composite, tmp_path):
    copy = tmp_path / "composite"
    shutil.copytree(tiny_composite, copy)
    first = next(iter(sorted((copy / "SAMM").glob("0*/*"))))
    shutil.rmtree(first)

    report = read_dataset("megc2019", copy, ImportOptions(roster=copy / "roster.csv"))

    messages = {i.sample: i.message for i in report.skipped}
    assert any(first.name in sample and "not found" in m for sample, m in messages.items())


def test_three_class_samples_on_disk_but_not_in_the_roster_are_named_in_warnings(
    tiny_composite, tmp_path
):
    roster = tmp_path / "roster.csv"
    lines = (tiny_composite / "roster.csv").read_text().splitlines()
    roster.write_text("\n".join(lines[:-1]) + "\n")
    left_out = lines[-1].split(",")

    report = read_megc2019(tiny_composite, ImportOptions(roster=roster))

    assert len(report.samples) == len(lines) - 2
    (warning,) = report.warnings
    assert sample_key(*warning.sample.split("/")) == sample_key(left_out[1], left_out[2])
    assert "roster leaves out" in warning.message
