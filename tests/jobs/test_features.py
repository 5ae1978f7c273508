"""The features job: an imported dataset's flow computed by a queue worker."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from meclean.data.feature_store import FeatureStore
from meclean.db.models import Dataset, FeatureJob
from meclean.db.session import transaction
from meclean.jobs import features
from meclean.jobs.features import (
    execute_features,
    latest_features_job,
    launch_features,
    recover_stalled_features,
)
from meclean.services.launch import launch_run
from meclean.services.run_plans import RunRequest
from tests.jobs.helpers import sample_paths


def launched(jobs, dataset_id) -> int:
    with transaction(jobs.sessions) as session:
        return launch_features(session, dataset_id, None).id


def job_of(jobs, dataset_id) -> FeatureJob:
    with jobs.sessions() as session:
        return latest_features_job(session, dataset_id)


def stored(jobs, dimensions: int) -> int:
    files = FeatureStore(jobs.settings.feature_dir).root.rglob("*.npy")
    return sum(np.load(path).ndim == dimensions for path in files)


def stored_features(jobs) -> int:
    """Flows stored: (3, H, W) arrays."""
    return stored(jobs, 3)


def stored_curves(jobs) -> int:
    """Motion curves stored beside them: one value per frame from onset to offset."""
    return stored(jobs, 1)


def test_a_job_computes_every_sample_and_reports_done(jobs, dataset_id):
    job_id = launched(jobs, dataset_id)

    execute_features(jobs, job_id)

    job = job_of(jobs, dataset_id)
    assert (job.status, job.done, job.total, job.failed) == ("succeeded", 18, 18, [])
    assert job.attempts == 1 and job.finished_at is not None
    assert stored_features(jobs) == stored_curves(jobs) == 18


def test_only_one_job_per_dataset_is_queued_or_running_at_a_time(jobs, dataset_id):
    launched(jobs, dataset_id)
    with transaction(jobs.sessions) as session:
        assert launch_features(session, dataset_id, None) is None
    # Two launches that both looked before either wrote: the database refuses the second.
    with pytest.raises(IntegrityError), transaction(jobs.sessions) as session:
        session.add(FeatureJob(dataset_id=dataset_id, status="running", failed=[]))


def test_unreadable_frames_are_named_and_the_other_samples_still_computed(jobs, dataset_id):
    name, _, apex = sample_paths(jobs, dataset_id)[4]
    with open(apex, "wb") as f:
        f.write(b"not an image")
    job_id = launched(jobs, dataset_id)

    execute_features(jobs, job_id)

    job = job_of(jobs, dataset_id)
    assert job.status == "succeeded" and job.done == 18
    (failure,) = job.failed
    assert name in failure and apex in failure
    assert stored_features(jobs) == 17


def test_a_cancelled_job_stops_keeps_what_it_computed_and_a_new_one_resumes(
    jobs, dataset_id, monkeypatch
):
    monkeypatch.setattr(features, "REPORT_SECONDS", 0.0)
    job_id = launched(jobs, dataset_id)
    started = []
    real = features.store_flow

    def cancel_at_the_third(store, source, *key):
        started.append(source.name)
        if len(started) == 3:  # a curator cancels while the pool is at it
            with transaction(jobs.sessions) as session:
                session.execute(
                    update(FeatureJob).where(FeatureJob.id == job_id).values(status="cancelled")
                )
        return real(store, source, *key)

    monkeypatch.setattr(features, "store_flow", cancel_at_the_third)
    execute_features(jobs, job_id)

    job = job_of(jobs, dataset_id)
    kept = stored_features(jobs)
    assert job.status == "cancelled"
    assert job.done <= kept < 18  # flows not yet started were dropped, finished ones kept
    assert len(started) == kept

    monkeypatch.setattr(features, "store_flow", real)
    execute_features(jobs, launched(jobs, dataset_id))
    assert job_of(jobs, dataset_id).status == "succeeded"
    assert stored_features(jobs) == 18


def test_on_shutdown_the_job_goes_back_to_the_queue_uncounted(jobs, dataset_id, monkeypatch):
    monkeypatch.setattr(features, "REPORT_SECONDS", 0.0)
    requeued = []
    monkeypatch.setattr(jobs, "enqueue_features", requeued.append)
    job_id = launched(jobs, dataset_id)
    jobs.stopping.set()

    execute_features(jobs, job_id)

    job = job_of(jobs, dataset_id)
    assert (job.status, job.attempts, requeued) == ("queued", 0, [job_id])


def test_a_silent_worker_s_job_is_requeued_then_failed_after_its_last_attempt(jobs, dataset_id):
    job_id = launched(jobs, dataset_id)
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    for attempts, expected in ((1, "queued"), (3, "failed")):
        with transaction(jobs.sessions) as session:
            session.execute(
                update(FeatureJob)
                .where(FeatureJob.id == job_id)
                .values(status="running", attempts=attempts, heartbeat_at=long_ago)
            )
            requeue = recover_stalled_features(session, timeout_s=60, max_attempts=3)
        assert requeue == ([job_id] if expected == "queued" else [])
        job = job_of(jobs, dataset_id)
        assert job.status == expected
    assert "stopped responding" in job.error


def test_a_features_job_goes_ahead_of_training_parts_queued_before_it(jobs, dataset_id):
    with transaction(jobs.sessions) as session:
        run = launch_run(session, session.get(Dataset, dataset_id), RunRequest(method="ilc"), None)
        parts = [p.id for p in run.parts if p.status == "queued"]
    jobs.enqueue(parts)
    jobs.enqueue_features(launched(jobs, dataset_id))

    first = jobs.huey.dequeue()

    assert first.name == "meclean.dataset_features"
