"""How far the launch form's duration estimate is from the run's real duration, over runs
of different sizes: the estimate (a fixed part plus a pace per fold-epoch, fitted on the
dataset's earlier runs) against the rule it replaced (the median seconds per epoch x seed
of the earlier runs, all of it per epoch), both measured in the same run.

Run: `.venv/bin/python benchmarks/run_estimate.py` (a few minutes on 2 cores). On a small
synthetic composite (12 subjects x 4 samples), runs of several epochs, seeds and
protocols go through the app's queue like a curator's; each run is then estimated from
the others alone (leave one out), as the form would have before launching it. Prints the
ratio estimate / actual per run and its median and range per rule.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parent))
from queue_overhead import PASSWORD, prepare, queued_run

from meclean.api.app import create_app
from meclean.db.models import Run, as_utc
from meclean.db.session import make_engine, session_factory
from meclean.services.run_plans import duration_estimate, work_units

SETTINGS = [
    {"epochs": 2, "seeds": 1},
    {"epochs": 5, "seeds": 1},
    {"epochs": 10, "seeds": 1},
    {"epochs": 20, "seeds": 1},
    {"epochs": 5, "seeds": 2},
    {"epochs": 20, "seeds": 2},
    {"epochs": 40, "seeds": 1},
    {"epochs": 10, "seeds": 3, "protocol": "paper"},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="ilc")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = prepare(Path(tmp))
        app = create_app(settings)
        with TestClient(app) as client:
            login = client.post("/api/login", json={"name": "curator", "password": PASSWORD})
            client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
            queued_run(client, {"method": args.method, "epochs": 1})  # features, warm-up
            ids = [
                queued_run(client, {"method": args.method, "tasks_per_seed": 1, **s})[2]
                for s in SETTINGS
            ]
        sessions = session_factory(make_engine(settings.resolved_database_url()))
        with sessions() as session:
            runs = session.scalars(select(Run).where(Run.id.in_(ids)).order_by(Run.id)).all()
            rows = []
            for run in runs:
                assert run.started_at is not None and run.finished_at is not None
                seconds = (as_utc(run.finished_at) - as_utc(run.started_at)).total_seconds()
                units = work_units(run.config.epochs, len(run.config.seeds), run.config.folds or 1)
                rows.append((run, units, seconds))
    fitted, paced = [], []
    print(
        f"{'run':>4} {'protocol':>8} {'epochs':>6} {'seeds':>5} {'actual s':>9} "
        f"{'fitted':>7} {'old rule':>8}"
    )
    for k, (run, units, seconds) in enumerate(rows):
        others = [r for j, r in enumerate(rows) if j != k]
        estimate = duration_estimate([(u, s) for _, u, s in others], units)
        paces = [s / (r.config.epochs * len(r.config.seeds)) for r, _, s in others]
        old = statistics.median(paces) * run.config.epochs * len(run.config.seeds)
        assert estimate is not None
        fitted.append(estimate / seconds)
        paced.append(old / seconds)
        print(
            f"{run.id:4d} {run.config.protocol:>8} {run.config.epochs:6d} "
            f"{len(run.config.seeds):5d} {seconds:9.1f} {fitted[-1]:6.2f}x {paced[-1]:7.2f}x"
        )
    for name, ratios in (("fitted (fixed + pace)", fitted), ("old rule (pace only)", paced)):
        worst = max(max(ratios), 1 / min(ratios))
        print(
            f"{name}: median ratio {statistics.median(ratios):.2f}, range "
            f"{min(ratios):.2f}-{max(ratios):.2f}, within a factor of {worst:.2f}"
        )


if __name__ == "__main__":
    main()
