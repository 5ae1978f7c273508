"""``meclean serve`` as a user starts it: a real server process on a loopback port."""

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from meclean.data.readers import ImportOptions, read_dataset
from meclean.db.datasets import store_import
from meclean.db.migrations import upgrade
from meclean.db.models import Dataset, FeatureJob, Mark, Sample, SampleLabel
from meclean.db.session import make_engine, session_factory, transaction
from meclean.db.users import create_user


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_migrates_prints_a_first_admin_and_answers_on_loopback(tmp_path):
    port = free_port()
    env = {**os.environ, "MECLEAN_DATA_DIR": str(tmp_path / "data")}
    server = subprocess.Popen(
        [sys.executable, "-m", "meclean.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        password = None
        deadline = time.monotonic() + 60
        while password is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            match = re.search(r"First admin 'admin', one-time password: (\S+)", line)
            password = match and match.group(1)
        assert password, "no one-time password printed"
        base = f"http://127.0.0.1:{port}"
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        response = httpx.post(f"{base}/api/login", json={"name": "admin", "password": password})
        assert response.status_code == 200
        assert response.json()["role"] == "admin"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_fifty_experts_signing_in_at_once_all_get_in(tmp_path):
    """Each sign-in writes; on SQLite all wait for one write lock. None may fail for want
    of a worker thread to finish the request that holds it."""
    data_dir = tmp_path / "data"
    url = f"sqlite:///{data_dir / 'meclean.db'}"
    data_dir.mkdir()
    upgrade(url)
    engine = make_engine(url)
    names = [f"expert{i}" for i in range(50)]
    with transaction(session_factory(engine)) as session:
        for name in names:
            create_user(session, name, "annotator", "load test password")
    engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def sign_in(name: str) -> int:
        body = {"name": name, "password": "load test password"}
        return httpx.post(f"{base}/api/login", json=body, timeout=120).status_code

    server = start_server(data_dir, port)
    try:
        with ThreadPoolExecutor(len(names)) as pool:
            statuses = list(pool.map(sign_in, names))
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert statuses == [200] * len(names)


def start_server(data_dir, port: int, **settings: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "MECLEAN_DATA_DIR": str(data_dir),
        "MECLEAN_INPROCESS_WORKER": "false",
        **settings,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "meclean.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def test_every_acknowledged_mark_survives_a_kill_9_of_the_server(tmp_path, tiny_composite):
    data_dir = tmp_path / "data"
    url = f"sqlite:///{data_dir / 'meclean.db'}"
    data_dir.mkdir()
    upgrade(url)
    engine = make_engine(url)
    report = read_dataset(
        "megc2019", tiny_composite, ImportOptions(roster=tiny_composite / "roster.csv")
    )
    with transaction(session_factory(engine)) as session:
        store_import(session, "tiny", "megc2019", tiny_composite, report)
        create_user(session, "ana", "annotator", "correct horse")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acknowledged: list[int] = []
    server = start_server(data_dir, port)
    try:
        client = httpx.Client(base_url=base, timeout=30)
        me = client.post("/api/login", json={"name": "ana", "password": "correct horse"})
        client.headers["X-CSRF-Token"] = me.json()["csrf_token"]
        # SIGKILL at an arbitrary moment of marking, once marking is under way (however
        # slow the machine): a moment after the 20th acknowledged mark.
        killer = threading.Timer(0.3, server.kill)
        latest: dict[int, int | None] = {}
        for n in range(100_000):
            sample = 1 + n % 18
            body = {"verdict": ("clean", "noisy")[n % 2], "based_on": latest.get(sample)}
            try:
                answer = client.put(f"/api/samples/{sample}/mark", json=body)
            except httpx.TransportError:
                break
            assert answer.status_code == 200, answer.text
            latest[sample] = answer.json()["id"]
            acknowledged.append(answer.json()["id"])
            if len(acknowledged) == 20:
                killer.start()
        killer.join()
        assert server.wait(10) == -9
        server = start_server(data_dir, port)  # the same database, after the crash
    finally:
        server.kill()
        server.wait(10)

    with session_factory(engine)() as session:
        stored = set(session.scalars(select(Mark.id)))
    engine.dispose()
    assert acknowledged and set(acknowledged) <= stored


def test_a_kill_9_during_an_import_leaves_each_dataset_whole_or_absent(tmp_path, clean_composite):
    data_dir = tmp_path / "data"
    shutil.copytree(clean_composite, data_dir / "clean")
    url = f"sqlite:///{data_dir / 'meclean.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        create_user(session, "cu", "curator", "correct horse")
    port = free_port()
    # The server's own worker runs the imports; one killed with it is taken up again
    # once its heartbeat has been silent for two seconds. On a slow machine every later
    # kill may land on an import taken up from an earlier one: more attempts than kills.
    worker = {
        "MECLEAN_INPROCESS_WORKER": "true",
        "MECLEAN_HEARTBEAT_TIMEOUT_S": "2",
        "MECLEAN_MAX_ATTEMPTS": "6",
    }

    def client() -> httpx.Client:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        me = client.post("/api/login", json={"name": "cu", "password": "correct horse"})
        client.headers["X-CSRF-Token"] = me.json()["csrf_token"]
        return client

    def import_as(name: str) -> str:
        """Ask for the import and follow it until it ends; its final status."""
        curator = client()
        body = {"name": name, "layout": "megc2019", "path": str(data_dir / "clean")}
        job = curator.post("/api/datasets/import", json=body).json()
        return followed(curator, job["id"])

    def followed(curator: httpx.Client, job_id: int) -> str:
        """The import's final status; fails after 5 minutes without progress."""
        job = curator.get(f"/api/imports/{job_id}").json()
        seen, deadline = None, time.monotonic() + 300
        while job["active"]:
            if (job["phase"], job["done"]) != seen:
                seen, deadline = (job["phase"], job["done"]), time.monotonic() + 300
            assert time.monotonic() < deadline, f"import {job_id} stands still: {job}"
            time.sleep(0.1)
            job = curator.get(f"/api/imports/{job_id}").json()
        return job["status"]

    server = start_server(data_dir, port, **worker)
    try:
        started = time.monotonic()
        assert import_as("whole") == "succeeded"
        took = time.monotonic() - started
        outcomes = {}
        # Kills spread over the time one import takes on this machine, however slow.
        for share in (0.25, 0.5, 0.75, 1.0):
            server.kill()
            server.wait(10)
            server = start_server(data_dir, port, **worker)
            killer = threading.Timer(share * took, server.kill)
            killer.start()
            try:
                outcomes[f"kill {share}"] = import_as(f"kill {share}")
            except httpx.TransportError:
                outcomes[f"kill {share}"] = "killed"
            killer.join()
        server.wait(10)
        server = start_server(data_dir, port, **worker)
        curator = client()
        # Each interrupted import is taken up again by the new server's worker; one whose
        # request the kill cut off before it was queued is asked for again.
        for job in curator.get("/api/imports").json():
            followed(curator, job["id"])
        queued = {job["name"] for job in curator.get("/api/imports").json()}
        for name in outcomes:
            if name not in queued:
                assert import_as(name) == "succeeded"
        imports = curator.get("/api/imports").json()
    finally:
        server.kill()
        server.wait(10)

    interrupted = [name for name, outcome in outcomes.items() if outcome == "killed"]
    assert interrupted, f"no kill landed during an import: {outcomes}"
    assert {job["name"]: job["status"] for job in imports} == {
        "whole": "succeeded",
        **{name: "succeeded" for name in outcomes},
    }
    with session_factory(engine)() as session:
        datasets = session.scalars(select(Dataset)).all()
        whole = session.get(Dataset, 1)
        expected = session.scalar(select(func.count()).where(Sample.dataset_id == whole.id))
        for dataset in datasets:
            samples = select(Sample.id).where(Sample.dataset_id == dataset.id)
            labels = select(func.count()).where(
                SampleLabel.version_id == dataset.current_label_version_id
            )
            assert session.scalar(select(func.count()).select_from(samples.subquery())) == expected
            assert session.scalar(labels) == expected
            assert session.scalar(select(FeatureJob.id).where(FeatureJob.dataset_id == dataset.id))
    engine.dispose()
    assert {d.name for d in datasets} == {"whole", *outcomes}
