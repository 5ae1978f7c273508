"""Why a run judged a sample as it did: its losses in context, flags and neighbours."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Row, select

from meclean.api.deps import (
    Annotator,
    AppSettings,
    CommittingRoute,
    DbSession,
    run_or_404,
    sample_or_404,
)
from meclean.api.errors import ApiError
from meclean.data.labels import CLASSES
from meclean.db.labels import current_version_id, labels_of
from meclean.db.models import Dataset, DbId, Run, RunSampleResult, Sample
from meclean.jobs.results import result_dir
from meclean.ml.triage import (
    nearest_neighbours,
    out_of_fold_loss,
    share_below,
    small_data_caveats,
)
from meclean.services.runs import succeeded
from meclean.settings import Settings

router = APIRouter(prefix="/api", tags=["review"], route_class=CommittingRoute)
NEIGHBOURS = 6


class Neighbour(BaseModel):
    sample_id: int
    name: str
    label: str
    """In the run's label version."""
    prediction: str
    distance: float
    """Euclidean, in the final model's last hidden layer."""


class WhyFlagged(BaseModel):
    """Everything a run says about one sample, to judge its flag by."""

    sample_id: int
    given: str
    """Its label in the run's label version, which the run trained on."""
    current_label: str
    """Its label now; when it differs, the run's flags concern ``given``."""
    prediction: str
    probabilities: list[float]
    seed_predictions: list[str] | None
    """Each seed's out-of-fold prediction."""
    loss: float
    """Out-of-fold cross-entropy of the given label."""
    loss_above_in_class: float | None
    """Share of the other samples given the same label whose loss is lower than this one's."""
    loss_above_in_subject: float | None
    """The same among the other samples of its subject."""
    class_size: int
    subject_size: int
    flag_rate: float
    """Share of its training updates (last epochs, every fold and seed) that flagged it."""
    high_loss: bool
    """The final model's loss on it is above mean + alpha * std."""
    label_issue: bool
    proposed_label: str | None
    loss_curve: list[float | None] | None
    """Its training loss per epoch (mean over the folds and seeds whose batches held it;
    None in epochs none did); None for Manifold Mixup (it trains on mixtures of samples)
    and for runs trained before meclean kept it."""
    class_loss_curve: list[float | None] | None
    """Per epoch, the median of that curve over the other samples given the same label."""
    neighbours: list[Neighbour]
    """Nearest samples in the final model's hidden space; empty without a final model."""
    caveats: list[str]


@router.get("/runs/{run_id}/samples/{sample_id}/why")
def why_flagged(
    run_id: DbId, sample_id: DbId, settings: AppSettings, session: DbSession, _: Annotator
) -> WhyFlagged:
    """Why the run judged a sample as it did: losses in context, flag rate, neighbours."""
    run = succeeded(run_or_404(session, run_id))
    sample = sample_or_404(session, sample_id)
    if sample.dataset_id != run.dataset_id:
        raise ApiError(422, f"sample {sample_id} is not in run {run_id}'s dataset", "sample_id")
    results = session.execute(
        select(RunSampleResult, Sample.source, Sample.subject, Sample.name)
        .join(Sample, Sample.id == RunSampleResult.sample_id)
        .where(RunSampleResult.run_id == run.id)
        .order_by(Sample.id)
    ).all()
    given = labels_of(session, run.label_version_id)
    ids = [r.RunSampleResult.sample_id for r in results]
    if sample_id not in ids:
        raise ApiError(409, f"run {run_id} has no result for sample {sample_id}", "sample_id")
    k = ids.index(sample_id)
    labels = np.array([CLASSES.index(given[i]) for i in ids])
    losses = out_of_fold_loss(labels, np.array([r.RunSampleResult.probabilities for r in results]))
    label_names = [given[i] for i in ids]
    subjects = [f"{r.source}/{r.subject}" for r in results]
    mine = results[k].RunSampleResult
    now = labels_of(session, current_version_id(session.get_one(Dataset, run.dataset_id)))
    stored = _stored_arrays(settings, run, ids)
    history = stored.get("loss_history")
    return WhyFlagged(
        sample_id=sample_id,
        given=given[sample_id],
        current_label=now[sample_id],
        prediction=mine.prediction,
        probabilities=[round(p, 4) for p in mine.probabilities],
        seed_predictions=mine.seed_predictions,
        loss=round(float(losses[k]), 4),
        loss_above_in_class=_rounded(share_below(losses, label_names, k)),
        loss_above_in_subject=_rounded(share_below(losses, subjects, k)),
        class_size=label_names.count(given[sample_id]),
        subject_size=subjects.count(subjects[k]),
        flag_rate=round(mine.flag_rate, 3),
        high_loss=mine.high_loss,
        label_issue=mine.label_issue,
        proposed_label=mine.proposed_label,
        loss_curve=_curve(history[k]) if history is not None else None,
        class_loss_curve=_class_curve(history, label_names, k) if history is not None else None,
        neighbours=_neighbours(stored, ids, k, results, given),
        caveats=small_data_caveats(
            label_names.count(given[sample_id]),
            subjects.count(subjects[k]),
            given[sample_id],
            subjects[k],
        ),
    )


def _rounded(share: float | None) -> float | None:
    return None if share is None else round(share, 3)


def _stored_arrays(settings: Settings, run: Run, ids: list[int]) -> dict[str, np.ndarray]:
    """The run's stored embedding and loss history, if its files match its rows."""
    arrays = result_dir(settings, run.id) / "arrays.npz"
    if not arrays.is_file():
        return {}
    with np.load(arrays) as stored:
        if [int(i) for i in stored["sample_ids"]] != ids:
            return {}  # the run's files do not match its rows: better nothing than wrong
        return {name: stored[name] for name in ("embedding", "loss_history") if name in stored}


def _curve(losses: np.ndarray) -> list[float | None]:
    return [None if np.isnan(x) else round(float(x), 4) for x in losses]


def _class_curve(history: np.ndarray, labels: list[str], k: int) -> list[float | None] | None:
    others = [n for n, label in enumerate(labels) if label == labels[k] and n != k]
    if not others:
        return None
    trained = ~np.isnan(history[others])
    median = np.full(history.shape[1], np.nan)
    epochs = trained.any(axis=0)  # nanmedian warns on an epoch no other sample trained in
    median[epochs] = np.nanmedian(history[others][:, epochs], axis=0)
    return _curve(median)


def _neighbours(
    stored: dict[str, np.ndarray],
    ids: list[int],
    k: int,
    results: Sequence[Row],
    given: dict[int, str],
) -> list[Neighbour]:
    if "embedding" not in stored:
        return []
    return [
        Neighbour(
            sample_id=ids[n],
            name=f"{results[n].source}/{results[n].subject}/{results[n].name}",
            label=given[ids[n]],
            prediction=results[n].RunSampleResult.prediction,
            distance=round(distance, 3),
        )
        for n, distance in nearest_neighbours(stored["embedding"], k, NEIGHBOURS)
    ]
