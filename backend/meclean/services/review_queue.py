"""The review queue: a dataset's samples in order of how suspicious their labels look, by
the chosen runs' out-of-fold outcomes, the experts' marks and the coded action units."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from meclean.data.feature_store import FeatureStore
from meclean.data.labels import CLASSES
from meclean.data.marks import experts_agree
from meclean.data.motion import TimingCheck
from meclean.db.labels import current_version_id, labels_of
from meclean.db.marks import latest_marks
from meclean.db.models import Dataset, Run, RunSampleResult, Sample, User
from meclean.ml.au_evidence import AuJudgement
from meclean.ml.triage import (
    RUN_SIGNALS,
    SIGNALS,
    flagged_by_run,
    label_quality,
    out_of_fold_loss,
    small_data_caveats,
    suspicion,
)
from meclean.services.au_evidence import au_evidence
from meclean.services.errors import Conflict, Invalid
from meclean.services.marking import hidden_from
from meclean.services.runs import finished_run, reference_run
from meclean.services.timing import timing_doubts

MAX_RUNS = 5
"""Runs one queue may be ranked by."""


@dataclass(frozen=True)
class RunOutcomes:
    """A run's per-sample outcomes, aligned to the dataset's samples in id order; its flags
    and flag rates are dropped for samples relabelled since it trained."""

    loss: np.ndarray
    flag_rate: np.ndarray
    label_quality: np.ndarray
    flagged: np.ndarray


@dataclass(frozen=True)
class ReviewQueue:
    """Every sample of a dataset with its signals, and the queue's order over them."""

    runs: list[Run]
    """None when the queue is ranked by the AUs alone (no run has finished yet)."""
    signals: tuple[str, ...]
    """The signals that ranked it."""
    rows: list[Row]
    """The samples' id, source and subject, in id order; the arrays below align with them."""
    current: dict[int, str]
    """Sample id -> its current label."""
    outcomes: list[RunOutcomes]
    au_judgements: list[AuJudgement | None]
    """What each sample's AUs say of its label, out of subject; None where they cannot."""
    timing_doubts: list[list[TimingCheck]] | None
    """What is doubtful in each sample's annotated timing; None until the features job has
    measured the motion."""
    disagreement: np.ndarray
    """Experts' clean and noisy verdicts disagree (never on samples hidden from me)."""
    reviewed: np.ndarray
    """I have marked it."""
    hidden: set[int]
    """Samples whose other experts' verdicts I may not see (blind marking)."""
    score: np.ndarray
    order: np.ndarray
    """Indexes into ``rows``, most suspicious first; only disagreements if asked for."""

    def mean(self, signal: str) -> np.ndarray | None:
        """A run signal averaged over the chosen runs; None without runs."""
        if not self.outcomes:
            return None
        return np.mean([getattr(o, signal) for o in self.outcomes], axis=0)

    @property
    def flagged(self) -> np.ndarray:
        """A chosen run flagged it while it had the label it has now, or its AUs dispute
        its label."""
        by_aus = np.array([j is not None and j.disputed for j in self.au_judgements], bool)
        by_aus &= "au_evidence" in self.signals
        return np.any([*(o.flagged for o in self.outcomes), by_aus], axis=0)

    def position(self, sample_id: int) -> int | None:
        """The sample's place in the queue; None when it is not queued (it is not a
        disagreement); ``Invalid`` when it is not in the dataset."""
        ids = [r.id for r in self.rows]
        if sample_id not in ids:
            raise Invalid(f"no sample {sample_id} in this dataset", "sample_id")
        places = np.flatnonzero(self.order == ids.index(sample_id))
        return int(places[0]) if len(places) else None

    @cached_property
    def _sizes(self) -> tuple[Counter[str], Counter[tuple[str, str]]]:
        rows = self.rows
        return Counter(self.current[r.id] for r in rows), Counter(
            (r.source, r.subject) for r in rows
        )

    def caveats(self, index: int) -> list[str]:
        """Why a flag on ``rows[index]`` means less than it seems."""
        row, (classes, subjects) = self.rows[index], self._sizes
        label = self.current[row.id]
        return small_data_caveats(
            classes[label],
            subjects[(row.source, row.subject)],
            label,
            f"{row.source}/{row.subject}",
        )


def review_queue(
    session: Session,
    store: FeatureStore,
    dataset: Dataset,
    me: User,
    run_ids: Sequence[int],
    disagreement_only: bool = False,
    signals: Collection[str] = (),
) -> ReviewQueue:
    """The dataset's review queue as ``me`` sees it, ranked by ``signals`` (default every
    one there is) of runs ``run_ids`` (each a finished run of the dataset; by default the
    reference run), the experts' disagreement, the AUs and the timing's doubts. A dataset
    whose sheets coded AUs has a queue before any run has finished."""
    evidence = au_evidence(session, dataset)
    doubts = timing_doubts(session, store, dataset.id)
    ranks_without_runs = evidence.any or doubts is not None
    runs = _chosen_runs(session, dataset, run_ids, ranks_without_runs, bool(evidence.codings))
    use = _signals_in_use(signals, bool(runs), evidence.any, doubts is not None)
    rows = list(
        session.execute(
            select(Sample.id, Sample.source, Sample.subject)
            .where(Sample.dataset_id == dataset.id)
            .order_by(Sample.id)
        ).all()
    )
    ids = [r.id for r in rows]
    current = labels_of(session, current_version_id(dataset))
    labels = np.array([CLASSES.index(current[i]) for i in ids])
    outcomes = [_outcomes(session, run, ids, labels, current) for run in runs]
    hidden = hidden_from(session, me, ((s, dataset.id) for s in ids))
    disagree, mine = _disagreement(session, ids, me, hidden)
    per_run = [
        {"loss": o.loss, "flag_rate": o.flag_rate, "label_quality": o.label_quality}
        for o in outcomes
    ]
    judgements = [evidence.judgements.get(i) for i in ids]
    doubt = np.array([np.nan if j is None else 1 - j.probability for j in judgements])
    timing = None if doubts is None else [doubts.get(i, []) for i in ids]
    counted = None if timing is None else np.array([len(d) for d in timing])
    score = suspicion(per_run, disagree, doubt, use, counted)
    order = np.lexsort((np.array(ids), -score))
    if disagreement_only:
        order = order[disagree[order]]
    return ReviewQueue(
        runs=runs,
        signals=use,
        rows=rows,
        current=current,
        outcomes=outcomes,
        au_judgements=judgements,
        timing_doubts=timing,
        disagreement=disagree,
        reviewed=np.array([i in mine for i in ids]),
        hidden=hidden,
        score=score,
        order=order,
    )


def _chosen_runs(
    session: Session, dataset: Dataset, run_ids: Sequence[int], ranked: bool, coded: bool
) -> list[Run]:
    """The runs asked for, or the reference run; none where the AUs or the timing rank the
    queue without one."""
    if not run_ids:
        best = reference_run(session, dataset.id)
        if best is None and not ranked:
            aus = (
                "its action units are too few to judge labels by (fewer than 10 coded "
                "samples of other subjects)"
                if coded
                else "its sheets code no action units"
            )
            raise Conflict(
                f"no run has finished on this dataset yet, its motion is not measured yet "
                f"and {aus}: launch a run first"
            )
        return [best] if best else []
    return [finished_run(session, dataset.id, run_id) for run_id in dict.fromkeys(run_ids)]


def _outcomes(
    session: Session, run: Run, sample_ids: list[int], labels: np.ndarray, current: dict[int, str]
) -> RunOutcomes:
    """The run's outcomes; its flags and flag rates judged the labels of its own version,
    so they are dropped for samples relabelled since (their loss is recomputed instead)."""
    rows = {
        r.sample_id: r
        for r in session.execute(
            select(
                RunSampleResult.sample_id,
                RunSampleResult.probabilities,
                RunSampleResult.flag_rate,
                RunSampleResult.high_loss,
                RunSampleResult.label_issue,
            ).where(RunSampleResult.run_id == run.id)
        )
    }
    missing = [s for s in sample_ids if s not in rows]
    if missing:
        raise Conflict(f"run {run.id} has no result for samples {missing[:10]}", "run_id")
    ordered = [rows[s] for s in sample_ids]
    trained_on = labels_of(session, run.label_version_id)
    same = np.array([trained_on.get(s) == current[s] for s in sample_ids])
    flag_rate = np.array([r.flag_rate for r in ordered]) * same
    probabilities = np.array([r.probabilities for r in ordered])
    return RunOutcomes(
        loss=out_of_fold_loss(labels, probabilities),
        flag_rate=flag_rate,
        label_quality=label_quality(labels, probabilities),
        flagged=flagged_by_run(
            np.array([r.high_loss for r in ordered]),
            np.array([r.label_issue for r in ordered]),
            flag_rate,
        )
        & same,
    )


def _disagreement(
    session: Session, sample_ids: list[int], me: User, hidden: set[int]
) -> tuple[np.ndarray, set[int]]:
    """Whether experts disagree on each sample, and the samples I have marked. On samples
    whose others' verdicts are ``hidden`` from me, disagreement stays unseen too."""
    verdicts: dict[int, list[str]] = {}
    mine = set()
    for mark in latest_marks(session, sample_ids):
        if mark.user_id == me.id:
            mine.add(mark.sample_id)
        verdicts.setdefault(mark.sample_id, []).append(mark.verdict)
    disagree = np.array(
        [experts_agree(verdicts.get(s, ())) is False and s not in hidden for s in sample_ids]
    )
    return disagree, mine


def _signals_in_use(
    asked: Collection[str], has_runs: bool, has_aus: bool, has_timing: bool
) -> tuple[str, ...]:
    """The signals asked for (default all), each refused if there is nothing to rank by."""
    available = {"disagreement"} | ({*RUN_SIGNALS} if has_runs else set())
    if has_aus:
        available.add("au_evidence")
    if has_timing:
        available.add("timing")
    for signal in asked:
        if signal not in available:
            why = {
                "au_evidence": "no action units were coded",
                "timing": "the features job has not measured the motion yet",
            }.get(signal, "no run ranks it")
            raise Invalid(f"signal {signal!r} cannot rank this queue: {why}", "signal")
    return tuple(s for s in SIGNALS if s in (asked or available))
