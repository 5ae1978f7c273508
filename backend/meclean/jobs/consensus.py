"""The experts' verdicts weighed by cleanlab against a finished run: a consensus for IDC's
clean set and a quality score for each expert."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.labels import CLASSES
from meclean.db.marks import verdicts_by_expert
from meclean.db.models import Run, RunSampleResult, Status
from meclean.ml.agreement import WeightedConsensus, weighted_consensus
from meclean.ml.methods import METHODS, make_method


def reference_run(session: Session, dataset_id: int) -> Run | None:
    """The run to judge labels and experts by: of the dataset's finished runs, the one with
    the best composite UF1, preferring runs that did not train on the experts' marks (whose
    judgement of those marks would be circular); ties to the latest."""
    runs = session.scalars(
        select(Run).where(Run.dataset_id == dataset_id, Run.status == Status.SUCCEEDED)
    ).all()

    def merit(run: Run) -> tuple[bool, float, int]:
        name = run.method.get("name", "baseline")
        independent = name in METHODS and not make_method(name).needs_marks
        uf1 = ((run.metrics or {}).get("summary", {}).get("composite") or {}).get("uf1_mean")
        return independent, uf1 if uf1 is not None else -1.0, run.id

    return max(runs, key=merit, default=None)


def finished_run(session: Session, dataset_id: int, run_id: int) -> Run:
    """Run ``run_id`` to weigh the experts against: a finished run of the dataset."""
    run = session.get(Run, run_id)
    if run is None or run.dataset_id != dataset_id:
        raise LookupError(f"no run {run_id} in this dataset")
    if run.status == Status.DELETED:
        raise LookupError(f"run {run_id} was deleted: its results are gone")
    if run.status != Status.SUCCEEDED:
        raise LookupError(
            f"run {run_id} is {run.status}: cleanlab weighs the experts against a finished "
            "run's out-of-fold probabilities"
        )
    return run


def weighing_run(session: Session, dataset_id: int, run_id: int | None) -> Run | None:
    """The run to weigh the experts against: ``run_id``'s (LookupError if it is not a
    finished run of the dataset), or by default the ``reference_run``."""
    return (
        reference_run(session, dataset_id)
        if run_id is None
        else finished_run(session, dataset_id, run_id)
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
    return weighted_consensus(verdicts_by_expert(session, dataset_id), p_noisy)
