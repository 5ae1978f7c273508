from meclean.data.readers import ImportOptions
from meclean.data.readers.smic import read_smic
from tests.helpers import write_csv, write_frames


def smic_sample(root, subject, emotion, name, count=7):
    write_frames(
        root / "HS" / subject / "micro" / emotion / name,
        [f"image{586200 + i}.bmp" for i in range(count)],
    )


def test_onset_and_offset_are_the_clip_ends_and_apex_the_middle_frame(tmp_path):
    smic_sample(tmp_path, "s1", "positive", "s1_po_01", count=7)

    (sample,) = read_smic(tmp_path).samples

    assert sample.label == "positive"
    assert sample.onset_path.name == "image586200.bmp"
    assert sample.apex_path.name == "image586203.bmp"
    assert sample.offset_path.name == "image586206.bmp"
    assert sample.apex_source == "middle"


def test_an_apex_override_replaces_the_middle_frame(tmp_path):
    smic_sample(tmp_path, "s1", "surprise", "s1_sur_01")
    fix = write_csv(
        tmp_path / "fix.csv", [["subject", "filename", "apex"], ["s01", "s01_sur_01", 586205]]
    )

    (sample,) = read_smic(tmp_path, ImportOptions(overrides=fix)).samples

    assert sample.apex_path.name == "image586205.bmp"


def test_unknown_emotion_folders_and_duplicate_names_are_reported(tmp_path):
    smic_sample(tmp_path, "s2", "happy", "s2_po_01")
    smic_sample(tmp_path, "s2", "negative", "s2_ne_01")
    smic_sample(tmp_path, "s2", "surprise", "s2_ne_01")
    smic_sample(tmp_path, "s2", "positive", "s2_po_02")

    report = read_smic(tmp_path)

    assert [s.name for s in report.samples] == ["s2_po_02"]
    messages = {i.sample: i.message for i in report.skipped}
    assert "unknown emotion 'happy'" in messages["s2/s2_po_01"]
    assert "duplicate" in messages["s2/s2_ne_01"]
