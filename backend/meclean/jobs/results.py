"""A run's last step: pool its parts into scores and per-sample results, stored atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import torch
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from meclean.data.labels import CLASSES
from meclean.db.models import PartKind, Run, RunPart, RunSampleResult, Status
from meclean.db.session import rows_changed, transaction
from meclean.jobs.inputs import run_method, run_samples, train_config
from meclean.ml.loso import FlagCounts, LosoOutput, protocol_deviations
from meclean.ml.loss_history import LossHistory
from meclean.ml.run import FinalModel, RunResult, combine
from meclean.progress import Cancelled, ShouldStop
from meclean.settings import Settings


def parts_dir(settings: Settings, run_id: int) -> Path:
    return settings.run_dir / str(run_id) / "parts"


def result_dir(settings: Settings, run_id: int) -> Path:
    return settings.run_dir / str(run_id) / "result"


def save_fold_output(f: BinaryIO, out: LosoOutput) -> None:
    arrays: dict[str, Any] = {
        "probabilities": out.probabilities,
        "predicted": out.predicted,
        "flagged": out.flags.flagged,
        "seen": out.flags.seen,
        "votes": out.flags.votes,
        "seconds": out.seconds,
    }
    if out.history is not None:
        # N x epochs each, kept until the run is deleted: 6 bytes a value, not 16.
        arrays |= {
            "history_total": out.history.total.astype(np.float32),
            "history_count": out.history.count.astype(np.uint16),
        }
    np.savez(f, **arrays)


def load_fold_output(path: Path) -> LosoOutput:
    with np.load(path) as f:
        flags = FlagCounts(f["flagged"], f["seen"], f["votes"])
        # Parts trained by an earlier version, before a run was resumed, kept no history.
        history = None
        if "history_total" in f:
            history = LossHistory(
                f["history_total"].astype(np.float64), f["history_count"].astype(np.float64)
            )
        return LosoOutput(f["probabilities"], f["predicted"], flags, float(f["seconds"]), history)


def store_results(
    sessions: sessionmaker[Session], settings: Settings, run_id: int, should_stop: ShouldStop
) -> None:
    """Score the run from its parts' files; its results and 'succeeded' appear together."""
    with sessions() as session:
        run = session.get_one(Run, run_id)
        parts = list(run.parts)
        data = run_samples(session, run)
    seeds = run.config.seeds
    outputs = []
    for seed in seeds:
        files = [
            parts_dir(settings, run.id) / f"part-{p.id}.npz"
            for p in parts
            if p.kind == PartKind.FOLDS and p.seed == seed
        ]
        outputs.append(LosoOutput.merge([load_fold_output(f) for f in files]))
        if should_stop():
            raise Cancelled
    final = FinalModel.load(parts_dir(settings, run.id) / "final.pt")
    config, method = train_config(run), run_method(run)
    # Each part trained its own folds on its own worker's device.
    deviations = dict.fromkeys(
        d
        for p in parts
        if p.kind == PartKind.FOLDS and p.device
        for d in protocol_deviations(config, torch.device(p.device), len(p.folds), method)
    )
    result = combine(data, method, config, seeds, outputs, final, None, list(deviations))
    _write_result(result, result_dir(settings, run.id))
    _store_rows(sessions, run, parts, result, final)


def _write_result(result: RunResult, target: Path) -> None:
    """Write into a fresh folder, then rename it into place."""
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".result-"))
    try:
        result.write(staging)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _store_rows(
    sessions: sessionmaker[Session],
    run: Run,
    parts: list[RunPart],
    result: RunResult,
    final: FinalModel,
) -> None:
    probabilities = result.probabilities
    aggregate = next(p for p in parts if p.kind == PartKind.AGGREGATE)
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        mine = rows_changed(
            session,
            update(RunPart)
            .where(RunPart.id == aggregate.id, RunPart.status == Status.RUNNING)
            .values(status=Status.SUCCEEDED, done=1, finished_at=now),
        )
        finished = rows_changed(
            session,
            update(Run)
            .where(Run.id == run.id, Run.status == Status.RUNNING)
            .values(
                status=Status.SUCCEEDED,
                finished_at=now,
                artifacts_key=f"runs/{run.id}/result",
                metrics={
                    "summary": result.summary(),
                    "scores": [
                        {
                            g: {
                                "uf1": s.uf1,
                                "uar": s.uar,
                                "confusion": s.confusion,
                                "samples": s.samples,
                            }
                            for g, s in seed.items()
                        }
                        for seed in result.scores
                    ],
                    "classes": list(CLASSES),
                    "timings": result.timings,
                    "deviations": result.deviations,
                    "flagged": int((result.flag_rate > 0).sum()),
                    "proposals": int((result.proposed_label >= 0).sum()),
                    "high_loss": int(final.high_loss.sum()),
                    "label_issues": int(result.label_issues.sum()),
                    "threshold": final.threshold,
                },
            ),
        )
        if not (mine and finished):
            session.rollback()
            raise Cancelled  # cancelled (or taken over) while aggregating: store nothing
        session.execute(delete(RunSampleResult).where(RunSampleResult.run_id == run.id))
        session.add_all(
            RunSampleResult(
                run_id=run.id,
                sample_id=int(sample_id),
                prediction=CLASSES[int(probabilities[i].argmax())],
                probabilities=[round(float(v), 5) for v in probabilities[i]],
                seed_predictions=[CLASSES[int(p[i].argmax())] for p in result.seed_probabilities],
                flag_rate=float(result.flag_rate[i]),
                final_loss=float(final.loss[i]),
                high_loss=bool(final.high_loss[i]),
                proposed_label=(
                    CLASSES[int(result.proposed_label[i])]
                    if result.proposed_label[i] >= 0
                    else None
                ),
                label_issue=bool(result.label_issues[i]),
                umap_x=float(final.projection[i, 0]),
                umap_y=float(final.projection[i, 1]),
            )
            for i, sample_id in enumerate(result.sample_ids)
        )
