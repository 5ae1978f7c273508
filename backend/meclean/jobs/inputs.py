"""What a run trains on and how, rebuilt from its record by whichever worker runs a part."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.feature_store import FeatureStore
from meclean.data.labels import CLASSES
from meclean.db.features import sample_features
from meclean.db.labels import labels_of
from meclean.db.models import Run, Sample
from meclean.ml.loso import TrainConfig
from meclean.ml.methods import NoisyLabelMethod, make_method
from meclean.ml.protocols import protocol_config
from meclean.ml.run import LabelledSamples, TrainingSet
from meclean.progress import Cancelled, ShouldStop


def run_samples(session: Session, run: Run) -> LabelledSamples:
    """The run's samples, in id order, with the labels of its label version and the clean
    set snapshotted at launch: what scoring needs, no features read."""
    return _labelled(session, run, _samples(session, run))


def _labelled(session: Session, run: Run, samples: Sequence[Sample]) -> LabelledSamples:
    labels = labels_of(session, run.label_version_id)
    clean_ids = run.config.clean_sample_ids
    return LabelledSamples(
        labels=np.array([CLASSES.index(labels[s.id]) for s in samples]),
        subjects=[f"{s.source}/{s.subject}" for s in samples],
        datasets=[s.source for s in samples],
        sample_ids=[str(s.id) for s in samples],
        clean=None if clean_ids is None else np.isin([s.id for s in samples], clean_ids),
    )


def run_training_set(
    session: Session, run: Run, store: FeatureStore, should_stop: ShouldStop | None = None
) -> TrainingSet:
    """``run_samples`` with their features; features missing from the store are computed
    on the way."""
    samples = _samples(session, run)
    stacked = []
    for sample in samples:
        if should_stop and should_stop():
            raise Cancelled
        stacked.append(sample_features(store, sample))
    labelled = _labelled(session, run, samples)
    session.commit()  # keep the feature keys computed on the way
    return TrainingSet(**vars(labelled), features=np.stack(stacked).astype(np.float32))


def _samples(session: Session, run: Run) -> Sequence[Sample]:
    return session.scalars(
        select(Sample).where(Sample.dataset_id == run.dataset_id).order_by(Sample.id)
    ).all()


def run_method(run: Run) -> NoisyLabelMethod:
    return make_method(
        run.method.name,
        alpha=run.method.alpha,
        epochs=run.config.epochs,
        q=run.method.q,
        warmup_epochs=run.method.warmup_epochs,
    )


def train_config(run: Run, device: str | None = None) -> TrainConfig:
    """The run's protocol; ``device`` (a worker's own choice) overrides its preference."""
    preference = run.config.device
    return protocol_config(
        run.config.protocol,
        epochs=run.config.epochs,
        device=device or (None if preference == "auto" else preference),
    )
