"""Executing one part of a run on a worker: claim it, train, report, store atomically."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from meclean.data.feature_store import FeatureStore
from meclean.db.models import ACTIVE, PartKind, Run, RunPart, Status
from meclean.db.session import rows_changed, transaction
from meclean.files import write_atomically
from meclean.jobs.inputs import run_method, run_training_set, train_config
from meclean.jobs.lease import held, take
from meclean.jobs.results import parts_dir, save_fold_output, store_results
from meclean.jobs.runs import fail_run, ready_aggregations
from meclean.ml.loso import TrainingProgress, resolve_device, train_loso
from meclean.ml.run import TrainingSet, train_final
from meclean.progress import Cancelled

if TYPE_CHECKING:
    from meclean.jobs.queue import Jobs

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0
"""How often a running part writes its progress and heartbeat, and checks for a stop."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


class PartMonitor:
    """A running part's link to the database: progress and heartbeat out, stop requests in.

    A thread of its own writes the heartbeat and the latest progress every
    ``HEARTBEAT_SECONDS``, whatever the training is doing (a long UMAP included), and
    reads whether the run still wants the part; ``should_stop`` only reads a flag, so it is
    cheap enough to call every batch. The heartbeat vouches for the training only while it
    shows signs of life (progress or stop checks): after ``stall_timeout_s`` without any,
    the part is taken for hung and the heartbeat falls silent, so the watchdog hands the
    part on; should the training wake up, its next beat finds the part gone and stops it.
    """

    def __init__(self, jobs: Jobs, part: RunPart) -> None:
        self.jobs = jobs
        self.part_id, self.run_id, self.attempt = part.id, part.run_id, part.attempts
        self.worker = part.worker
        self.done, self.total = 0, part.total
        self.loss: float | None = None
        self.uf1: float | None = None
        self.stop_reason: str | None = None
        self._stall_timeout_s = jobs.settings.stall_timeout_s
        self._alive_at = time.monotonic()
        self._said_hung = False
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{part.id}", daemon=True)

    def __enter__(self) -> PartMonitor:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._finished.set()
        self._thread.join()

    def report(self, done: int, loss: float | None = None, uf1: float | None = None) -> None:
        self._alive_at = time.monotonic()
        first = self.done == 0 and done > 0
        self.done, self.loss, self.uf1 = min(done, self.total), loss, uf1
        if first:
            self.flush()  # show at once that training is under way

    def should_stop(self) -> bool:
        self._alive_at = time.monotonic()
        if self.jobs.stopping.is_set():
            self.stop_reason = "shutdown"
        return self.stop_reason is not None

    def _beat(self) -> None:
        while not self._finished.wait(HEARTBEAT_SECONDS):
            try:
                if not self._hung():
                    self.flush()
            except Exception:
                log.exception("heartbeat of part %s failed; trying again", self.part_id)

    def _hung(self) -> bool:
        quiet_s = time.monotonic() - self._alive_at
        hung = quiet_s > self._stall_timeout_s
        if hung and not self._said_hung:
            log.warning("part %s: no progress for %.0f s, taken for hung", self.part_id, quiet_s)
            why = f"worker {self.worker} made no progress for {quiet_s:.0f} s (hung)"
            with transaction(self.jobs.sessions) as session:
                session.execute(held(RunPart, self.part_id, self.attempt).values(error=why))
        self._said_hung = hung
        return hung

    def flush(self) -> None:
        with self._lock, transaction(self.jobs.sessions) as session:
            mine = rows_changed(
                session,
                held(RunPart, self.part_id, self.attempt).values(
                    heartbeat_at=datetime.now(UTC),
                    done=self.done,
                    loss=self.loss,
                    uf1=self.uf1,
                    error=None,  # a part taken for hung that woke up in time is not hung
                ),
            )
            status = session.scalar(select(Run.status).where(Run.id == self.run_id))
        if not mine:
            self.stop_reason = "taken over or cancelled"
        elif status not in ACTIVE:
            self.stop_reason = f"run {status}"


def execute_part(jobs: Jobs, part_id: int) -> None:
    """The queue task: run one part if it is still wanted, and record how it went."""
    part = claim_part(jobs.sessions, part_id)
    if part is None:
        return
    if jobs.torch_threads:
        torch.set_num_threads(jobs.torch_threads)
    try:
        with PartMonitor(jobs, part) as monitor:
            if part.kind == PartKind.AGGREGATE:
                store_results(jobs.sessions, jobs.settings, part.run_id, monitor.should_stop)
                return  # store_results marks the part and the run in one transaction
            with jobs.sessions() as session:
                run = session.get_one(Run, part.run_id)
                store = FeatureStore(jobs.settings.feature_dir)
                data = run_training_set(session, run, store, monitor.should_stop)
            output = _part_dir(jobs, part.run_id)
            train = _train_folds if part.kind == PartKind.FOLDS else _train_final_model
            train(jobs, run, part, data, monitor, output)
            device = str(resolve_device(train_config(run, jobs.device).device))
    except Cancelled:
        _stopped(jobs, part, monitor.stop_reason or Status.CANCELLED)
        return
    except Exception as exc:
        log.exception("part %s of run %s failed", part.id, part.run_id)
        with transaction(jobs.sessions) as session:
            _finish(session, part, Status.FAILED, error=repr(exc))
            fail_run(
                session, part.run_id, f"{part.kind} part failed: {exc}", traceback.format_exc()
            )
        return
    with transaction(jobs.sessions) as session:
        _finish(session, part, Status.SUCCEEDED, device=device)
    with transaction(jobs.sessions) as session:
        ready = ready_aggregations(session, part.run_id)
    jobs.enqueue(ready)


def claim_part(sessions: sessionmaker[Session], part_id: int) -> RunPart | None:
    """Take the part if it is queued and its run still wants it; each part runs once at a time."""
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        part = session.get(RunPart, part_id)
        if part is None or part.status != Status.QUEUED:
            return None
        run = session.get_one(Run, part.run_id)
        if run.status not in ACTIVE:
            return None
        claimed = rows_changed(
            session,
            take(RunPart, part_id, now, worker=worker_name(), started_at=now, done=0, error=None),
        )
        if not claimed:
            return None
        if run.status == Status.QUEUED:
            run.status, run.started_at = Status.RUNNING, now
        session.flush()
        session.refresh(part)
        session.expunge(part)
        return part


def _finish(
    session: Session,
    part: RunPart,
    status: str,
    error: str | None = None,
    device: str | None = None,
) -> None:
    """Record how the part ended and, when it trained, on which device."""
    values = {"status": status, "finished_at": datetime.now(UTC), "error": error}
    if device:
        values["device"] = device
    if status == Status.SUCCEEDED:
        values["done"] = part.total
    session.execute(held(RunPart, part.id, part.attempts).values(**values))


def _stopped(jobs: Jobs, part: RunPart, reason: str) -> None:
    """Shutdown hands the part back to the queue; a cancelled run just ends here."""
    if reason != "shutdown":
        return
    with transaction(jobs.sessions) as session:
        back = rows_changed(
            session,
            held(RunPart, part.id, part.attempts).values(
                status=Status.QUEUED, worker=None, attempts=RunPart.attempts - 1
            ),
        )
    if back:
        jobs.enqueue([part.id])


def _train_folds(
    jobs: Jobs, run: Run, part: RunPart, data: TrainingSet, monitor: PartMonitor, output: Path
) -> None:
    config = train_config(run, jobs.device)
    method = run_method(run)

    def progress(p: TrainingProgress) -> None:
        monitor.report(p.folds_done * config.epochs + p.epoch, p.loss, p.uf1)

    out = train_loso(
        data.features,
        data.labels,
        data.subjects,
        method=method,
        config=config,
        seed=part.seed,
        clean=data.clean,
        progress=progress,
        should_stop=monitor.should_stop,
        fold_numbers=part.folds,
    )
    write_atomically(output / f"part-{part.id}.npz", lambda f: save_fold_output(f, out))


def _train_final_model(
    jobs: Jobs, run: Run, part: RunPart, data: TrainingSet, monitor: PartMonitor, output: Path
) -> None:
    config = train_config(run, jobs.device)
    method = run_method(run)
    final = train_final(
        data,
        method=method,
        config=config,
        seed=part.seed,
        should_stop=monitor.should_stop,
        on_epoch=lambda epoch, loss: monitor.report(epoch + 1, loss),
    )
    write_atomically(output / "final.pt", final.save)


def _part_dir(jobs: Jobs, run_id: int) -> Path:
    folder = parts_dir(jobs.settings, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
