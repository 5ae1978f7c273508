"""The experts' verdicts weighed by cleanlab against a finished run: a consensus for IDC's
clean set and a quality score for each expert."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.labels import CLASSES
from meclean.db.marks import verdicts_by_expert
from meclean.db.models import Run, RunSampleResult
from meclean.ml.agreement import WeightedConsensus, weighted_consensus
from meclean.services.runs import finished_run, reference_run


def weighing_run(
    session: Session, dataset_id: int, run_id: int | None, field: str = "run_id"
) -> Run | None:
    """The run to weigh the experts against: ``run_id``'s (``Invalid`` naming ``field`` if
    it is not a finished run of the dataset), or by default the ``reference_run``."""
    return (
        reference_run(session, dataset_id)
        if run_id is None
        else finished_run(session, dataset_id, run_id, field)
    )


def experts_weighed(
    session: Session, dataset_id: int, run: Run, labels: dict[int, str]
) -> WeightedConsensus:
    """cleanlab's consensus of the experts on ``labels``: the model's belief that a label is
    wrong is 1 - the run's out-of-fold probability of it."""
    p_noisy = {
        sample_id: 1 - probabilities[CLASSES.index(labels[sample_id])]
        for sample_id, probabilities in session.execute(
            select(RunSampleResult.sample_id, RunSampleResult.probabilities).where(
                RunSampleResult.run_id == run.id
            )
        )
        if sample_id in labels
    }
    return weighted_consensus(verdicts_by_expert(session, dataset_id, labels), p_noisy)
