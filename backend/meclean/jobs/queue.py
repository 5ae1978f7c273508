"""The Huey task queue: SQLite storage by default, Redis for workers on other machines."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from huey import Huey, PriorityRedisHuey, SqliteHuey
from huey.api import TaskWrapper
from huey.consumer import Consumer
from sqlalchemy.orm import Session, sessionmaker

from meclean.db.models import FeatureJob, ImportJob, RunPart
from meclean.db.session import make_engine, session_factory, transaction
from meclean.files import create_owner_only
from meclean.jobs.execute import execute_part
from meclean.jobs.features import execute_features
from meclean.jobs.imports import execute_import
from meclean.jobs.lease import LeasedModel
from meclean.settings import Settings

FEATURES_PRIORITY = 10
"""Features jobs go ahead of queued training parts (priority 0): experts wait on them in the
browser, and a run needs them anyway."""

IMPORT_PRIORITY = 20
"""Imports go first of all: a curator watches one, and its features job follows it."""

POLL_SECONDS = 0.25
"""Longest wait of an idle consumer on the SQLite queue (Redis consumers block instead)."""


def make_huey(settings: Settings) -> Huey:
    if settings.queue_url:
        return PriorityRedisHuey("meclean", url=settings.queue_url, results=False)
    queue = settings.create_data_dir() / "queue.sqlite3"
    create_owner_only(queue)  # SQLite gives its WAL the same mode
    return SqliteHuey("meclean", filename=str(queue), results=False)


@dataclass
class Outbox:
    """Tasks a transaction queues: enqueued once it has committed, so that no worker looks
    for a part or a job not yet written (and none is enqueued if it rolls back)."""

    parts: list[int] = field(default_factory=list)
    features_jobs: list[int] = field(default_factory=list)
    imports: list[int] = field(default_factory=list)


class Jobs:
    """What a process needs to launch and execute runs, features jobs and imports:
    settings, database, queue.

    Every process (the API, each worker) builds one; the queue's tasks are registered by
    name, so any process can execute a part or a job that another enqueued.
    """

    def __init__(
        self,
        settings: Settings,
        device: str | None = None,
        torch_threads: int | None = None,
        sessions: sessionmaker[Session] | None = None,
    ) -> None:
        """``sessions``: the process's own database sessions, when it has them already (the
        API's), so that a process holds one engine."""
        self.settings = settings
        self.device = device
        """Overrides each run's device preference on this worker (e.g. 'cuda:1')."""
        self.torch_threads = torch_threads
        """CPU threads per task, when several tasks share a machine."""
        self.huey = make_huey(settings)
        self.stopping = threading.Event()
        """Set when this process shuts down: its running parts go back to the queue."""
        self._sessions = sessions
        self._pid = os.getpid() if sessions is not None else 0
        self._owns_engine = sessions is None

        @self.huey.task(name="meclean.run_part")
        def run_part(part_id: int) -> None:
            execute_part(self, part_id)

        @self.huey.task(name="meclean.dataset_features", priority=FEATURES_PRIORITY)
        def dataset_features(job_id: int) -> None:
            execute_features(self, job_id)

        @self.huey.task(name="meclean.import_dataset", priority=IMPORT_PRIORITY)
        def import_dataset(job_id: int) -> None:
            execute_import(self, job_id)

        self._run_part, self._dataset_features = run_part, dataset_features
        self._import_dataset = import_dataset
        self._task_of: dict[LeasedModel, TaskWrapper] = {
            RunPart: run_part,
            FeatureJob: dataset_features,
            ImportJob: import_dataset,
        }

    @property
    def sessions(self) -> sessionmaker[Session]:
        # A forked worker process opens its own connections rather than share its parent's.
        if self._sessions is None or self._pid != os.getpid():
            self._sessions = session_factory(make_engine(self.settings.resolved_database_url()))
            self._pid = os.getpid()
            self._owns_engine = True
        return self._sessions

    @contextmanager
    def committing(self) -> Iterator[tuple[Session, Outbox]]:
        """A transaction, and the tasks it queues: enqueued after it commits, the one way
        the app enqueues work."""
        outbox = Outbox()
        with transaction(self.sessions) as session:
            yield session, outbox
        self.enqueue(outbox.parts)
        for job_id in outbox.features_jobs:
            self.enqueue_features(job_id)
        for job_id in outbox.imports:
            self.enqueue_import(job_id)

    def enqueue(self, part_ids: list[int]) -> None:
        for part_id in part_ids:
            self._run_part(part_id)

    def enqueue_features(self, job_id: int) -> None:
        self._dataset_features(job_id)

    def enqueue_import(self, job_id: int) -> None:
        self._import_dataset(job_id)

    def waiting(self) -> set[tuple[LeasedModel, int]]:
        """The rows whose message waits in the queue (taken ones are no longer there)."""
        model_of = {task.name: model for model, task in self._task_of.items()}
        return {
            (model_of[task.name], task.args[0])
            for task in self.huey.pending()
            if task.name in model_of and task.args
        }

    def enqueue_row(self, model: LeasedModel, row_id: int) -> None:
        self._task_of[model](row_id)

    def consumer(
        self, workers: int = 1, processes: bool = False, embedded: bool = False
    ) -> Consumer:
        """A queue consumer; ``embedded`` leaves signal handling to the host (uvicorn)."""
        kind = _EmbeddedConsumer if embedded else Consumer
        return kind(
            self.huey,
            workers=workers,
            worker_type="process" if processes else "thread",
            periodic=False,
            initial_delay=POLL_SECONDS,
            backoff=1.0,
            max_delay=POLL_SECONDS,
        )

    def close(self) -> None:
        if self._sessions is not None and self._owns_engine:
            self._sessions.kw["bind"].dispose()


class _EmbeddedConsumer(Consumer):
    def _set_signal_handlers(self) -> None:
        pass
