"""The watchdog: hands the parts, features jobs and imports of silent workers to others,
queues ready aggregations, and enqueues again the queued rows whose message was lost."""

from __future__ import annotations

import logging
import threading

from meclean.db.models import FeatureJob, ImportJob, RunPart
from meclean.db.session import transaction
from meclean.jobs.features import recover_stalled_features
from meclean.jobs.imports import recover_stalled_imports
from meclean.jobs.lease import LeasedModel, queued
from meclean.jobs.queue import Jobs
from meclean.jobs.runs import recover_stalled

log = logging.getLogger(__name__)


class Watchdog(threading.Thread):
    """Runs in every API and worker process. Concurrent watchdogs never hand a silent task
    on twice; each may enqueue a lost message again, so a task may get one message per
    process, of which its conditional take lets one run it."""

    def __init__(self, jobs: Jobs) -> None:
        super().__init__(name="meclean-watchdog", daemon=True)
        self.jobs = jobs
        self.interval = max(0.5, jobs.settings.heartbeat_timeout_s / 4)
        self._stop_event = threading.Event()
        self._unqueued: set[tuple[LeasedModel, int]] = set()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            try:
                self.check()
            except Exception:
                log.exception("watchdog check failed; trying again in %.1f s", self.interval)

    def check(self) -> list[int]:
        settings = self.jobs.settings
        timeout, attempts = settings.heartbeat_timeout_s, settings.max_attempts
        with transaction(self.jobs.sessions) as session:
            requeue = recover_stalled(session, timeout, attempts)
            features = recover_stalled_features(session, timeout, attempts)
            imports = recover_stalled_imports(session, timeout, attempts)
        self.jobs.enqueue(requeue)
        for job_id in features:
            self.jobs.enqueue_features(job_id)
        for job_id in imports:
            self.jobs.enqueue_import(job_id)
        self.enqueue_lost()
        return requeue

    def enqueue_lost(self) -> None:
        """A queued row loses its message when its process is killed between committing
        and enqueueing, or its worker between taking the message and taking the row. One
        found without a message on two checks running is enqueued again: a row just
        committed by another process has its message by then, and a duplicate does no harm
        (only one worker takes a row)."""
        with transaction(self.jobs.sessions) as session:
            rows = {
                (model, row_id)
                for model in (RunPart, FeatureJob, ImportJob)
                for row_id in queued(session, model)
            }
        unqueued = rows - self.jobs.waiting() if rows else set()
        for model, row_id in sorted(unqueued & self._unqueued, key=lambda row: row[1]):
            log.warning(
                "%s %d was queued without a message; enqueued again", model.__name__, row_id
            )
            self.jobs.enqueue_row(model, row_id)
        self._unqueued = unqueued - self._unqueued

    def stop(self) -> None:
        self._stop_event.set()
