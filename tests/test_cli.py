import pytest
from typer.testing import CliRunner

from meclean.cli import app
from meclean.jobs.queue import Jobs
from meclean.settings import get_settings
from tests.data.readers.official import build_official_tree
from tests.helpers import write_csv, write_frames

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """MECLEAN_DATA_DIR pointed at a temporary folder, for commands that write there."""
    monkeypatch.setenv("MECLEAN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


@pytest.mark.parametrize("command", ["synth", "import", "features", "demo"])
def test_every_command_has_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_synth_then_import_prints_the_counts_per_dataset_and_class(tmp_path):
    out = tmp_path / "synth"
    made = runner.invoke(
        app, ["synth", str(out), "--subjects", "3", "--samples-per-subject", "2", "--workers", "1"]
    )
    assert made.exit_code == 0, made.output
    assert "Wrote 6 samples" in made.output

    imported = runner.invoke(app, ["import", str(out), "--roster", str(out / "roster.csv")])

    assert imported.exit_code == 0, imported.output
    for dataset in ("casme2", "samm", "smic"):
        assert dataset in imported.output


def test_features_reports_computed_then_cached(tmp_path, data_dir, tiny_composite):
    args = [
        "features",
        str(tiny_composite),
        "--roster",
        str(tiny_composite / "roster.csv"),
        "--method",
        "dis",
        "--workers",
        "1",
        "--class-means",
        str(tmp_path / "means.png"),
    ]

    first = runner.invoke(app, args)
    second = runner.invoke(app, args)

    assert first.exit_code == 0, first.output
    assert "0 from cache" in first.output
    assert "0 computed" in second.output
    assert (tmp_path / "means.png").stat().st_size > 0


def test_a_broken_sheet_exits_with_the_file_and_the_missing_column(tmp_path):
    (tmp_path / "sub01").mkdir()
    write_csv(tmp_path / "CASME2-coding.csv", [["Subject", "Filename"], ["1", "EP01"]])

    result = runner.invoke(app, ["import", str(tmp_path), "--layout", "casme2"])

    assert result.exit_code == 1
    assert "CASME2-coding.csv" in result.output
    assert "OnsetFrame" in result.output


def test_train_prints_the_table_of_uf1_and_uar_per_dataset(tmp_path, data_dir, tiny_composite):
    result = runner.invoke(
        app,
        [
            "train",
            str(tiny_composite),
            "--roster",
            str(tiny_composite / "roster.csv"),
            "--method",
            "ltm",
            "--epochs",
            "2",
            "--flow",
            "dis",
            "--no-final",
            "--device",
            "cpu",
            "--workers",
            "1",
            "--out",
            str(tmp_path / "run"),
        ],
    )

    assert result.exit_code == 0, result.output
    for group in ("composite", "casme2", "samm", "smic", "UF1", "UAR"):
        assert group in result.output
    assert (tmp_path / "run" / "result.json").exists()


def test_idc_without_marks_is_refused(tiny_composite):
    result = runner.invoke(app, ["train", str(tiny_composite), "--method", "idc"])
    assert result.exit_code == 1
    assert "--marks" in result.output


def test_import_with_save_stores_the_dataset_once(data_dir, tiny_composite):
    args = [
        "import",
        str(tiny_composite),
        "--roster",
        str(tiny_composite / "roster.csv"),
        "--save",
        "demo",
    ]

    first = runner.invoke(app, args)
    second = runner.invoke(app, args)

    assert first.exit_code == 0, first.output
    assert "as dataset 'demo' (label version 1)" in first.output
    assert "Queued features job 1 for their flow" in first.output
    assert Jobs(get_settings()).huey.pending_count() == 1
    assert second.exit_code == 1
    assert "already exists" in second.output
    assert (data_dir / "meclean.db").exists()


def test_users_add_creates_an_account_with_a_printed_password(data_dir):
    created = runner.invoke(app, ["users", "add", "ana", "--role", "curator"])
    again = runner.invoke(app, ["users", "add", "ana"])

    assert created.exit_code == 0, created.output
    assert "Created curator 'ana' with password:" in created.output
    assert again.exit_code == 1 and "already exists" in again.output


def test_importing_the_official_releases_lists_each_correction_and_exits_zero(tmp_path):
    root = build_official_tree(tmp_path)

    result = runner.invoke(app, ["import", str(root)])

    assert result.exit_code == 0, result.output
    assert "Corrected known sheet errors (16)" in result.output
    assert "028/028_4_1" in result.output and "using 1105" in result.output


def test_without_corrections_the_import_names_the_skipped_or_estimated_samples(tmp_path):
    root = build_official_tree(tmp_path)

    skipped = runner.invoke(app, ["import", str(root), "--no-corrections", "--no-estimates"])
    estimated = runner.invoke(app, ["import", str(root), "--no-corrections"])

    assert skipped.exit_code == 0, skipped.output
    assert "Skipped (15)" in skipped.output
    assert "sub05/EP03_01" in skipped.output
    assert estimated.exit_code == 0, estimated.output
    assert "Apexes estimated from the motion (15)" in estimated.output
    assert "Skipped" not in estimated.output


def test_an_import_that_imports_nothing_exits_non_zero_and_says_so(tmp_path):
    frames = tmp_path / "Cropped" / "sub01" / "EP08_03"
    write_frames(frames, [f"reg_img{n}.jpg" for n in (1, 2, 3)])
    write_csv(
        tmp_path / "CASME2-coding.csv",
        [
            ["Subject", "Filename", "OnsetFrame", "ApexFrame", "OffsetFrame", "Estimated Emotion"],
            [1, "EP08_03", 1, 2, 3, "others"],
        ],
    )

    result = runner.invoke(app, ["import", str(tmp_path), "--layout", "casme2"])

    assert result.exit_code == 1
    assert "nothing imported" in result.output


def test_a_part_option_must_name_a_dataset_and_a_path(tmp_path):
    result = runner.invoke(app, ["import", str(tmp_path), "--part", "casme=/data"])

    assert result.exit_code == 2
    assert "DATASET=PATH" in result.output


def test_features_take_a_working_size_or_native_and_refuse_anything_else(tmp_path, data_dir):
    root = build_official_tree(tmp_path / "releases")
    args = ["features", str(root / "SAMM"), "--layout", "samm", "--method", "dis"]

    native = runner.invoke(app, [*args, "--working-size", "native", "--workers", "1"])
    bad = runner.invoke(app, [*args, "--working-size", "big"])

    assert native.exit_code == 0, native.output
    assert "133 computed" in native.output
    assert bad.exit_code == 2 and "expected HxW" in bad.output
