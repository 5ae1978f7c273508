"""API latency with 10,000 samples under 20 concurrent clients on loopback.

Run: `.venv/bin/python benchmarks/api.py --data-dir /tmp/meclean-10k` (the first time
about 25 minutes: it prepares the 10k dataset of `tenk.py` with its features; then a few
minutes). Each measurement starts `meclean serve` on a copy of the database in a fresh data
directory, so every render starts cold and no mark carries over. 20 clients, each an
expert signed in as themselves, go through their own samples: a 60-sample page at a random
cursor, a cold render (drawn from the stored features), the same render again (the disk
cache), a mark, the marking progress that the browser's counter reloads after each mark,
and `/api/health` as the floor under the same load. `--think-ms` makes
each client pause between requests as a person at the keyboard does (0: back to back,
the heaviest load 20 clients can make); `--without-features` leaves the features out, so
cold renders compute the optical flow inside the request.
Prints median and p95 latency per request with the issue's targets.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
from tenk import EXPERTS, PASSWORD, prepare, serve

from meclean.settings import Settings

TARGETS_MS = {"page": 50, "render cached": 20, "mark": 30}
REQUESTS = ("health", "page", "render cold", "render cached", "mark", "counter")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def expert(
    base: str,
    index: int,
    samples: int,
    rounds: int,
    think_s: float,
    signed_in: threading.Barrier,
    out: dict,
) -> None:
    """One client's rounds, started once every client has signed in; appends its timings
    (ms) and error count to ``out``."""
    rng = random.Random(index)
    timings: dict[str, list[float]] = {name: [] for name in REQUESTS}
    errors = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        me = client.post("/api/login", json={"name": EXPERTS[index], "password": PASSWORD})
        client.headers["X-CSRF-Token"] = me.json()["csrf_token"]
        signed_in.wait()
        time.sleep(rng.uniform(0, think_s))  # experts do not start in step
        for r in range(rounds):
            sample = 1 + (index * rounds + r) % samples  # each client its own samples
            calls = [
                ("health", "GET", "/api/health", {}),
                (
                    "page",
                    "GET",
                    "/api/datasets/1/samples",
                    {"params": {"limit": 60, "cursor": rng.randrange(samples)}},
                ),
                ("render cold", "GET", f"/api/samples/{sample}/render/flow", {}),
                ("render cached", "GET", f"/api/samples/{sample}/render/flow", {}),
                ("mark", "PUT", f"/api/samples/{sample}/mark", {"json": {"verdict": "clean"}}),
                ("counter", "GET", "/api/datasets/1/progress", {}),
            ]
            for name, method, path, kwargs in calls:
                start = time.perf_counter()
                response = client.request(method, path, **kwargs)
                timings[name].append(1000 * (time.perf_counter() - start))
                errors += response.status_code >= 400
                time.sleep(think_s * rng.uniform(0.5, 1.5))
    out.setdefault("errors", []).append(errors)
    for name, values in timings.items():
        out.setdefault(name, []).extend(values)


def measure(data_dir: Path, samples: int, args: argparse.Namespace) -> dict[str, list[float]]:
    """One load against a server on a copy of ``data_dir``'s database."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        shutil.copy(data_dir / "meclean.db", fresh)
        if not args.without_features:
            (fresh / "features").symlink_to(Settings(data_dir=data_dir).feature_dir)
        results: dict[str, list[float]] = {}
        started = []
        signed_in = threading.Barrier(
            args.clients, action=lambda: started.append(time.perf_counter())
        )
        with serve(fresh) as base:
            clients = [
                threading.Thread(
                    target=expert,
                    args=(base, i, samples, args.rounds, args.think_ms / 1000, signed_in, results),
                )
                for i in range(args.clients)
            ]
            for c in clients:
                c.start()
            for c in clients:
                c.join()
            results["wall"] = [time.perf_counter() - started[0]]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/meclean-10k"))
    parser.add_argument("--scale", type=int, default=23, help="roster copies (23: 10,143)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--think-ms", type=float, default=0.0)
    parser.add_argument("--without-features", action="store_true")
    args = parser.parse_args()
    if args.clients > len(EXPERTS):
        parser.error(f"at most {len(EXPERTS)} clients")
    samples = prepare(args.data_dir, args.scale)
    results = measure(args.data_dir, samples, args)
    floor = statistics.median(results["health"])
    print(
        f"{samples} samples, {args.clients} concurrent clients, {args.rounds} rounds each, "
        f"think time {args.think_ms:g} ms, features "
        f"{'computed in requests' if args.without_features else 'stored'}; "
        f"errors: {sum(results['errors'])}"
    )
    served = sum(len(results[name]) for name in REQUESTS)
    print(f"throughput: {served / results['wall'][0]:.0f} requests/s\n")
    print(f"{'request':14s} {'median ms':>10s} {'p95 ms':>8s} {'x health':>9s} {'target p95':>11s}")
    for name in REQUESTS:
        values = results[name]
        median, p95 = statistics.median(values), percentile(values, 0.95)
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else f"< {target} {'ok' if p95 < target else 'MISSED'}"
        print(f"{name:14s} {median:10.1f} {p95:8.1f} {median / floor:8.1f}x {verdict:>11s}")


if __name__ == "__main__":
    main()
