"""The watchdog: hands the parts, features jobs and imports of silent workers to others,
queues ready aggregations."""

from __future__ import annotations

import logging
import threading

from meclean.db.session import transaction
from meclean.jobs.features import recover_stalled_features
from meclean.jobs.imports import recover_stalled_imports
from meclean.jobs.queue import Jobs
from meclean.jobs.runs import recover_stalled

log = logging.getLogger(__name__)


class Watchdog(threading.Thread):
    """Runs in every API and worker process; concurrent watchdogs never re-queue a part twice."""

    def __init__(self, jobs: Jobs) -> None:
        super().__init__(name="meclean-watchdog", daemon=True)
        self.jobs = jobs
        self.interval = max(0.5, jobs.settings.heartbeat_timeout_s / 4)
        self._stop_event = threading.Event()

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
        return requeue

    def stop(self) -> None:
        self._stop_event.set()
