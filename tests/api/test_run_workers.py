"""Standalone `meclean worker` processes: killed mid-run, and two of them sharing Redis."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient
from sqlalchemy import select

from meclean.api.app import create_app
from meclean.data.feature_store import FeatureStore
from meclean.db.models import FeatureJob, Run, Sample
from meclean.db.session import make_engine, session_factory
from meclean.jobs.inputs import run_method, run_training_set, train_config
from meclean.ml.run import run_experiment
from tests.api.helpers import FAST_RUN, import_through_api, poll, signed_in, wait_for

MECLEAN = str(Path(sys.executable).with_name("meclean"))


def start_worker(settings, log: Path, **env: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "MECLEAN_DATA_DIR": str(settings.data_dir),
        "MECLEAN_DATABASE_URL": settings.resolved_database_url(),
        "MECLEAN_HEARTBEAT_TIMEOUT_S": str(settings.heartbeat_timeout_s),
        "MECLEAN_MAX_ATTEMPTS": str(settings.max_attempts),
        "OMP_NUM_THREADS": "1",
        **env,
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [MECLEAN, "worker"], env=environment, stdout=out, stderr=subprocess.STDOUT
        )


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.kill()
        worker.wait(10)


def serving_without_worker(settings, **changes):
    """The API with only its watchdog: the standalone workers do the training."""
    settings = settings.model_copy(
        update={"inprocess_worker": False, "heartbeat_timeout_s": 3.0, **changes}
    )
    return settings, create_app(settings)


def running_part_of(client, run_id: int, pid: int) -> dict:
    run = wait_for(
        client,
        run_id,
        lambda r: any(
            p["status"] == "running" and f":{pid}:" in (p["worker"] or "") and p["done"] > 0
            for p in r["parts"]
        ),
        timeout=120,
    )
    return next(p for p in run["parts"] if p["status"] == "running")


def test_a_run_survives_its_worker_being_killed(settings, imported, tmp_path):
    settings, app = serving_without_worker(settings)
    log = tmp_path / "workers.log"
    with TestClient(app):
        curator = signed_in(app, "curator")
        first = start_worker(settings, log)
        try:
            run_id = curator.post(
                f"/api/datasets/{imported}/runs",
                json={**FAST_RUN, "epochs": 100, "tasks_per_seed": 1},
            ).json()["id"]
            killed = running_part_of(curator, run_id, first.pid)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            second = start_worker(settings, log)
            try:
                run = wait_for(curator, run_id, lambda r: r["status"] != "running", 240)
            finally:
                stop(second)
        finally:
            stop(first)
    assert run["status"] == "succeeded", (run, log.read_text()[-3000:])
    retried = next(p for p in run["parts"] if p["id"] == killed["id"])
    assert retried["attempts"] == 2
    assert f":{second.pid}:" in retried["worker"]


def test_a_run_fails_cleanly_when_its_worker_dies_on_the_last_attempt(settings, imported, tmp_path):
    settings, app = serving_without_worker(settings, max_attempts=1)
    with TestClient(app):
        curator = signed_in(app, "curator")
        worker = start_worker(settings, tmp_path / "worker.log")
        try:
            run_id = curator.post(
                f"/api/datasets/{imported}/runs", json={**FAST_RUN, "epochs": 100}
            ).json()["id"]
            running_part_of(curator, run_id, worker.pid)
            worker.send_signal(signal.SIGKILL)
            run = wait_for(curator, run_id, lambda r: r["status"] != "running", 60)
        finally:
            stop(worker)
    assert run["status"] == "failed"
    assert "stopped responding" in run["error"]
    assert not any(p["status"] in ("queued", "running") for p in run["parts"])


def features_job(client, dataset_id: int, condition, timeout: float = 120) -> dict:
    return poll(client, f"/api/datasets/{dataset_id}/features", condition, timeout)


def test_a_features_job_survives_its_worker_being_killed(settings, clean_composite, tmp_path):
    settings, app = serving_without_worker(settings)
    shutil.copytree(clean_composite, settings.data_dir / "clean")
    log = tmp_path / "workers.log"
    single = {"MECLEAN_WORKERS": "1"}  # one flow at a time: the kill lands mid-job
    with TestClient(app):
        curator = signed_in(app, "curator")
        first = start_worker(settings, log, **single)
        try:
            body = {"name": "clean", "layout": "megc2019", "path": str(settings.data_dir / "clean")}
            dataset_id = import_through_api(curator, body)["dataset_id"]
            killed_at = features_job(
                curator, dataset_id, lambda j: j["status"] == "running" and j["done"] > 0
            )
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            store = FeatureStore(settings.feature_dir)
            for path in store.root.rglob("*.npy"):  # what the killed worker left is whole
                stored = np.load(path)  # a flow, or a motion curve (a value per frame)
                assert stored.shape == (3, 60, 60) or stored.ndim == 1, path
            second = start_worker(settings, log, **single)
            try:
                job = features_job(curator, dataset_id, lambda j: j["finished_at"], 240)
            finally:
                stop(second)
        finally:
            stop(first)
    assert killed_at["done"] < killed_at["total"], "the job ended before the kill"
    assert job["status"] == "succeeded", (job, log.read_text()[-3000:])
    assert job["done"] == job["total"] == killed_at["total"] and job["failed"] == []
    with session_factory(make_engine(settings.resolved_database_url()))() as session:
        keys = session.scalars(select(Sample.feature_key).where(Sample.dataset_id == dataset_id))
        assert all(key in store for key in keys)
        assert session.get(FeatureJob, job["id"]).attempts == 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed; `make test` installs it")
    port = free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


def test_two_workers_share_a_run_through_redis_and_match_a_direct_run(
    settings, imported, tmp_path, redis_url
):
    settings, app = serving_without_worker(settings, queue_url=redis_url)
    log = tmp_path / "workers.log"
    with TestClient(app):
        curator = signed_in(app, "curator")
        workers = [start_worker(settings, log, MECLEAN_QUEUE_URL=redis_url) for _ in range(2)]
        try:
            run_id = curator.post(
                f"/api/datasets/{imported}/runs",
                json={**FAST_RUN, "epochs": 40, "tasks_per_seed": 6},
            ).json()["id"]
            run = wait_for(curator, run_id, lambda r: r["status"] not in ("queued", "running"), 240)
        finally:
            for worker in workers:
                stop(worker)
        results = curator.get(f"/api/runs/{run_id}/results").json()
    assert run["status"] == "succeeded", (run, log.read_text()[-3000:])
    fold_workers = {p["worker"].split(":")[1] for p in run["parts"] if p["kind"] == "folds"}
    assert fold_workers == {str(w.pid) for w in workers}

    sessions = session_factory(make_engine(settings.resolved_database_url()))
    with sessions() as session:
        record = session.get(Run, run_id)
        data = run_training_set(session, record, FeatureStore(settings.feature_dir))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the workers ran: float sums depend on the thread count
    try:
        direct = run_experiment(
            data,
            method=run_method(record),
            config=train_config(record),
            seeds=[0],
            final_model=False,
        )
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_allclose(
        [r["probabilities"] for r in results], direct.probabilities, atol=1e-4
    )
    composite = run["summary"]["composite"]
    assert composite["uf1_mean"] == pytest.approx(direct.summary()["composite"]["uf1_mean"])
