"""A backup restores every row and every feature file, on SQLite and PostgreSQL."""

import os
import shutil
import stat

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from typer.testing import CliRunner

from meclean.cli import app
from meclean.data.feature_store import FeatureStore
from meclean.data.features import compute_features
from meclean.data.flow import FlowSettings
from meclean.data.readers import ImportOptions, read_dataset
from meclean.db.backup import BackupError, backup, restore
from meclean.db.datasets import store_import
from meclean.db.marks import set_mark
from meclean.db.migrations import upgrade
from meclean.db.session import make_engine, session_factory, transaction
from meclean.db.users import create_user
from meclean.settings import Settings


@pytest.fixture
def filled(tmp_path, tiny_composite, database_url) -> Settings:
    """A data directory and database with a dataset, experts, marks and features."""
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    upgrade(database_url)
    engine = make_engine(database_url)
    report = read_dataset(
        "megc2019", tiny_composite, ImportOptions(roster=tiny_composite / "roster.csv")
    )
    with transaction(session_factory(engine)) as session:
        dataset = store_import(session, "tiny", "megc2019", tiny_composite, report)
        ana = create_user(session, "ana", "curator", "correct horse")
        for sample in dataset.samples[:5]:
            set_mark(session, sample.id, ana.id, "noisy", note="=cmd|' /C calc'!A0")
    engine.dispose()
    compute_features(report.samples[:4], FlowSettings(), FeatureStore(settings.feature_dir), 1)
    (settings.data_dir / "runs" / "1" / "result").mkdir(parents=True)
    (settings.data_dir / "runs" / "1" / "result" / "result.json").write_text("{}")
    return settings


def everything(settings: Settings) -> tuple[dict[str, list[tuple]], dict[str, bytes]]:
    """Every row of every table, and every file the backup covers."""
    engine = create_engine(settings.resolved_database_url())
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        rows = {
            name: sorted(map(tuple, connection.execute(select(table))), key=repr)
            for name, table in metadata.tables.items()
        }
    engine.dispose()
    files = {
        str(p.relative_to(settings.data_dir)): p.read_bytes()
        for folder in ("features", "runs")
        for p in sorted((settings.data_dir / folder).rglob("*"))
        if p.is_file()
    }
    return rows, files


def wipe(settings: Settings) -> None:
    engine = create_engine(settings.resolved_database_url())
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            names = [
                r[0]
                for r in connection.execute(
                    text("SELECT name FROM sqlite_master WHERE type='table'")
                )
            ]
            for name in names:
                connection.execute(text(f'DROP TABLE "{name}"'))
        else:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    shutil.rmtree(settings.data_dir / "features")
    shutil.rmtree(settings.data_dir / "runs")


def test_a_backup_restores_every_row_and_every_feature_file(filled, tmp_path):
    before = everything(filled)
    archive = tmp_path / "backups" / "lab.tar.gz"

    backup(filled, archive)
    wipe(filled)
    restore(filled, archive)

    rows, files = everything(filled)
    assert rows == before[0] and files == before[1]
    assert len(rows["marks"]) == 5 and len(files) >= 5


def test_a_backup_is_readable_by_its_owner_only(filled, tmp_path):
    previous = os.umask(0o022)  # the usual one: group and others may read new files
    try:
        backup(filled, tmp_path / "backup.tar.gz")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "backup.tar.gz").stat().st_mode) == 0o600


def test_a_restore_over_existing_data_is_refused_unless_asked(filled, tmp_path):
    archive = tmp_path / "lab.tar.gz"
    backup(filled, archive)

    with pytest.raises(BackupError, match="already holds"):
        restore(filled, archive)
    restore(filled, archive, replace=True)


def test_the_command_line_backs_up_and_says_what_is_wrong(filled, tmp_path, monkeypatch):
    monkeypatch.setenv("MECLEAN_DATA_DIR", str(filled.data_dir))
    monkeypatch.setenv("MECLEAN_DATABASE_URL", filled.resolved_database_url())
    runner = CliRunner()
    (tmp_path / "junk.tar.gz").write_bytes(b"not a tar")

    made = runner.invoke(app, ["backup", str(tmp_path / "lab.tar.gz")])
    junk = runner.invoke(app, ["restore", str(tmp_path / "junk.tar.gz"), "--replace"])

    assert made.exit_code == 0, made.output
    assert junk.exit_code == 1 and "not a readable meclean backup" in junk.output
