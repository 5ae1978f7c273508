"""Which run a request may use: a finished run of the dataset, and the reference run that
judges labels and experts by default."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.db.models import ACTIVE, Run, Status
from meclean.ml.methods import METHODS, make_method
from meclean.services.errors import Conflict, Invalid


def finished_run(session: Session, dataset_id: int, run_id: int, field: str = "run_id") -> Run:
    """Run ``run_id`` if it is a finished run of the dataset, the only kind with results to
    filter, rank or weigh by; else ``Invalid`` naming ``field`` and saying why."""
    run = session.get(Run, run_id)
    if run is None or run.dataset_id != dataset_id:
        raise Invalid(f"no run {run_id} in this dataset", field)
    if run.status == Status.DELETED:
        raise Invalid(f"run {run_id} was deleted: its results are gone", field)
    if run.status != Status.SUCCEEDED:
        raise Invalid(f"run {run_id} is {run.status}: only a finished run has results", field)
    return run


def reference_run(session: Session, dataset_id: int) -> Run | None:
    """The run to judge labels and experts by: of the dataset's finished runs, the one with
    the best composite UF1, preferring runs that did not train on the experts' marks (whose
    judgement of those marks would be circular); ties to the latest."""
    runs = session.scalars(
        select(Run).where(Run.dataset_id == dataset_id, Run.status == Status.SUCCEEDED)
    ).all()

    def merit(run: Run) -> tuple[bool, float, int]:
        name = run.method.name
        independent = name in METHODS and not make_method(name).needs_marks
        uf1 = ((run.metrics or {}).get("summary", {}).get("composite") or {}).get("uf1_mean")
        return independent, uf1 if uf1 is not None else -1.0, run.id

    return max(runs, key=merit, default=None)


def succeeded(run: Run) -> Run:
    """``run`` if it has results, else ``Conflict`` saying where it stands."""
    if run.status in ACTIVE:
        raise Conflict(f"run {run.id} is {run.status}; results come when it succeeds")
    if run.status != Status.SUCCEEDED:
        raise Conflict(f"run {run.id} {run.status}: it has no results")
    return run
