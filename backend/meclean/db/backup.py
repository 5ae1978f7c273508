"""Backups of everything experts made: the database (an online-consistent SQLite copy, or
pg_dump), the feature store and the runs' files, in one archive; and their restore."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url

from meclean import __version__
from meclean.db.migrations import upgrade
from meclean.db.models import Dataset, User
from meclean.db.session import make_engine, session_factory
from meclean.files import OWNER_ONLY, create_owner_only
from meclean.settings import Settings

MANIFEST = "meclean-backup.json"
FOLDERS = ("features", "runs")
"""Data-directory folders a backup holds; renders are a cache and are made again."""


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class BackupManifest:
    meclean: str
    database: str
    """'sqlite' or 'postgresql'."""
    created_at: str


def backup(settings: Settings, target: Path) -> BackupManifest:
    """Write the archive to ``target`` (a .tar.gz); it appears only once complete."""
    url = make_url(settings.resolved_database_url())
    kind = _kind(url)
    manifest = BackupManifest(__version__, kind, datetime.now(UTC).isoformat())
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as tmp:
        staging = Path(tmp)
        dump = staging / ("database.sqlite" if kind == "sqlite" else "database.pgdump")
        if kind == "sqlite":
            _copy_sqlite(_sqlite_file(url), dump)
        else:
            _run(["pg_dump", "--format=custom", f"--file={dump}"], url)
        (staging / MANIFEST).write_text(json.dumps(manifest.__dict__, indent=2))
        partial = staging / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(staging / MANIFEST, MANIFEST)
            tar.add(dump, dump.name)
            for folder in FOLDERS:
                if (settings.data_dir / folder).is_dir():
                    tar.add(settings.data_dir / folder, folder)
        partial.chmod(OWNER_ONLY)  # it holds the database's password and session hashes
        os.replace(partial, target)
    return manifest


def restore(settings: Settings, archive: Path, replace: bool = False) -> BackupManifest:
    """Put an archive's database and files back, then migrate it to this version's schema.

    Refused when the configured database already holds datasets or users, unless
    ``replace``: then they are replaced by the archive's.
    """
    url = make_url(settings.resolved_database_url())
    kind = _kind(url)
    with tempfile.TemporaryDirectory(prefix="meclean-restore-") as tmp:
        staging = Path(tmp)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(staging, filter="data")  # no links or paths out of staging
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"{archive} is not a readable meclean backup: {exc}") from None
        if not (staging / MANIFEST).is_file():
            raise BackupError(f"{archive} holds no {MANIFEST}: not a meclean backup")
        manifest = BackupManifest(**json.loads((staging / MANIFEST).read_text()))
        if manifest.database != kind:
            raise BackupError(
                f"{archive} holds a {manifest.database} database; the configured one is {kind}"
            )
        if not replace and _holds_data(url):
            raise BackupError(
                "the configured database already holds datasets or users; restore into an "
                "empty one, or replace them (--replace)"
            )
        if kind == "sqlite":
            _copy_sqlite(staging / "database.sqlite", _sqlite_file(url))
        else:
            dump = staging / "database.pgdump"
            restore_into = f"--dbname={url.database}"
            _run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", restore_into, str(dump)], url
            )
        for folder in FOLDERS:
            destination = settings.data_dir / folder
            if destination.exists():
                shutil.rmtree(destination)
            if (staging / folder).is_dir():
                shutil.copytree(staging / folder, destination)
    upgrade(settings.resolved_database_url())
    return manifest


def _kind(url: URL) -> str:
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")
    return url.get_backend_name()


def _sqlite_file(url: URL) -> Path:
    if url.database is None:
        raise BackupError("the configured SQLite database is in memory: it has no file")
    return Path(url.database)


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while the server goes on writing."""
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    create_owner_only(target)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _run(command: list[str], url: URL) -> None:
    """pg_dump or pg_restore on the database of ``url``; the password goes through the
    environment, never the command line."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    env = {
        **os.environ,
        "PGHOST": url.host or "localhost",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "",
        "PGPASSWORD": url.password or "",
        "PGDATABASE": url.database or "",
    }
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _holds_data(url: URL) -> bool:
    if url.get_backend_name() == "sqlite" and not _sqlite_file(url).is_file():
        return False
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        upgrade(url.render_as_string(hide_password=False))
        with session_factory(engine)() as session:
            return bool(
                session.scalar(select(func.count()).select_from(Dataset))
                or session.scalar(select(func.count()).select_from(User))
            )
    finally:
        engine.dispose()
