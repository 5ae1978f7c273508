"""A run's flags set against the experts' verdicts, against another run, and by group."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from meclean.api.deps import Annotator, CommittingRoute, DbSession, run_or_404
from meclean.api.errors import ApiError
from meclean.data.marks import Verdict
from meclean.db.labels import labels_of
from meclean.db.marks import Consensus, grades
from meclean.db.models import DbId, Run, RunSampleResult, Sample
from meclean.ml.triage import FEW_IN_CLASS, FEW_IN_SUBJECT, flagged_by_run
from meclean.services.marking import hidden_from
from meclean.services.runs import succeeded

router = APIRouter(prefix="/api", tags=["runs"], route_class=CommittingRoute)
MAX_LISTED = 500


class Agreement(BaseModel):
    """The run's flags scored against the experts' noisy verdicts, on the samples they judged."""

    judged: int
    """Samples with an expert verdict (clean or noisy by the consensus rule)."""
    noisy: int
    flagged: int
    """Judged samples the run flagged."""
    both: int
    precision: float | None
    """Of the judged samples the run flagged, the share experts call noisy."""
    recall: float | None
    """Of the samples experts call noisy, the share the run flagged."""
    few: bool
    """Fewer than 20 judged samples: the numbers are anecdotes."""


class Disagreement(BaseModel):
    sample_id: int
    name: str
    label: str
    flagged: bool
    experts: Literal[Verdict.CLEAN, Verdict.NOISY]
    flag_rate: float


class GroupFlags(BaseModel):
    samples: int
    flagged: int
    mean_flag_rate: float
    few: bool
    """Too few samples for a share to mean much."""


class FlagsReport(BaseModel):
    consensus: Consensus
    overall: Agreement
    by_class: dict[str, Agreement]
    by_source: dict[str, Agreement]
    disagreements: list[Disagreement]
    """Judged samples where the run and the experts differ, flagged ones first."""
    disagreements_total: int
    flag_rate_by_class: dict[str, GroupFlags]
    flag_rate_by_subject: dict[str, GroupFlags]


def _results(session: Session, run: Run) -> Sequence[Row]:
    return session.execute(
        select(
            RunSampleResult.sample_id,
            RunSampleResult.prediction,
            RunSampleResult.high_loss,
            RunSampleResult.label_issue,
            RunSampleResult.flag_rate,
            RunSampleResult.proposed_label,
            Sample.source,
            Sample.subject,
            Sample.name,
        )
        .join(Sample, Sample.id == RunSampleResult.sample_id)
        .where(RunSampleResult.run_id == run.id)
        .order_by(Sample.id)
    ).all()


def _flags(rows: Sequence[Row]) -> np.ndarray:
    return flagged_by_run(
        np.array([r.high_loss for r in rows], bool),
        np.array([r.label_issue for r in rows], bool),
        np.array([r.flag_rate for r in rows], float),
    )


def _agreement(flagged: np.ndarray, noisy: np.ndarray) -> Agreement:
    both = int((flagged & noisy).sum())
    return Agreement(
        judged=len(flagged),
        noisy=int(noisy.sum()),
        flagged=int(flagged.sum()),
        both=both,
        precision=round(both / flagged.sum(), 4) if flagged.any() else None,
        recall=round(both / noisy.sum(), 4) if noisy.any() else None,
        few=len(flagged) < FEW_IN_CLASS,
    )


def _positions(keys: list[str]) -> list[tuple[str, list[int]]]:
    """Each distinct key, sorted, with the positions that hold it."""
    groups: dict[str, list[int]] = defaultdict(list)
    for k, key in enumerate(keys):
        groups[key].append(k)
    return sorted(groups.items())


def _by(keys: list[str], flagged: np.ndarray, noisy: np.ndarray) -> dict[str, Agreement]:
    return {key: _agreement(flagged[ix], noisy[ix]) for key, ix in _positions(keys)}


def _group_flags(
    keys: list[str], flagged: np.ndarray, rates: np.ndarray, few_below: int
) -> dict[str, GroupFlags]:
    return {
        key: GroupFlags(
            samples=len(ix),
            flagged=int(flagged[ix].sum()),
            mean_flag_rate=round(float(rates[ix].mean()), 4),
            few=len(ix) < few_below,
        )
        for key, ix in _positions(keys)
    }


@router.get("/runs/{run_id}/flags")
def run_flags(
    run_id: DbId,
    session: DbSession,
    me: Annotator,
    consensus: Annotated[
        Consensus, Query(description="how the experts' marks are combined")
    ] = "majority",
) -> FlagsReport:
    """The run's flags against the experts' noisy verdicts (precision, recall, per class and
    dataset, where they differ) and its flag rates by class and subject. Marking blind, an
    annotator is scored only on the samples they marked themselves."""
    run = succeeded(run_or_404(session, run_id))
    rows = _results(session, run)
    labels = labels_of(session, run.label_version_id)
    graded = grades(session, run.dataset_id, None, consensus, labels)
    hidden = hidden_from(session, me, ((s, run.dataset_id) for s in graded))
    graded = {s: g for s, g in graded.items() if s not in hidden}
    flagged = _flags(rows)
    rates = np.array([r.flag_rate for r in rows], float)
    class_of = [labels[r.sample_id] for r in rows]
    judged = [k for k, r in enumerate(rows) if r.sample_id in graded]
    noisy = np.array([graded[rows[k].sample_id] == 0 for k in judged], bool)
    on_judged = flagged[judged]
    differ = [
        (k, bool(n)) for k, n in zip(judged, noisy, strict=True) if bool(flagged[k]) != bool(n)
    ]
    differ.sort(key=lambda d: (not flagged[d[0]], -rates[d[0]]))
    return FlagsReport(
        consensus=consensus,
        overall=_agreement(on_judged, noisy),
        by_class=_by([class_of[k] for k in judged], on_judged, noisy),
        by_source=_by([rows[k].source for k in judged], on_judged, noisy),
        disagreements=[
            Disagreement(
                sample_id=rows[k].sample_id,
                name=f"{rows[k].source}/{rows[k].subject}/{rows[k].name}",
                label=class_of[k],
                flagged=bool(flagged[k]),
                experts=Verdict.NOISY if is_noisy else Verdict.CLEAN,
                flag_rate=round(float(rates[k]), 3),
            )
            for k, is_noisy in differ[:MAX_LISTED]
        ],
        disagreements_total=len(differ),
        flag_rate_by_class=_group_flags(class_of, flagged, rates, FEW_IN_CLASS),
        flag_rate_by_subject=_group_flags(
            [f"{r.source}/{r.subject}" for r in rows], flagged, rates, FEW_IN_SUBJECT
        ),
    )


class SampleChange(BaseModel):
    sample_id: int
    name: str
    prediction: tuple[str, str]
    flagged: tuple[bool, bool]
    proposed_label: tuple[str | None, str | None]


class RunsChanged(BaseModel):
    """What changed per sample from run ``a`` to run ``b`` of the same dataset."""

    a: int
    b: int
    samples: int
    prediction_changed: int
    flag_changed: int
    proposal_changed: int
    changes: list[SampleChange]
    """Samples where anything changed (at most 500), flag changes first."""
    uf1_change: dict[str, float | None]
    """UF1 (mean over seeds) of ``b`` minus ``a``, per dataset and composite; see
    /runs/compare for whether a difference is real."""
    caveats: list[str]


@router.get("/runs/compare/samples")
def compare_samples(
    session: DbSession,
    _: Annotator,
    a: Annotated[DbId, Query(description="the earlier or reference run")],
    b: Annotated[DbId, Query(description="the run compared with it")],
) -> RunsChanged:
    """Which samples changed prediction, flag or proposed label between two runs."""
    first, second = (succeeded(run_or_404(session, i)) for i in (a, b))
    if first.dataset_id != second.dataset_id:
        raise ApiError(422, f"runs {a} and {b} are on different datasets", "b")
    rows_a, rows_b = _results(session, first), _results(session, second)
    by_b = {r.sample_id: r for r in rows_b}
    shared = [r for r in rows_a if r.sample_id in by_b]
    flags_a = dict(zip([r.sample_id for r in rows_a], _flags(rows_a), strict=True))
    flags_b = dict(zip([r.sample_id for r in rows_b], _flags(rows_b), strict=True))
    changes = []
    for r in shared:
        other = by_b[r.sample_id]
        change = SampleChange(
            sample_id=r.sample_id,
            name=f"{r.source}/{r.subject}/{r.name}",
            prediction=(r.prediction, other.prediction),
            flagged=(bool(flags_a[r.sample_id]), bool(flags_b[r.sample_id])),
            proposed_label=(r.proposed_label, other.proposed_label),
        )
        if (
            change.prediction[0] != change.prediction[1]
            or change.flagged[0] != change.flagged[1]
            or change.proposed_label[0] != change.proposed_label[1]
        ):
            changes.append(change)
    changes.sort(key=lambda c: (c.flagged[0] == c.flagged[1], c.sample_id))
    summaries = [
        (first.metrics or {}).get("summary", {}),
        (second.metrics or {}).get("summary", {}),
    ]
    groups = sorted(set(summaries[0]) | set(summaries[1]))
    caveats = []
    if first.label_version_id != second.label_version_id:
        caveats.append(
            f"trained on different label versions ({first.label_version_id} and "
            f"{second.label_version_id}): a changed prediction may follow a changed label"
        )
    return RunsChanged(
        a=a,
        b=b,
        samples=len(shared),
        prediction_changed=sum(c.prediction[0] != c.prediction[1] for c in changes),
        flag_changed=sum(c.flagged[0] != c.flagged[1] for c in changes),
        proposal_changed=sum(c.proposed_label[0] != c.proposed_label[1] for c in changes),
        changes=changes[:MAX_LISTED],
        uf1_change={
            g: (
                round(summaries[1][g]["uf1_mean"] - summaries[0][g]["uf1_mean"], 4)
                if g in summaries[0] and g in summaries[1]
                else None
            )
            for g in groups
        },
        caveats=caveats,
    )
