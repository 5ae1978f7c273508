"""Research outputs: a run's per-sample results as CSV and its scores per subject, and a
dataset's features as NPZ, for analyses outside meclean."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO

import numpy as np
from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import Row, func, select

from meclean.api.deps import (
    Annotator,
    AppSettings,
    CommittingRoute,
    DbSession,
    dataset_or_404,
    run_or_404,
)
from meclean.api.errors import ApiError
from meclean.api.schemas import attachment, csv_download
from meclean.data.feature_store import FeatureStore
from meclean.data.labels import CLASSES
from meclean.db.labels import current_version_id, labels_of
from meclean.db.models import DbId, RunSampleResult, Sample
from meclean.db.spreadsheets import csv_text
from meclean.ml.metrics import score
from meclean.services.runs import succeeded

router = APIRouter(prefix="/api", tags=["runs"], route_class=CommittingRoute)

MAX_FEATURE_SAMPLES = 12_000
"""Samples one features download holds at most (a 60x60 feature is 43 kB: ~500 MB)."""


class SubjectScores(BaseModel):
    subject: str
    """source/subject"""
    samples: int
    classes: int
    """Classes among its samples' labels: a subject with one class has a UF1 of its own kind."""
    uf1: float
    uar: float


@router.get("/runs/{run_id}/results.csv", response_class=Response)
def results_csv(run_id: DbId, session: DbSession, _: Annotator) -> Response:
    """Per sample: its label in the run's version, the out-of-fold prediction and class
    probabilities (averaged over seeds), flag rate, final loss and flag, proposal."""
    run = succeeded(run_or_404(session, run_id))
    labels = labels_of(session, run.label_version_id)
    rows = session.execute(
        select(RunSampleResult, Sample)
        .join(Sample, Sample.id == RunSampleResult.sample_id)
        .where(RunSampleResult.run_id == run.id)
        .order_by(Sample.id)
    )
    header = [
        "dataset",
        "subject",
        "filename",
        "label",
        "prediction",
        *(f"p_{c}" for c in CLASSES),
        "flag_rate",
        "final_loss",
        "high_loss",
        "proposed_label",
        "label_issue",
    ]
    body = (
        [
            s.source,
            s.subject,
            s.name,
            labels[s.id],
            r.prediction,
            *(round(p, 4) for p in r.probabilities),
            r.flag_rate,
            "" if r.final_loss is None else round(r.final_loss, 5),
            int(r.high_loss),
            r.proposed_label or "",
            int(r.label_issue),
        ]
        for r, s in rows
    )
    dataset = dataset_or_404(session, run.dataset_id)
    return csv_download(csv_text(header, body), dataset.name, f"run-{run.id}-results")


@router.get("/runs/{run_id}/subjects")
def subject_scores(run_id: DbId, session: DbSession, _: Annotator) -> list[SubjectScores]:
    """UF1 and UAR of each subject's out-of-fold predictions (seeds averaged), in the
    order of the subjects' names; a subject's few samples make these coarse."""
    run = succeeded(run_or_404(session, run_id))
    labels = labels_of(session, run.label_version_id)
    rows = session.execute(
        select(Sample.id, Sample.source, Sample.subject, RunSampleResult.prediction)
        .join(RunSampleResult, RunSampleResult.sample_id == Sample.id)
        .where(RunSampleResult.run_id == run.id)
    ).all()
    if not rows:
        return []
    truth = np.array([CLASSES.index(labels[i]) for i, *_ in rows])
    predicted = np.array([CLASSES.index(p) for *_, p in rows])
    groups = [f"{source}/{subject}" for _, source, subject, _ in rows]
    scores = score(truth, predicted, groups, len(CLASSES))
    grouped = np.array(groups)
    return [
        SubjectScores(
            subject=group,
            samples=s.samples,
            classes=len(set(truth[grouped == group].tolist())),
            uf1=round(s.uf1, 4),
            uar=round(s.uar, 4),
        )
        for group, s in scores.items()
        if group != "composite"
    ]


@router.get("/datasets/{dataset_id}/features.npz", response_class=StreamingResponse)
def features_npz(
    dataset_id: DbId, session: DbSession, settings: AppSettings, _: Annotator
) -> StreamingResponse:
    """Every sample's (Vx, Vy, strain) as one float32 array ``features`` (N, 3, H, W), with
    ``sample_id``, ``dataset``, ``subject``, ``filename`` and ``label`` (in the current
    version, ``label_version``);
    samples whose flow is not computed yet are left out (``missing`` names them)."""
    dataset = dataset_or_404(session, dataset_id)
    count = session.scalar(select(func.count()).where(Sample.dataset_id == dataset.id)) or 0
    if count > MAX_FEATURE_SAMPLES:
        raise ApiError(
            413, f"{count} samples: more than {MAX_FEATURE_SAMPLES} in one download", None
        )
    version_id = current_version_id(dataset)
    labels = labels_of(session, version_id)
    samples = session.execute(
        select(Sample.id, Sample.source, Sample.subject, Sample.name, Sample.feature_key)
        .where(Sample.dataset_id == dataset.id)
        .order_by(Sample.id)
    ).all()
    store = FeatureStore(settings.feature_dir)
    ready = [s for s in samples if s.feature_key and store.path(s.feature_key).is_file()]
    have = {s.id for s in ready}
    missing = [f"{s.source}/{s.subject}/{s.name}" for s in samples if s.id not in have]
    # Closed by the response's generator once sent, or here if writing fails.
    archive = tempfile.SpooledTemporaryFile(max_size=32 * 2**20)  # noqa: SIM115
    try:
        _write_npz(archive, store, ready, missing, labels, version_id)
    except BaseException:
        archive.close()
        raise
    archive.seek(0)

    def chunks() -> Iterator[bytes]:
        with archive:
            while chunk := archive.read(2**20):
                yield chunk

    return StreamingResponse(
        chunks(),
        media_type="application/zip",
        headers=attachment(dataset.name, "features", suffix=".npz"),
    )


def _write_npz(
    archive: IO[bytes],
    store: FeatureStore,
    ready: list[Row],
    missing: list[str],
    labels: dict[int, str],
    version_id: int,
) -> None:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED, allowZip64=True) as npz:
        _write_stacked(npz, "features", store, [s.feature_key for s in ready])
        columns = {
            "sample_id": np.array([s.id for s in ready], np.int64),
            "dataset": np.array([s.source for s in ready], str),
            "subject": np.array([s.subject for s in ready], str),
            "filename": np.array([s.name for s in ready], str),
            "label": np.array([labels[s.id] for s in ready], str),
            "missing": np.array(missing, str),
            "label_version": np.array(version_id, np.int64),
        }
        for name, values in columns.items():
            with npz.open(f"{name}.npy", "w") as entry:
                np.lib.format.write_array(entry, values, allow_pickle=False)


def _write_stacked(npz: zipfile.ZipFile, name: str, store: FeatureStore, keys: list[str]) -> None:
    """One (N, ...) float32 array written sample by sample: never all in memory."""
    first = store.load(keys[0]).astype(np.float32) if keys else np.zeros((0,), np.float32)
    shape = (len(keys), *first.shape) if keys else (0,)
    with npz.open(f"{name}.npy", "w", force_zip64=True) as entry:
        header = {
            "descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)),
            "fortran_order": False,
            "shape": shape,
        }
        np.lib.format.write_array_header_1_0(entry, header)
        for key in keys:
            feature = store.load(key).astype(np.float32)
            if feature.shape != first.shape:
                raise ApiError(
                    409, f"features of different sizes ({feature.shape}, {first.shape})", None
                )
            entry.write(np.ascontiguousarray(feature).tobytes())
