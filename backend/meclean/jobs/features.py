"""An imported dataset's optical flow and strain, computed by a queue worker.

The API queues a job when a dataset is imported, so experts find flow renders and class
means ready instead of waiting for each to be computed on demand. Features are stored one
sample at a time, atomically, so a cancelled or interrupted job loses nothing and the next
one resumes where it stopped.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import cv2
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from meclean.data.feature_store import FeatureStore
from meclean.db.features import FeatureError, FrameSource, store_flow
from meclean.db.models import ACTIVE, FeatureJob, Sample, Status
from meclean.db.motion import ClipSource, stored_motion
from meclean.db.session import rows_changed, transaction
from meclean.jobs.lease import cancel_active, held, recover_silent, take

if TYPE_CHECKING:
    from meclean.jobs.queue import Jobs

log = logging.getLogger(__name__)

REPORT_SECONDS = 1.0
"""Progress and heartbeat are written, and cancellation looked for, about this often."""


def launch_features(session: Session, dataset_id: int, user_id: int | None) -> FeatureJob | None:
    """A queued features job for the dataset, or None when one is already queued or running.
    The caller enqueues the job after committing."""
    active = session.scalar(
        select(FeatureJob.id).where(
            FeatureJob.dataset_id == dataset_id, FeatureJob.status.in_(ACTIVE)
        )
    )
    if active is not None:
        return None
    total = session.scalar(select(func.count()).where(Sample.dataset_id == dataset_id))
    job = FeatureJob(dataset_id=dataset_id, created_by=user_id, total=total, failed=[])
    session.add(job)
    session.flush()
    return job


def latest_features_job(session: Session, dataset_id: int) -> FeatureJob | None:
    return session.scalar(
        select(FeatureJob)
        .where(FeatureJob.dataset_id == dataset_id)
        .order_by(FeatureJob.id.desc())
        .limit(1)
    )


def cancel_features(session: Session, job: FeatureJob) -> bool:
    """Stop a queued or running job; its worker notices within ``REPORT_SECONDS``. False if
    it had finished meanwhile."""
    return cancel_active(session, FeatureJob, job.id)


def execute_features(jobs: Jobs, job_id: int) -> None:
    """The queue task: compute every missing feature of the job's dataset."""
    attempt = _claim(jobs, job_id)
    if attempt is None:
        return
    store = FeatureStore(jobs.settings.feature_dir)
    failed: list[str] = []
    # OpenCV drops the GIL, so threads compute flows side by side; unlike a process pool
    # they are safe beside the API's own threads. Only this thread touches the rows. One
    # OpenCV thread per flow: its own threading on these small frames only oversubscribes.
    cv2.setNumThreads(1)
    pool = ThreadPoolExecutor(max(1, jobs.settings.workers), thread_name_prefix="flow")
    try:
        with jobs.sessions() as session:
            dataset_id = select(FeatureJob.dataset_id).where(FeatureJob.id == job_id)
            samples = session.scalars(
                select(Sample)
                .where(Sample.dataset_id == dataset_id.scalar_subquery())
                .order_by(Sample.id)
            ).all()
            computed = [
                pool.submit(_flow_and_motion, store, FrameSource.of(s), ClipSource.of(s))
                for s in samples
            ]
            reported = time.monotonic()
            for done, (sample, result) in enumerate(zip(samples, computed, strict=True), 1):
                try:
                    sample.feature_key, motion_problem = result.result()
                except FeatureError as exc:
                    sample.feature_key = None  # never train on the flow of other frames
                    failed.append(f"{sample.source}/{sample.subject}: {exc}")
                else:
                    if motion_problem:  # the flow stands; its timing goes unchecked
                        failed.append(f"{sample.source}/{sample.subject}: {motion_problem}")
                if done < len(samples) and time.monotonic() - reported < REPORT_SECONDS:
                    continue
                session.commit()  # the feature keys found so far
                reported = time.monotonic()
                if jobs.stopping.is_set():
                    _hand_back(jobs, job_id, attempt)
                    return
                if not _report(jobs, job_id, attempt, done=done, failed=failed):
                    return  # cancelled, or handed to another worker
    except Exception as exc:
        log.exception("features job %s failed", job_id)
        _report(jobs, job_id, attempt, status=Status.FAILED, error=repr(exc), failed=failed)
        return
    finally:
        pool.shutdown(cancel_futures=True)  # flows not yet started are dropped, kept ones stay
    _report(jobs, job_id, attempt, status=Status.SUCCEEDED, failed=failed)


def recover_stalled_features(session: Session, timeout_s: float, max_attempts: int) -> list[int]:
    """Jobs whose worker fell silent go back to the queue, or fail after ``max_attempts``.
    Returns the jobs to enqueue."""
    return recover_silent(session, FeatureJob, timeout_s, max_attempts)


def _flow_and_motion(
    store: FeatureStore, frames: FrameSource, clip: ClipSource
) -> tuple[str, str | None]:
    """A sample's flow (its key; ``FeatureError`` where it cannot be computed), then its
    motion from onset to offset for the timing checks, cheap beside TV-L1 (why not, if
    it cannot be measured). The frames are hashed again: one changed or broken since its
    flow was stored is computed anew, or named among the failures."""
    key = store_flow(store, frames, None)
    try:
        stored_motion(store, clip)
    except FeatureError as exc:
        return key, str(exc)
    return key, None


def _claim(jobs: Jobs, job_id: int) -> int | None:
    """Take a queued job; returns its attempt number, or None when it is not for the taking."""
    now = datetime.now(UTC)
    with transaction(jobs.sessions) as session:
        claimed = rows_changed(
            session,
            take(FeatureJob, job_id, now, started_at=func.coalesce(FeatureJob.started_at, now)),
        )
        if not claimed:
            return None
        return session.scalar(select(FeatureJob.attempts).where(FeatureJob.id == job_id))


def _report(jobs: Jobs, job_id: int, attempt: int, **values: object) -> bool:
    """Write progress (or the outcome) while this attempt holds the job; False if it does not."""
    now = datetime.now(UTC)
    if "status" in values:
        values["finished_at"] = now
    with transaction(jobs.sessions) as session:
        mine = held(FeatureJob, job_id, attempt).values(heartbeat_at=now, **values)
        return bool(rows_changed(session, mine))


def _hand_back(jobs: Jobs, job_id: int, attempt: int) -> None:
    """Shutdown: the job goes back to the queue for the next worker, its attempt not counted."""
    with transaction(jobs.sessions) as session:
        back = rows_changed(
            session,
            held(FeatureJob, job_id, attempt).values(
                status=Status.QUEUED, attempts=FeatureJob.attempts - 1
            ),
        )
    if back:
        jobs.enqueue_features(job_id)
