from meclean.data.readers.manifest import read_manifest
from tests.conftest import write_csv, write_frames


def test_manifest_rows_with_relative_paths_become_samples_and_bad_rows_are_named(tmp_path):
    write_frames(tmp_path / "clips" / "a", ["f0.png", "f1.png"])
    write_frames(tmp_path / "clips" / "b", ["f0.png", "f1.png"])
    manifest = write_csv(
        tmp_path / "manifest.csv",
        [
            ["subject", "label", "onset", "apex"],
            ["p1", "Positive", "clips/a/f0.png", "clips/a/f1.png"],
            ["p1", "angry", "clips/b/f0.png", "clips/b/f1.png"],
            ["p2", "surprise", "clips/c/f0.png", "clips/c/f1.png"],
        ],
    )

    report = read_manifest(manifest, dataset="lab")

    (sample,) = report.samples
    assert (sample.dataset, sample.subject, sample.name, sample.label) == (
        "lab",
        "p1",
        "a",
        "positive",
    )
    bad = {(i.row, i.field) for i in report.skipped}
    assert bad == {(3, "label"), (4, "onset")}
