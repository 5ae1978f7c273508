"""The SQLite task queue lies beside the database, as private as it."""

import os
import stat

from meclean.jobs.queue import make_huey
from meclean.settings import Settings


def test_the_sqlite_queue_is_readable_by_its_owner_only_whatever_the_umask(tmp_path):
    previous = os.umask(0)
    try:
        huey = make_huey(Settings(data_dir=tmp_path / "data"))
        huey.storage.enqueue(b"task", 0)
    finally:
        os.umask(previous)

    assert stat.S_IMODE((tmp_path / "data" / "queue.sqlite3").stat().st_mode) == 0o600
