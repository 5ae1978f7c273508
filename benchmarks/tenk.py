"""The 10,000-sample dataset the UI and API benchmarks share, prepared once per folder.

The roster generated 23 times over (10,143 samples) and imported with the copies of each
subject grouped back into the roster's 68 subjects (see `grouped_manifest`), its TV-L1
features computed, users for the benchmarks' clients and, on request, one finished
1-epoch ILC run trained through the queue. About 25 minutes on 2 cores for the dataset and
its features, 10-20 more for the run; later calls with the same folder reuse all of it.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select

from meclean.data.feature_store import FeatureStore
from meclean.data.features import compute_features
from meclean.data.flow import FlowSettings
from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.synth.generator import generate
from meclean.data.synth.plan import SynthConfig
from meclean.db.datasets import store_import
from meclean.db.migrations import upgrade
from meclean.db.models import Dataset, Run, User
from meclean.db.session import make_engine, session_factory, transaction
from meclean.db.users import create_user
from meclean.jobs.queue import Jobs
from meclean.jobs.runs import queued_parts
from meclean.services.launch import launch_run
from meclean.services.run_plans import RunRequest
from meclean.settings import Settings

PASSWORD = "benchmark password"
CURATOR = "curator"
EXPERTS = [f"expert{i}" for i in range(40)]


def grouped_manifest(root: Path, groups: int) -> Path:
    """The scaled roster as a manifest whose copies of a subject share one subject id.

    The roster scaled 23 times has 1,564 subjects, and LOSO over them (1,564 folds of
    10,000 samples) takes hours here; grouped back into the roster's 68 subjects, each
    with about 150 samples, one epoch takes minutes. Frames and labels are unchanged.
    """
    report = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv"))
    by_dataset: dict[str, list[str]] = {}
    for s in report.samples:
        subjects = by_dataset.setdefault(s.dataset, [])
        if s.subject not in subjects:
            subjects.append(s.subject)
    per_dataset = {d: max(1, round(len(v) * groups / 1564)) for d, v in by_dataset.items()}
    manifest = root / "grouped.csv"
    with manifest.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["dataset", "subject", "name", "label", "emotion", "onset", "apex"])
        for s in report.samples:
            group = by_dataset[s.dataset].index(s.subject) % per_dataset[s.dataset]
            writer.writerow(
                [
                    s.dataset,
                    f"{s.dataset}{group:02d}",
                    f"{s.subject}_{s.name}",
                    s.label,
                    s.emotion,
                    s.onset_path.relative_to(root),
                    s.apex_path.relative_to(root),
                ]
            )
    return manifest


def prepare(data_dir: Path, scale: int = 23, with_run: bool = False) -> int:
    """The dataset (id 1) with its features, users and optionally a finished run, unless
    already there; returns the number of samples."""
    settings = Settings(data_dir=data_dir)
    root = data_dir / "composite"
    if not (root / "roster.csv").exists():
        print(f"generating the roster x{scale} ...", flush=True)
        generate(root, SynthConfig(seed=0, scale=scale), workers=os.cpu_count() or 2)
    url = settings.resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        dataset = session.scalar(select(Dataset).where(Dataset.name == "bench"))
        if dataset is None:
            report = read_dataset("manifest", grouped_manifest(root, 68))
            print(f"features of {len(report.samples)} samples ...", flush=True)
            compute_features(report.samples, FlowSettings(), FeatureStore(settings.feature_dir), 2)
            dataset = store_import(session, "bench", "manifest", root, report)
        existing = set(session.scalars(select(User.name)))
        for name, role in [(CURATOR, "curator"), *((e, "annotator") for e in EXPERTS)]:
            if name not in existing:
                create_user(session, name, role, PASSWORD)
        finished = session.scalar(select(Run.id).where(Run.status == "succeeded"))
        samples = len(dataset.samples)
        run = None
        if with_run and finished is None:
            run = launch_run(session, dataset, RunRequest(method="ilc", epochs=1), None)
            parts = queued_parts(run)
    if run is not None:
        _train(settings, sessions, run.id, parts)
    engine.dispose()  # SQLite folds its write-ahead log back into the file: safe to copy
    return samples


def _train(settings: Settings, sessions, run_id: int, parts) -> None:
    print("training a 1-epoch ILC run through the queue ...", flush=True)
    jobs = Jobs(settings)
    jobs.enqueue(parts)
    consumer = jobs.consumer(embedded=True)
    consumer.start()
    while True:
        time.sleep(5)
        with sessions() as session:
            status = session.get(Run, run_id).status
        if status not in ("queued", "running"):
            break
    consumer.stop(graceful=True)
    if status != "succeeded":
        raise SystemExit(f"the run {status}")


@contextmanager
def serve(data_dir: Path, **env: str) -> Iterator[str]:
    """`meclean serve` on ``data_dir`` and a free loopback port, extra ``MECLEAN_*``
    variables from ``env``; yields its base URL once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environ = {**os.environ, "MECLEAN_DATA_DIR": str(data_dir), **env}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("meclean")), "serve", "--port", str(port)],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/api/health")
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(30)
