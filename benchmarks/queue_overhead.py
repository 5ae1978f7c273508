"""Overhead of running training through the queue instead of calling the trainer directly.

Run: `.venv/bin/python benchmarks/queue_overhead.py` (a few minutes). On a small synthetic composite
(12 subjects x 4 samples) it times, per repeat:
- direct: `run_experiment` (LOSO + final model + UMAP) in this process;
- queued: the same run launched over HTTP into the app with its in-process consumer, from
  the launch request to the run's results being stored, and to the first server-sent
  progress event that shows training under way.
Prints medians and the queued/direct ratio. Targets: < 1 s to first progress, < 5% overhead.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import torch
from fastapi.testclient import TestClient

from meclean.api.app import create_app
from meclean.data.feature_store import FeatureStore
from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.synth.generator import generate
from meclean.data.synth.plan import SynthConfig
from meclean.db.datasets import store_import
from meclean.db.migrations import upgrade
from meclean.db.models import Run
from meclean.db.session import make_engine, session_factory, transaction
from meclean.db.users import create_user
from meclean.jobs.inputs import run_method, run_training_set, train_config
from meclean.ml.run import run_experiment
from meclean.settings import Settings

PASSWORD = "benchmark password"


def prepare(data_dir: Path) -> Settings:
    root = data_dir / "composite"
    generate(root, SynthConfig(seed=1, subjects=12, samples_per_subject=4), workers=2)
    settings = Settings(data_dir=data_dir, heartbeat_timeout_s=60)
    upgrade(settings.resolved_database_url())
    sessions = session_factory(make_engine(settings.resolved_database_url()))
    with transaction(sessions) as session:
        report = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv"))
        store_import(session, "bench", "megc2019", root, report)
        create_user(session, "curator", "curator", PASSWORD)
    return settings


def queued_run(client: TestClient, body: dict) -> tuple[float, float, int]:
    """Seconds from launch to the first progress event with training under way, and to the
    run's end; the run's id."""
    start = time.perf_counter()
    run_id = client.post("/api/datasets/1/runs", json=body).json()["id"]
    first = None
    event = None
    with client.stream("GET", "/api/runs/events", params={"run_id": run_id}) as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                run = json.loads(line.split(":", 1)[1])
                if first is None and run["progress"]["done"] > 0:
                    first = time.perf_counter() - start
                if event == "done":
                    break
    if run["status"] != "succeeded":
        raise SystemExit(f"run {run_id} {run['status']}: {run['error']}")
    return first, time.perf_counter() - start, run_id


def direct_run(settings: Settings, run_id: int) -> float:
    sessions = session_factory(make_engine(settings.resolved_database_url()))
    with sessions() as session:
        record = session.get(Run, run_id)
        start = time.perf_counter()
        data = run_training_set(session, record, FeatureStore(settings.feature_dir))
        run_experiment(
            data,
            method=run_method(record),
            config=train_config(record),
            seeds=record.config["seeds"],
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tasks-per-seed", type=int, default=4)
    args = parser.parse_args()
    body = {"method": "ilc", "epochs": args.epochs, "tasks_per_seed": args.tasks_per_seed}
    with tempfile.TemporaryDirectory() as tmp:
        settings = prepare(Path(tmp))
        app = create_app(settings)
        with TestClient(app) as client:
            login = client.post("/api/login", json={"name": "curator", "password": PASSWORD})
            client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
            # A first run computes the features and warms up imports (UMAP's numba).
            queued_run(client, {**body, "epochs": 1})
            firsts, queued, direct = [], [], []
            for _ in range(args.repeats):
                first, total, run_id = queued_run(client, body)
                firsts.append(first)
                queued.append(total)
                direct.append(direct_run(settings, run_id))
    print(
        f"{args.epochs} epochs, 12 folds, {args.tasks_per_seed} fold tasks + final + "
        f"aggregate; {torch.get_num_threads()} torch threads; medians of {args.repeats}"
    )
    print(f"launch -> first progress event: {statistics.median(firsts):.3f} s (target < 1 s)")
    print(f"direct run_experiment:           {statistics.median(direct):.2f} s")
    print(f"queued, launch -> results:       {statistics.median(queued):.2f} s")
    ratio = statistics.median(queued) / statistics.median(direct)
    print(f"queued / direct: {ratio:.3f} (overhead {100 * (ratio - 1):+.1f}%, target < 5%)")


if __name__ == "__main__":
    main()
