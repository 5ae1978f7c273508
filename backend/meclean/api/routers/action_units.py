"""A dataset's action units against its labels: the AUs typical of each class, the AU sets
that carry several labels, and how many labels the AUs dispute."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from meclean.api.deps import Annotator, CommittingRoute, DbSession, dataset_or_404
from meclean.data.action_units import FACS_NAMES
from meclean.db.models import DbId, Sample
from meclean.ml.au_evidence import DISPUTED_BELOW
from meclean.services.au_evidence import au_evidence

router = APIRouter(prefix="/api", tags=["action units"], route_class=CommittingRoute)
MAX_CLASHES = 200


class TypicalAu(BaseModel):
    au: int
    name: str
    """Its FACS name."""
    in_class: float
    """Share of the class's samples (with AUs) that code it."""
    in_others: float


class ClashOut(BaseModel):
    action_units: list[int]
    labels: dict[str, int]
    """Label -> samples coding exactly these AUs."""
    samples: list[int]
    names: list[str]


class SourceAus(BaseModel):
    source: str
    samples: int
    coded: int
    """Samples whose sheet codes their AUs; 0: the release codes none (SMIC-HS)."""
    judged: int
    """Samples whose label the AUs could judge (enough other subjects with AUs)."""
    disputed: int
    """Labels the AUs dispute."""
    typical: dict[str, list[TypicalAu]]
    """Class -> the AUs most typical of it, against the other classes."""
    clashes: list[ClashOut]


class DatasetAus(BaseModel):
    label_version_id: int
    disputed_below: float
    """A label is disputed when its AUs give it less than this probability (out of subject)
    and make another class likelier."""
    sources: list[SourceAus]


@router.get("/datasets/{dataset_id}/action-units")
def dataset_action_units(dataset_id: DbId, session: DbSession, _: Annotator) -> DatasetAus:
    """What the coded AUs say of the current labels, per source dataset. The clash table
    names samples and their labels only, never experts' marks: open to annotators."""
    dataset = dataset_or_404(session, dataset_id)
    evidence = au_evidence(session, dataset)
    names = dict(
        session.execute(
            select(Sample.id, Sample.subject + "/" + Sample.name).where(
                Sample.dataset_id == dataset.id
            )
        ).all()
    )
    sources = []
    for source, total in evidence.samples_per_source.items():
        judged = [j for i, j in evidence.judgements.items() if evidence.sources[i] == source]
        clashes = [c for c in evidence.clashes if c.source == source][:MAX_CLASHES]
        sources.append(
            SourceAus(
                source=source,
                samples=total,
                coded=evidence.coded_per_source[source],
                judged=len(judged),
                disputed=sum(j.disputed for j in judged),
                typical={
                    cls: [
                        TypicalAu(
                            au=au,
                            name=FACS_NAMES.get(au, "unnamed in FACS"),
                            in_class=round(inside, 3),
                            in_others=round(outside, 3),
                        )
                        for au, inside, outside in ranked
                    ]
                    for cls, ranked in evidence.typical.get(source, {}).items()
                },
                clashes=[
                    ClashOut(
                        action_units=list(c.action_units),
                        labels=c.labels,
                        samples=c.samples,
                        names=[names[s] for s in c.samples],
                    )
                    for c in clashes
                ],
            )
        )
    return DatasetAus(
        label_version_id=evidence.version_id, disputed_below=DISPUTED_BELOW, sources=sources
    )
