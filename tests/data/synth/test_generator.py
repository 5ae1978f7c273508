import csv
from collections import Counter

import pytest

from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.roster import load_roster
from meclean.data.sheets import read_sheet, text
from meclean.data.synth.generator import generate, plan
from meclean.data.synth.layouts import (
    CASME2_SHEET,
    SAMM_SHEET,
    write_casme2_sheet,
    write_samm_sheet,
)
from meclean.data.synth.plan import NoiseRates, SynthConfig


def test_the_full_plan_has_the_rosters_samples_labels_and_subjects():
    samples = plan(SynthConfig(seed=0))

    roster = load_roster()
    assert [
        (s.entry.dataset, s.entry.subject, s.entry.filename, s.entry.label) for s in samples
    ] == [(e.dataset, e.subject, e.filename, e.label) for e in roster]
    assert len({(s.entry.dataset, s.entry.subject) for s in samples}) == 68


def test_noise_kinds_follow_the_configured_rates():
    samples = plan(SynthConfig(seed=1, noise=NoiseRates(0.2, 0.1, 0.05), scale=4))

    shares = Counter(s.noise for s in samples)
    assert abs(shares["flipped"] / len(samples) - 0.2) < 0.03
    assert abs(shares["ambiguous"] / len(samples) - 0.1) < 0.03
    assert all(s.true_label != s.entry.label for s in samples if s.noise == "flipped")
    assert all(s.true_label == s.entry.label for s in samples if s.noise != "flipped")
    assert all(len(s.clip.movements) == 2 for s in samples if s.noise == "ambiguous")


def test_scaled_copies_get_new_subjects_and_unique_sample_names():
    samples = plan(SynthConfig(scale=3))

    assert len(samples) == 3 * 442
    assert len({(s.entry.dataset, s.entry.subject) for s in samples}) == 3 * 68
    assert len({(s.entry.dataset, s.entry.subject, s.entry.filename) for s in samples}) == 3 * 442


def test_generation_is_deterministic_per_seed(tmp_path):
    config = SynthConfig(seed=7, subjects=3, samples_per_subject=2)
    generate(tmp_path / "a", config, workers=1)
    generate(tmp_path / "b", config, workers=2)
    generate(tmp_path / "c", SynthConfig(seed=8, subjects=3, samples_per_subject=2), workers=1)

    def contents(root):
        return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*.bmp"))}

    assert contents(tmp_path / "a") == contents(tmp_path / "b")
    assert contents(tmp_path / "a") != contents(tmp_path / "c")


def test_ground_truth_lives_beside_the_dataset_and_given_labels_match_the_roster(tiny_composite):
    with (tiny_composite / "ground_truth.csv").open() as f:
        truth = list(csv.DictReader(f))
    roster = {(e.subject, e.filename): e.label for e in load_roster(tiny_composite / "roster.csv")}

    assert len(truth) == len(roster)
    assert all(roster[(t["subject"], t["filename"])] == t["given_label"] for t in truth)
    report = read_dataset(
        "megc2019", tiny_composite, ImportOptions(roster=tiny_composite / "roster.csv")
    )
    assert all("ground_truth" not in str(s.onset_path) for s in report.samples)


def test_clips_have_five_to_fifteen_frames_of_face_sized_images(tiny_composite):
    report = read_dataset(
        "megc2019", tiny_composite, ImportOptions(roster=tiny_composite / "roster.csv")
    )
    for sample in report.samples:
        n_frames = len(list(sample.onset_path.parent.iterdir()))
        assert 5 <= n_frames <= 15


def test_it_refuses_to_write_over_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "thesis.tex").write_text("precious")

    with pytest.raises(FileExistsError, match="not written by meclean synth"):
        generate(tmp_path, SynthConfig(subjects=1, samples_per_subject=1), workers=1)
    assert (tmp_path / "thesis.tex").exists()


def test_invalid_noise_rates_are_refused():
    with pytest.raises(ValueError, match="noise rates"):
        NoiseRates(0.6, 0.5, 0.0)


def test_the_stand_ins_sheets_carry_the_real_sheets_known_errors_with_frames_where_fixed(
    tmp_path,
):
    samples = plan(SynthConfig(seed=0))
    write_casme2_sheet(tmp_path, samples)
    write_samm_sheet(tmp_path, samples)

    samm = {
        text(r.values["name"]): r.values
        for r in read_sheet(
            tmp_path / "SAMM" / SAMM_SHEET, {"name": ("Filename",), "apex": ("Apex Frame",)}
        )
    }
    assert text(samm["028_4_1"]["apex"]) == "1143"  # after the offset, as in the real sheet
    planned = {s.entry.filename: s for s in samples}["028_4_1"]
    assert planned.first_frame + planned.clip.apex_index == 1105  # where the correction points
    casme2 = {
        (text(r.values["subject"]), text(r.values["name"])): r.values
        for r in read_sheet(
            tmp_path / "CASME2" / CASME2_SHEET,
            {"subject": ("Subject",), "name": ("Filename",), "apex": ("ApexFrame",)},
        )
    }
    assert text(casme2[("5", "EP03_01")]["apex"]) == "/"
