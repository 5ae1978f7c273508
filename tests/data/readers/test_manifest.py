from meclean.data.readers import ImportOptions
from meclean.data.readers.manifest import read_manifest
from tests.helpers import write_csv, write_frames


def test_manifest_rows_with_relative_paths_become_samples_and_bad_rows_are_named(tmp_path):
    write_frames(tmp_path / "clips" / "a", ["f0.png", "f1.png"])
    write_frames(tmp_path / "clips" / "b", ["f0.png", "f1.png"])
    manifest = write_csv(
        tmp_path / "manifest.csv",
        [
            ["dataset", "subject", "label", "onset", "apex"],
            ["lab", "p1", "Positive", "clips/a/f0.png", "clips/a/f1.png"],
            ["lab", "p1", "angry", "clips/b/f0.png", "clips/b/f1.png"],
            ["lab", "p2", "surprise", "clips/c/f0.png", "clips/c/f1.png"],
        ],
    )

    report = read_manifest(manifest)

    (sample,) = report.samples
    assert (sample.dataset, sample.subject, sample.name, sample.label) == (
        "lab",
        "p1",
        "a",
        "positive",
    )
    bad = {(i.row, i.field) for i in report.skipped}
    assert bad == {(3, "label"), (4, "onset")}


def test_frame_numbers_in_a_frame_folder_and_an_emotion_map_describe_any_other_layout(tmp_path):
    write_frames(tmp_path / "videos" / "p1" / "v1", [f"img{n:03d}.jpg" for n in range(1, 40)])
    write_frames(
        tmp_path / "videos" / "p2" / "v7", [f"frame_{n}.png" for n in (5, 9, 14, 20, 25, 30)]
    )
    classes = write_csv(
        tmp_path / "classes.csv",
        [["emotion", "class"], ["joy", "positive"], ["anger", "negative"], ["other", "excluded"]],
    )
    manifest = write_csv(
        tmp_path / "manifest.csv",
        [
            ["subject", "frames", "pattern", "onset", "apex", "offset", "emotion"],
            ["p1", "videos/p1/v1", "img{:03d}.jpg", 2, 6, 9, "joy"],
            ["p1", "videos/p1/v1", "img{:03d}.jpg", 20, 24, 30, "anger"],
            ["p2", "videos/p2/v7", "", 5, 9, 14, "Anger"],
            ["p2", "videos/p2/v7", "", 20, 25, 30, "other"],
            ["p2", "videos/p2/v7", "", 25, 27, 30, "joy"],
            ["p2", "videos/p2/v7", "", 5, 14, "", "joy"],
        ],
    )

    report = read_manifest(manifest, ImportOptions(classes=classes))

    assert {(s.subject, s.name, s.label, s.apex_path.name) for s in report.samples} == {
        ("p1", "v1_2", "positive", "img006.jpg"),
        ("p1", "v1_20", "negative", "img024.jpg"),
    }
    assert report.excluded == {"other": 1}
    reasons = {i.row: (i.field, i.message) for i in report.skipped}
    assert reasons[4][1].startswith("duplicate sample p2/v7_5")
    assert reasons[7][1].startswith("duplicate sample p2/v7_5")
    assert reasons[6][0] == "apex"
    assert reasons[6][1].startswith("apex image") and reasons[6][1].endswith("27 not found")


def test_an_emotion_without_a_map_names_the_option(tmp_path):
    write_frames(tmp_path / "v", ["1.jpg", "2.jpg"])
    manifest = write_csv(
        tmp_path / "m.csv",
        [["subject", "frames", "onset", "apex", "emotion"], ["p1", "v", 1, 2, "joy"]],
    )

    (issue,) = read_manifest(manifest).skipped

    assert issue.field == "emotion" and "--classes" in issue.message


def test_a_bad_pattern_an_apex_before_the_onset_and_a_lost_offset_are_named_per_row(tmp_path):
    write_frames(tmp_path / "v", [f"img{n:03d}.jpg" for n in range(1, 12)])
    manifest = write_csv(
        tmp_path / "m.csv",
        [
            ["subject", "frames", "pattern", "onset", "apex", "offset", "label"],
            ["p1", "v", "img{}.jpg{", 1, 2, 3, "positive"],
            ["p2", "v", "img%03d.jpg", 5, 3, 9, "positive"],
            ["p3", "v", "img%03d.jpg", 2, 6, 40, "negative"],
        ],
    )

    report = read_manifest(manifest)

    reasons = {i.row: (i.field, i.message) for i in report.skipped}
    assert reasons[2][0] == "pattern" and "is not a frame pattern" in reasons[2][1]
    assert reasons[3] == ("apex", "apex 3 is before onset 5")
    (sample,) = report.samples
    assert (sample.subject, sample.apex_path.name, sample.offset_path) == ("p3", "img006.jpg", None)
    (warning,) = report.warnings
    assert warning.field == "offset" and "recorded as unknown" in warning.message


def test_a_manifests_aus_column_is_read_and_a_cell_without_aus_is_named(tmp_path):
    for clip in ("a", "b", "c"):
        write_frames(tmp_path / "clips" / clip, ["f0.png", "f1.png"])
    manifest = write_csv(
        tmp_path / "manifest.csv",
        [
            ["subject", "label", "onset", "apex", "aus"],
            ["p1", "positive", "clips/a/f0.png", "clips/a/f1.png", "6+R12A"],
            ["p1", "negative", "clips/b/f0.png", "clips/b/f1.png", "?"],
            ["p2", "surprise", "clips/c/f0.png", "clips/c/f1.png", ""],
        ],
    )

    report = read_manifest(manifest)

    coded = {s.name: s.action_units for s in report.samples}
    assert coded["a"].code() == "6+R12A"
    assert coded["b"] is None and coded["c"] is None  # all three imported
    (warning,) = report.warnings
    assert (warning.row, warning.field) == (3, "aus") and "'?'" in warning.message
