"""API latency with 10,000 samples under 20 concurrent clients on loopback.

Run: `.venv/bin/python benchmarks/api.py` (about 10 minutes: it generates the synthetic
roster 23 times over, stores it in a fresh SQLite database, starts `meclean serve` and
loads it). Prints median and p95 latency of a sample page, a render (cold: the flow is
computed; cached: served from disk) and a mark write, next to /api/health measured under
the same load as the baseline floor, with the issue's targets.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from meclean.data.readers import read_dataset
from meclean.data.synth.generator import generate
from meclean.data.synth.plan import SynthConfig
from meclean.db.datasets import store_import
from meclean.db.migrations import upgrade
from meclean.db.session import make_engine, session_factory, transaction
from meclean.db.users import create_user

PASSWORD = "benchmark password"
TARGETS_MS = {"page": 50, "render cached": 20, "mark": 30}


def prepare(data_dir: Path, scale: int, clients: int) -> int:
    root = data_dir / "composite"
    generate(root, SynthConfig(seed=0, scale=scale), workers=2)
    report = read_dataset("megc2019", root, roster=root / "roster.csv")
    url = f"sqlite:///{data_dir / 'meclean.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        store_import(session, "bench", "megc2019", root, report)
        for i in range(clients):
            create_user(session, f"expert{i}", "annotator", PASSWORD)
    engine.dispose()
    return len(report.samples)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def client_work(base: str, index: int, samples: int, rounds: int, out: dict, lock) -> None:
    rng = random.Random(index)
    with httpx.Client(base_url=base, timeout=30) as client:
        me = client.post("/api/login", json={"name": f"expert{index}", "password": PASSWORD})
        client.headers["X-CSRF-Token"] = me.json()["csrf_token"]
        timings: dict[str, list[float]] = {
            k: [] for k in ("health", "page", "render cold", "render cached", "mark")
        }
        errors = 0
        for r in range(rounds):
            sample = 1 + (index * rounds + r) % samples  # each client its own samples
            calls = [
                ("health", "GET", "/api/health", None),
                (
                    "page",
                    "GET",
                    "/api/datasets/1/samples",
                    {"params": {"limit": 60, "cursor": rng.randrange(samples)}},
                ),
                ("render cold", "GET", f"/api/samples/{sample}/render/flow", None),
                ("render cached", "GET", f"/api/samples/{sample}/render/flow", None),
                ("mark", "PUT", f"/api/samples/{sample}/mark", {"json": {"verdict": "clean"}}),
            ]
            for name, method, path, kwargs in calls:
                start = time.perf_counter()
                response = client.request(method, path, **(kwargs or {}))
                timings[name].append(1000 * (time.perf_counter() - start))
                errors += response.status_code >= 400
    with lock:
        for name, values in timings.items():
            out.setdefault(name, []).extend(values)
        out.setdefault("errors", []).append(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=23, help="roster copies (23: 10,143)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        samples = prepare(data_dir, args.scale, args.clients)
        port = free_port()
        env = {**os.environ, "MECLEAN_DATA_DIR": str(data_dir)}
        server = subprocess.Popen(
            [sys.executable, "-m", "meclean.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(f"{base}/api/health", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.3)
            results: dict[str, list[float]] = {}
            lock = threading.Lock()
            threads = [
                threading.Thread(
                    target=client_work, args=(base, i, samples, args.rounds, results, lock)
                )
                for i in range(args.clients)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            server.terminate()
            server.wait(timeout=10)
    floor = statistics.median(results["health"])
    print(
        f"{samples} samples, {args.clients} concurrent clients, {args.rounds} rounds each; "
        f"errors: {sum(results['errors'])}\n"
    )
    print(f"{'request':14s} {'median ms':>10s} {'p95 ms':>8s} {'x health':>9s} {'target p95':>11s}")
    for name in ("health", "page", "render cold", "render cached", "mark"):
        values = results[name]
        median, p95 = statistics.median(values), percentile(values, 0.95)
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else f"< {target} {'ok' if p95 < target else 'MISSED'}"
        print(f"{name:14s} {median:10.1f} {p95:8.1f} {median / floor:8.1f}x {verdict:>11s}")


if __name__ == "__main__":
    main()
