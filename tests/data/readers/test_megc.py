import shutil

from meclean.data.readers import read_dataset
from meclean.data.readers.megc import read_megc2019
from meclean.data.roster import load_roster


def test_every_roster_sample_of_the_synthetic_composite_is_imported_with_roster_names(
    tiny_composite,
):
    roster = tiny_composite / "roster.csv"

    report = read_megc2019(tiny_composite, roster)

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

    report = read_dataset("megc2019", copy, roster=copy / "roster.csv")

    messages = {i.sample: i.message for i in report.skipped}
    assert any(first.name in sample and "not found" in m for sample, m in messages.items())


def test_samples_on_disk_but_not_in_the_roster_are_excluded(tiny_composite, tmp_path):
    roster = tmp_path / "roster.csv"
    lines = (tiny_composite / "roster.csv").read_text().splitlines()
    roster.write_text("\n".join(lines[:-1]) + "\n")

    report = read_megc2019(tiny_composite, roster)

    assert report.excluded == {"not in roster": 1}
    assert len(report.samples) == len(lines) - 2
