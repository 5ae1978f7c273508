"""Seconds for the features job (the flow an import queues) on the full synthetic roster.

Run: `.venv/bin/python benchmarks/features_job.py`. Imports the synthetic roster into a
fresh SQLite database and runs the job as a queue worker does, once with one flow thread
(the job as it was before it used a pool: one sample after another) and once with
`--workers` threads, each from an empty feature store; prints both and their ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.synth.generator import generate
from meclean.data.synth.plan import SynthConfig
from meclean.db.datasets import store_import
from meclean.db.migrations import upgrade
from meclean.db.session import transaction
from meclean.jobs.features import execute_features, latest_features_job, launch_features
from meclean.jobs.queue import Jobs
from meclean.settings import Settings


def job_seconds(root: Path, data_dir: Path, workers: int) -> float:
    data_dir.mkdir(parents=True)
    settings = Settings(data_dir=data_dir, workers=workers)
    upgrade(settings.resolved_database_url())
    jobs = Jobs(settings)
    try:
        with transaction(jobs.sessions) as session:
            report = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv"))
            dataset = store_import(session, "roster", "megc2019", root, report)
            job_id = launch_features(session, dataset.id, None).id
        start = time.perf_counter()
        execute_features(jobs, job_id)
        seconds = time.perf_counter() - start
        with jobs.sessions() as session:
            job = latest_features_job(session, dataset.id)
            assert (job.status, job.done, job.failed) == ("succeeded", job.total, []), job.error
        return seconds
    finally:
        jobs.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2, help="flow threads of the job")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "roster"
        samples = generate(root, SynthConfig(seed=0), workers=2).samples
        one = job_seconds(root, Path(tmp) / "one", 1)
        many = job_seconds(root, Path(tmp) / "many", args.workers)
    print(f"features job, {samples} samples, TV-L1 (meclean default)")
    for threads, seconds in ((1, one), (args.workers, many)):
        per_sample = 1000 * seconds / samples
        print(f"{threads} flow threads: {seconds:6.1f} s  ({per_sample:.0f} ms per sample)")
    print(f"speed-up: {one / many:.2f}x")


if __name__ == "__main__":
    main()
