"""The SQLite file holds password and session hashes: only its owner reads it."""

import os
import stat

import pytest
from sqlalchemy import text

from meclean.db.session import make_engine


@pytest.fixture
def usual_umask():
    """The umask most shells set (group and others may read new files)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_wal_are_readable_by_their_owner_only(tmp_path, usual_umask):
    database = tmp_path / "meclean.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE secrets (hash TEXT)"))
        connection.execute(text("INSERT INTO secrets VALUES ('argon2')"))
        wal = tmp_path / "meclean.db-wal"
        assert wal.exists()
        assert mode(wal) == 0o600
    engine.dispose()
    assert mode(database) == 0o600


def test_an_existing_database_keeps_the_mode_its_owner_gave_it(tmp_path, usual_umask):
    database = tmp_path / "meclean.db"
    database.touch(mode=0o640)
    database.chmod(0o640)
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    assert mode(database) == 0o640
