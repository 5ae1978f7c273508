"""Agreement between the experts who marked a dataset: Cohen's kappa for each pair, Fleiss'
kappa overall, on each expert's latest verdicts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from meclean.api.deps import CommittingRoute, Curator, DbSession, dataset_or_404
from meclean.data.marks import Verdict
from meclean.db.models import DbId
from meclean.ml.agreement import CATEGORIES
from meclean.services.agreement import experts_agreement

router = APIRouter(prefix="/api/datasets", tags=["agreement"], route_class=CommittingRoute)


class Expert(BaseModel):
    name: str
    marked: int
    """Samples of the dataset with this expert's verdict (clean, noisy or unsure)."""


class PairOut(BaseModel):
    first: str
    second: str
    shared: int
    """Samples both marked."""
    percent: float | None
    """Shared samples given the same verdict, in percent; null with none shared."""
    kappa: float | None
    """Cohen's kappa; null when undefined, with the reason."""
    kappa_reason: str | None
    confusion: list[list[int]]
    """Shared samples by (first's verdict, second's), in ``categories`` order."""


class FleissOut(BaseModel):
    kappa: float | None
    """Null when undefined, with the reason."""
    samples: int
    """Samples marked by at least two experts: what it is computed on."""
    reason: str | None


class ExpertQuality(BaseModel):
    name: str
    quality: float
    """cleanlab's annotator quality in [0, 1]: agreement with the others and the model."""
    agreement_with_consensus: float


class WeighedOut(BaseModel):
    """The experts weighed by cleanlab's multi-annotator method against a finished run."""

    run_id: int
    """The run whose out-of-fold probabilities stand for the model."""
    samples: int
    """Samples with a clean or noisy verdict that the consensus covers."""
    noisy: int
    """Of those, the consensus calls this many noisy."""
    experts: list[ExpertQuality]


class AgreementOut(BaseModel):
    dataset_id: int
    categories: list[str]
    experts: list[Expert]
    """Everyone with a verdict on the dataset, by name."""
    pairs: list[PairOut]
    """Every two of ``experts``, in their order."""
    fleiss: FleissOut
    weighed: WeighedOut | None
    weighed_reason: str | None
    """Why ``weighed`` is None: no finished run yet, or too few experts' verdicts."""


@router.get("/{dataset_id}/agreement")
def get_agreement(
    dataset_id: DbId,
    session: DbSession,
    _: Curator,
    run_id: Annotated[
        DbId | None,
        Query(
            description="the finished run cleanlab weighs the experts against; default "
            "the best by composite UF1 that did not train on marks"
        ),
    ] = None,
) -> AgreementOut:
    """How far the experts agree on each one's latest verdicts. Curators only: it would
    tell an annotator what the others think of a sample while the dataset marks blind."""
    dataset = dataset_or_404(session, dataset_id)
    found = experts_agreement(session, dataset, run_id)
    weighed = None
    reason: str | None = "no run of this dataset has finished yet"
    if found.run is not None and found.weighed is not None:
        consensus, names = found.weighed, found.names
        reason = consensus.reason
        if consensus.verdicts:
            weighed = WeighedOut(
                run_id=found.run.id,
                samples=len(consensus.verdicts),
                noisy=sum(v == Verdict.NOISY for v in consensus.verdicts.values()),
                experts=[
                    ExpertQuality(
                        name=names[e],
                        quality=round(q, 4),
                        agreement_with_consensus=round(consensus.agreement_with_consensus[e], 4),
                    )
                    for e, q in sorted(
                        consensus.annotator_quality.items(), key=lambda item: names[item[0]]
                    )
                ],
            )
    fleiss = found.fleiss
    return AgreementOut(
        dataset_id=dataset.id,
        categories=list(CATEGORIES),
        experts=[Expert(name=name, marked=marked) for name, marked in found.marked.items()],
        pairs=[
            PairOut(
                first=first,
                second=second,
                shared=pair.shared,
                percent=pair.percent,
                kappa=pair.kappa,
                kappa_reason=pair.kappa_reason,
                confusion=pair.confusion,
            )
            for first, second, pair in found.pairs
        ],
        fleiss=FleissOut(kappa=fleiss.kappa, samples=fleiss.samples, reason=fleiss.reason),
        weighed=weighed,
        weighed_reason=None if weighed else reason,
    )
