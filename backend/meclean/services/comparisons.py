"""Finished runs side by side: is each one's composite UF1 really different from a
reference run's?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.labels import CLASSES
from meclean.db.labels import labels_of
from meclean.db.models import Run, RunSampleResult, Status
from meclean.jobs.inputs import run_samples
from meclean.ml.comparison import SeedPredictions, UF1Difference, uf1_difference
from meclean.ml.metrics import one_class

FEW_SUBJECTS = 20
"""Below this many subjects a bootstrap over them says little (the composite has 68)."""


@dataclass(frozen=True)
class Comparison:
    run_id: int
    reference_id: int
    difference: UF1Difference | None
    """None when the runs cannot be compared; ``reason`` says why."""
    reason: str | None = None
    caveats: tuple[str, ...] = ()
    """What a reader should know about a difference that was computed."""
    confounds: tuple[str, ...] = ()
    """What the runs differ in besides their method: the difference cannot be put on the
    method, so it is never called real."""

    @property
    def verdict(self) -> str:
        """real, within noise, not comparable: differs in ..., or not computed."""
        if self.difference is None:
            return "not computed"
        if self.confounds:
            return f"not comparable: differs in {', '.join(self.confounds)}"
        return "real" if self.difference.real else "within noise"


def compare_runs(session: Session, reference: Run, run: Run) -> Comparison:
    """``run`` minus ``reference`` on their shared samples and subjects."""

    def unpaired(reason: str) -> Comparison:
        return Comparison(run.id, reference.id, None, reason)

    if run.dataset_id != reference.dataset_id:
        return unpaired(f"run {run.id} trained on another dataset than run {reference.id}")
    for r in (reference, run):
        if r.status != Status.SUCCEEDED:
            return unpaired(f"run {r.id} has not succeeded ({r.status})")
    mine, subjects = _seed_predictions(session, run)
    theirs, _ = _seed_predictions(session, reference)
    if mine is None or theirs is None:
        stale = run if mine is None else reference
        return unpaired(
            f"run {stale.id} was stored before per-seed predictions were kept; run it again "
            "to compare it"
        )
    caveats = []
    confounds = _confounds(session, reference, run)
    shared = set(run.config.seeds) & set(reference.config.seeds)
    if len(shared) < 2:
        caveats.append(
            f"{len(shared) or 'no'} shared seed{'s' * (len(shared) != 1)}: seed-to-seed "
            "variation is not tested"
        )
    elif len(shared) == 2:
        caveats.append("a paired test over 2 seeds has one degree of freedom: weak evidence")
    difference = uf1_difference(mine, theirs, subjects)
    if difference.subjects < FEW_SUBJECTS:
        caveats.append(f"only {difference.subjects} subjects: the interval is coarse")
    for r, predictions in ((run, mine), (reference, theirs)):
        collapse = one_class(np.bincount(predictions.predictions.ravel(), minlength=len(CLASSES)))
        if collapse is not None:
            caveats.append(f"run {r.id} {collapse.describe(CLASSES)}")
    return Comparison(
        run.id, reference.id, difference, caveats=tuple(caveats), confounds=tuple(confounds)
    )


def _confounds(session: Session, reference: Run, run: Run) -> list[str]:
    """What two runs differ in besides their method and seeds."""
    found = []
    if run.config.protocol != reference.config.protocol:
        found.append(f"protocol ({reference.config.protocol} vs {run.config.protocol})")
    if run.config.epochs != reference.config.epochs:
        found.append(f"epochs ({reference.config.epochs} vs {run.config.epochs})")
    if run.label_version_id != reference.label_version_id:
        ours = labels_of(session, run.label_version_id)
        theirs = labels_of(session, reference.label_version_id)
        differ = sum(ours[s] != theirs.get(s) for s in ours)
        if differ:  # versions holding the same labels score alike
            found.append(
                f"label version ({reference.label_version_id} vs {run.label_version_id}, "
                f"{differ} labels apart)"
            )
    if run.config.timing_version != reference.config.timing_version:
        found.append(f"timing ({reference.config.timing_version} vs {run.config.timing_version})")
    return found


def _seed_predictions(session: Session, run: Run) -> tuple[SeedPredictions | None, list[str]]:
    """The run's per-seed predictions and each sample's subject, in sample id order."""
    data = run_samples(session, run)
    stored = dict(
        session.execute(
            select(RunSampleResult.sample_id, RunSampleResult.seed_predictions).where(
                RunSampleResult.run_id == run.id
            )
        ).all()
    )
    per_sample = [p for i in data.sample_ids if (p := stored.get(int(i))) is not None]
    if len(per_sample) < len(data.sample_ids):
        return None, list(data.subjects)
    predictions = np.array([[CLASSES.index(c) for c in p] for p in per_sample]).T
    return SeedPredictions(run.config.seeds, predictions, data.labels), list(data.subjects)
