"""A data directory that cannot be written gives a clear error, and nothing half-written."""

import errno
import os
import subprocess

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, text

from meclean.api.app import create_app
from meclean.api.deps import CSRF_HEADER
from meclean.data.readers import ImportOptions, read_dataset
from meclean.db.datasets import store_import
from meclean.db.migrations import upgrade
from meclean.db.models import Mark
from meclean.db.session import make_engine, session_factory, transaction
from meclean.db.users import create_user
from meclean.settings import Settings
from tests.api.helpers import PASSWORD


@pytest.fixture
def make_read_only(app, settings):
    """From the call on, every database connection refuses writes, as on a read-only or
    full disk."""
    if not settings.resolved_database_url().startswith("sqlite"):
        pytest.skip("SQLite's query_only stands in for a read-only disk")

    def refuse_writes(connection, _record) -> None:
        connection.execute("PRAGMA query_only = ON")

    def turn_on() -> None:
        app.state.engine.dispose()
        event.listen(app.state.engine, "connect", refuse_writes)

    yield turn_on
    if event.contains(app.state.engine, "connect", refuse_writes):
        event.remove(app.state.engine, "connect", refuse_writes)
    app.state.engine.dispose()


def test_a_mark_on_a_read_only_store_is_a_503_that_says_nothing_was_saved(
    login, imported, make_read_only
):
    client = login("annotator")
    make_read_only()

    response = client.put("/api/samples/1/mark", json={"verdict": "clean"})

    assert response.status_code == 503
    assert "nothing was saved" in response.json()["detail"]["message"]
    assert client.get("/api/samples/1").json()["my_mark_id"] is None


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB file system of its own (tmpfs), so that it can be filled for real."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(disk, leave: int) -> None:
    """Fill the disk, then give back ``leave`` bytes: room for some writes, not many."""
    with (disk / "filler").open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    os.truncate(disk / "filler", (disk / "filler").stat().st_size - leave)


def test_a_full_disk_refuses_marks_with_503_and_keeps_every_acknowledged_one(
    small_disk, tiny_composite
):
    settings = Settings(data_dir=small_disk)
    upgrade(settings.resolved_database_url())
    engine = make_engine(settings.resolved_database_url())
    report = read_dataset(
        "megc2019", tiny_composite, ImportOptions(roster=tiny_composite / "roster.csv")
    )
    with transaction(session_factory(engine)) as session:
        store_import(session, "tiny", "megc2019", tiny_composite, report)
        create_user(session, "ana", "annotator", PASSWORD)
    app = create_app(settings)
    client = TestClient(app)
    me = client.post("/api/login", json={"name": "ana", "password": PASSWORD}).json()
    client.headers[CSRF_HEADER] = me["csrf_token"]
    fill(small_disk, leave=256 * 1024)

    acknowledged, latest, refused = [], {}, None
    for n in range(20_000):  # until the database's files need room the disk does not have
        sample = 1 + n % 18
        body = {"verdict": ("clean", "noisy")[n % 2], "based_on": latest.get(sample)}
        answer = client.put(f"/api/samples/{sample}/mark", json=body)
        if answer.status_code != 200:
            refused = answer
            break
        latest[sample] = answer.json()["id"]
        acknowledged.append(latest[sample])
    assert acknowledged, "the disk was full before the first mark"
    assert refused is not None and refused.status_code == 503, refused and refused.text
    assert "nothing was saved" in refused.json()["detail"]["message"]

    (small_disk / "filler").unlink()
    again = client.put(f"/api/samples/{sample}/mark", json=body)
    assert again.status_code == 200, again.text
    app.state.engine.dispose()
    with session_factory(engine)() as session:
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        stored = set(session.scalars(select(Mark.id)))
    engine.dispose()
    assert set(acknowledged) | {again.json()["id"]} <= stored
