"""50 experts marking and paging at once while a run trains: latency, errors, lost marks.

Run: `.venv/bin/python benchmarks/load.py` (about 8 minutes; add `--postgres URL` of a
server where it may create a database, e.g. the one `.ci/postgres.sh` prints, to measure
PostgreSQL beside SQLite). For each database it starts `meclean serve` on loopback with
its in-process worker, signs in 50 experts, and lets each page through the samples and
mark them (single marks based on the mark they last saw, now and then a bulk mark of
five), with 50-200 ms to think between requests: first `--idle` seconds with the worker
idle (the baseline of this run), then `--seconds` while a baseline run trains in the
worker. Afterwards it counts every expert's marks in the database against the marks the
server acknowledged: none may be lost or doubled. Prints median and p95 latency per
request in each phase and the p95 ratio training / idle.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from uuid import uuid4

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from tenk import serve

from meclean.data.feature_store import FeatureStore
from meclean.data.features import compute_features
from meclean.data.flow import FlowSettings
from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.synth.generator import generate
from meclean.data.synth.plan import SynthConfig
from meclean.db.datasets import store_import
from meclean.db.migrations import upgrade
from meclean.db.models import Mark, User
from meclean.db.session import make_engine, session_factory, transaction
from meclean.db.users import create_user

PASSWORD = "load test password"
EXPERTS = [f"expert{i}" for i in range(50)]


def prepare(data_dir: Path, url: str) -> int:
    """A 96-sample composite with its features, 50 experts and a curator; its size."""
    root = data_dir / "composite"
    generate(root, SynthConfig(seed=1, subjects=12, samples_per_subject=8), workers=2)
    report = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv"))
    compute_features(report.samples, FlowSettings(), FeatureStore(data_dir / "features"), 2)
    upgrade(url)
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        store_import(session, "load", "megc2019", root, report)
        for name in ["curator", *EXPERTS]:
            create_user(session, name, "curator" if name == "curator" else "annotator", PASSWORD)
    engine.dispose()
    return len(report.samples)


class Expert(threading.Thread):
    """Pages and marks until ``stop``; records (phase, request) latencies and outcomes."""

    def __init__(self, base: str, name: str, samples: int, phase: list[str], stop) -> None:
        super().__init__(daemon=True)
        self.base, self.name, self.samples, self.phase, self.stop = base, name, samples, phase, stop
        self.timings: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.statuses: Counter[int] = Counter()
        self.acknowledged = 0
        self.unknown = 0
        self.rng = random.Random(name)

    def run(self) -> None:
        latest: dict[int, int | None] = {}
        with httpx.Client(base_url=self.base, timeout=30) as client:
            me = client.post("/api/login", json={"name": self.name, "password": PASSWORD})
            if me.status_code != 200:
                raise RuntimeError(f"{self.name} could not sign in: {me.status_code} {me.text}")
            client.headers["X-CSRF-Token"] = me.json()["csrf_token"]
            while not self.stop.is_set():
                action = self.rng.random()
                sample = self.rng.randrange(1, self.samples + 1)
                if action < 0.6:
                    cursor = self.rng.randrange(self.samples)
                    self._call(
                        client,
                        "page",
                        "GET",
                        "/api/datasets/1/samples",
                        params={"limit": 50, "cursor": cursor},
                    )
                elif action < 0.95:
                    if sample not in latest:
                        detail = self._call(client, "sample", "GET", f"/api/samples/{sample}")
                        latest[sample] = detail.json()["my_mark_id"] if detail else None
                    verdict = self.rng.choice(["clean", "noisy", "unsure"])
                    body = {"verdict": verdict, "based_on": latest[sample]}
                    done = self._call(
                        client, "mark", "PUT", f"/api/samples/{sample}/mark", json=body
                    )
                    if done is not None and done.status_code == 200:
                        latest[sample] = done.json()["id"]
                        self.acknowledged += 1
                else:
                    chosen = {self.rng.randrange(1, self.samples + 1) for _ in range(5)}
                    done = self._call(
                        client,
                        "bulk mark",
                        "POST",
                        "/api/marks/bulk",
                        json={"sample_ids": sorted(chosen), "verdict": "noisy", "overwrite": True},
                    )
                    if done is not None and done.status_code == 200:
                        self.acknowledged += done.json()["marked"]
                        for s in chosen:
                            latest.pop(s, None)  # read the new mark id before the next one
                time.sleep(self.rng.uniform(0.05, 0.2))

    def _call(self, client, name: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = client.request(method, path, **kwargs)
        except httpx.HTTPError:
            self.unknown += method != "GET"  # a write whose outcome the client never heard
            self.statuses[0] += 1
            return None
        self.timings[(self.phase[0], name)].append(1000 * (time.perf_counter() - start))
        self.statuses[response.status_code] += 1
        return response


def measure(url: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        samples = prepare(data_dir, url)
        with serve(data_dir, MECLEAN_DATABASE_URL=url) as base:
            phase, stop = ["idle"], threading.Event()
            experts = [Expert(base, name, samples, phase, stop) for name in EXPERTS]
            for e in experts:
                e.start()
            time.sleep(args.idle)
            curator = httpx.Client(base_url=base, timeout=30)
            me = curator.post("/api/login", json={"name": "curator", "password": PASSWORD})
            curator.headers["X-CSRF-Token"] = me.json()["csrf_token"]
            body = {"method": "baseline", "epochs": 2000, "tasks_per_seed": 1}
            run = curator.post("/api/datasets/1/runs", json=body).json()
            while curator.get(f"/api/runs/{run['id']}").json()["progress"]["done"] == 0:
                time.sleep(0.5)
            phase[0] = "training"
            time.sleep(args.seconds)
            stop.set()
            for e in experts:
                e.join()
            curator.post(f"/api/runs/{run['id']}/cancel")
            curator.close()
        stored = count_marks(url)
    report(make_url(url).get_backend_name(), experts, stored)


def count_marks(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(User.name, func.count(Mark.id))
            .join(Mark, Mark.user_id == User.id)
            .group_by(User.name)
        )
        counts = dict(rows.all())
    engine.dispose()
    return counts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(database: str, experts: list[Expert], stored: dict[str, int]) -> None:
    timings: dict[tuple[str, str], list[float]] = defaultdict(list)
    statuses: Counter[int] = Counter()
    for e in experts:
        for key, values in e.timings.items():
            timings[key] += values
        statuses.update(e.statuses)
    mismatched = [
        (e.name, e.acknowledged, stored.get(e.name, 0))
        for e in experts
        if not e.acknowledged <= stored.get(e.name, 0) <= e.acknowledged + e.unknown
    ]
    acknowledged = sum(e.acknowledged for e in experts)
    print(
        f"\n{database}: {len(experts)} experts; answers by status {dict(sorted(statuses.items()))}"
    )
    print(
        f"marks acknowledged {acknowledged}, stored {sum(stored.values())}, writes without an "
        f"answer {sum(e.unknown for e in experts)}; experts whose marks do not match: "
        f"{mismatched or 'none'}"
    )
    print(
        f"{'request':10s} {'idle median':>12s} {'idle p95':>9s} {'train median':>13s} "
        f"{'train p95':>10s} {'p95 ratio':>10s} {'requests':>9s}"
    )
    for name in ("page", "sample", "mark", "bulk mark"):
        idle, busy = timings[("idle", name)], timings[("training", name)]
        if not idle or not busy:
            continue
        ratio = percentile(busy, 0.95) / percentile(idle, 0.95)
        print(
            f"{name:10s} {statistics.median(idle):12.1f} {percentile(idle, 0.95):9.1f} "
            f"{statistics.median(busy):13.1f} {percentile(busy, 0.95):10.1f} {ratio:9.2f}x "
            f"{len(idle) + len(busy):9d}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120, help="with a run training")
    parser.add_argument("--idle", type=float, default=40, help="first, with the worker idle")
    parser.add_argument("--postgres", help="server URL where a database may be created")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{Path(tmp) / 'meclean.db'}", args)
    if args.postgres:
        name = f"meclean_load_{uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.postgres).set(database=name)
            measure(url.render_as_string(hide_password=False), args)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
