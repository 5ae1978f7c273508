"""Whose flow a request may read: one sample's, computed on the spot if need be, or a whole
dataset's, which only the dataset's features job computes."""

from __future__ import annotations

import os
import threading
from contextlib import suppress

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.feature_store import FeatureStore
from meclean.db.features import FeatureError, feature_key, key_from_frames, sample_features
from meclean.db.labels import labels_of
from meclean.db.models import ACTIVE, Sample, SampleLabel, Status
from meclean.jobs.features import latest_features_job
from meclean.services.errors import Conflict, Invalid, NotFound

# Features missing from the store are computed in the request (TV-L1, a few tenths of a
# core-second each); this many at a time leaves a core to everyone else's pages, marks and
# cached renders. sample_features looks in the store again once a slot is free.
_flow_slots = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) - 1))


def sample_flow(store: FeatureStore, sample: Sample) -> np.ndarray:
    """The sample's features (Vx, Vy, strain), from the store or computed now."""
    if feature_key(sample) in store:
        return store.load(feature_key(sample))
    with _flow_slots:
        return sample_features(store, sample)


def version_labels(
    session: Session, dataset_id: int, version_id: int, field: str
) -> dict[int, str]:
    """Sample id -> label in version ``version_id``, which must be one of the dataset's."""
    in_dataset = session.scalar(
        select(SampleLabel.version_id)
        .join(Sample, Sample.id == SampleLabel.sample_id)
        .where(SampleLabel.version_id == version_id, Sample.dataset_id == dataset_id)
        .limit(1)
    )
    if in_dataset is None:
        raise NotFound(f"no label version {version_id} in dataset {dataset_id}", field)
    return labels_of(session, version_id)


def dataset_flows(
    session: Session, store: FeatureStore, dataset_id: int, group: str = "composite"
) -> list[tuple[Sample, str, np.ndarray]]:
    """Every readable sample of the dataset (of source ``group`` unless 'composite') with
    its feature key and features, once the dataset's features job has computed them:
    until then ``Conflict`` saying how far it is (too many to compute in one request)."""
    samples = list(session.scalars(select(Sample).where(Sample.dataset_id == dataset_id)))
    sources = {s.source for s in samples}
    if group != "composite" and group not in sources:
        raise Invalid(f"group must be 'composite' or one of {sorted(sources)}", "group")
    readable = _readable_with_flow(session, dataset_id, samples, store)
    keyed = []
    for sample, key in readable:
        sample.feature_key = key  # hashed once, above; remembered now that nothing refuses
        with suppress(FeatureError):
            keyed.append((sample, key, sample_flow(store, sample)))
    if not any(group in ("composite", s.source) for s, _, _ in keyed):
        raise Invalid(f"no sample of {group} in dataset {dataset_id} has a readable flow")
    return keyed


def _readable_with_flow(
    session: Session, dataset_id: int, samples: list[Sample], store: FeatureStore
) -> list[tuple[Sample, str]]:
    """The samples whose frames can be read, with their feature keys, once every one has
    its flow; until the dataset's features job has done it (its progress in the top bar),
    ``Conflict``. A read queues no work: where no job ever ran (a dataset stored before
    imports queued one), a curator starts one."""
    job = latest_features_job(session, dataset_id)
    if job is not None and job.status in ACTIVE:
        # The job writes each key as it goes: count what it has left without hashing frames.
        missing = sum(s.feature_key is None or s.feature_key not in store for s in samples)
        lacking = f"{missing} of {len(samples)} samples lack their flow"
        if missing and job.status == Status.QUEUED:
            raise Conflict(f"{lacking}; the dataset's features job is queued to compute it")
        if missing:
            raise Conflict(
                f"{lacking}, which the dataset's features job is computing "
                f"({job.done} / {job.total} so far); the class means follow when it is done"
            )
    # Keys are not written to the rows here, so a refusal leaves SQLite unlocked for the job
    # it queues. Samples whose frames cannot be read are left out: the job names them.
    readable = []
    for sample in samples:
        with suppress(FeatureError):
            readable.append((sample, key_from_frames(sample)))
    missing = sum(key not in store for _, key in readable)
    lacking = f"{missing} of {len(samples)} samples lack their flow"
    if missing:
        if job is None:
            raise Conflict(
                f"{lacking}; no job has computed this dataset's flow yet: a curator starts "
                "one (Compute the flow, on the class-means screen)"
            )
        if job.status == Status.CANCELLED:
            raise Conflict(
                f"{lacking}: the features job was cancelled at {job.done} / {job.total}; "
                "a curator can resume it from the top bar"
            )
    # After a finished job only what it could not compute is missing: tried again below.
    return readable
