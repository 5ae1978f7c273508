"""The watchdog: hands the parts of silent workers to others, queues ready aggregations."""

from __future__ import annotations

import logging
import threading

from meclean.db.session import transaction
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
        with transaction(self.jobs.sessions) as session:
            requeue = recover_stalled(session, settings.heartbeat_timeout_s, settings.max_attempts)
        self.jobs.enqueue(requeue)
        return requeue

    def stop(self) -> None:
        self._stop_event.set()
