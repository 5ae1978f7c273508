"""How far the experts who marked a dataset agree: Cohen's kappa for each pair, Fleiss'
kappa overall, and cleanlab's weighing of each against a finished run."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from sqlalchemy.orm import Session

from meclean.db.labels import current_version_id, labels_of
from meclean.db.marks import verdicts_by_expert
from meclean.db.models import Dataset, Run
from meclean.db.users import user_names
from meclean.ml.agreement import (
    FleissKappa,
    PairAgreement,
    WeightedConsensus,
    category_counts,
    fleiss_kappa,
    pair_agreement,
)
from meclean.services.consensus import experts_weighed, weighing_run


@dataclass(frozen=True)
class ExpertsAgreement:
    """Agreement on each expert's latest verdicts, experts named and in name order."""

    marked: dict[str, int]
    """Expert -> samples of the dataset with their verdict (clean, noisy or unsure)."""
    pairs: list[tuple[str, str, PairAgreement]]
    """Every two experts, in name order."""
    fleiss: FleissKappa
    run: Run | None
    """The run cleanlab weighed the experts against; None when none has finished."""
    weighed: WeightedConsensus | None
    """cleanlab's consensus and qualities, experts by name; None without a run."""
    names: dict[int | None, str]
    """Every account by id."""


def experts_agreement(session: Session, dataset: Dataset, run_id: int | None) -> ExpertsAgreement:
    """The experts' agreement on ``dataset``, weighed against run ``run_id`` (``Invalid``
    if it is not a finished run of the dataset) or by default the reference run."""
    run = weighing_run(session, dataset.id, run_id)
    names = user_names(session)
    current = labels_of(session, current_version_id(dataset))
    by_expert = sorted(
        (
            (names[user], verdicts)
            # Agreement on the labels as they are: a verdict on a replaced label is left out.
            for user, verdicts in verdicts_by_expert(session, dataset.id, current).items()
        ),
        key=lambda named: named[0],
    )
    pairs = []
    for (first, a), (second, b) in combinations(by_expert, 2):
        shared = sorted(a.keys() & b.keys())
        pairs.append(
            (first, second, pair_agreement([a[s] for s in shared], [b[s] for s in shared]))
        )
    per_sample: dict[int, list[str]] = {}
    for _name, verdicts in by_expert:
        for sample, verdict in verdicts.items():
            per_sample.setdefault(sample, []).append(verdict)
    weighed = None
    if run is not None:
        labels = labels_of(session, current_version_id(dataset))
        weighed = experts_weighed(session, dataset.id, run, labels)
    return ExpertsAgreement(
        marked={name: len(verdicts) for name, verdicts in by_expert},
        pairs=pairs,
        fleiss=fleiss_kappa(category_counts(list(per_sample.values()))),
        run=run,
        weighed=weighed,
        names=names,
    )
