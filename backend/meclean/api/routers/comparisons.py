"""Runs side by side in the paper's Table 2/3 shape, with how real each difference is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from meclean.api.deps import Annotator, CommittingRoute, DbSession, run_or_404
from meclean.api.schemas import RunOut, run_out
from meclean.db.models import DbId
from meclean.db.users import user_names
from meclean.services.comparisons import compare_runs

router = APIRouter(prefix="/api", tags=["runs"], route_class=CommittingRoute)


class DifferenceOut(BaseModel):
    """Composite UF1 of a run minus the reference run's (the first one asked for)."""

    run_id: int
    reference_id: int
    difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    """95% bootstrap interval over subjects."""
    subjects: int | None = None
    paired_seeds: int | None = None
    p_value: float | None = None
    """Paired t-test over the seeds both runs trained with; None with fewer than two."""
    real: bool | None = None
    """The interval excludes zero and the seeds' test (when there is one) agrees."""
    reason: str | None = None
    """Why no difference was computed."""
    caveats: list[str]
    confounds: list[str]
    """What the runs differ in besides method and seeds (protocol, epochs, label version,
    timing): then the difference is not the method's and never called real."""
    verdict: str
    """real, within noise, not comparable: differs in ..., or not computed."""


class ComparisonOut(BaseModel):
    runs: list[RunOut]
    differences: list[DifferenceOut]
    """One for each run after the first, against the first."""


@router.get("/runs/compare")
def compare(
    session: DbSession,
    _: Annotator,
    ids: Annotated[list[DbId], Query(min_length=1, max_length=20)],
) -> ComparisonOut:
    """UF1/UAR per dataset for each run, and each run's composite UF1 against the first's."""
    runs = [run_or_404(session, i) for i in ids]
    names = user_names(session)
    differences = []
    for run in runs[1:]:
        comparison = compare_runs(session, runs[0], run)
        measured = comparison.difference.as_dict() if comparison.difference else {}
        if comparison.confounds:
            measured["real"] = False
        differences.append(
            DifferenceOut(
                run_id=run.id,
                reference_id=runs[0].id,
                reason=comparison.reason,
                caveats=list(comparison.caveats),
                confounds=list(comparison.confounds),
                verdict=comparison.verdict,
                **measured,
            )
        )
    return ComparisonOut(runs=[run_out(r, names) for r in runs], differences=differences)
