"""The action units' evidence on a dataset's current labels: each sample's judgement out
of subject, the AU sets that carry several labels, and the AUs typical of each class."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.action_units import ActionUnitCoding
from meclean.data.labels import CLASSES
from meclean.db.action_units import codings_of
from meclean.db.labels import current_version_id, labels_of
from meclean.db.models import Dataset, Sample
from meclean.ml.au_evidence import AuJudgement, Clash, au_judgements, clashes, typical_action_units

CACHED = 16
"""Datasets' evidence kept in memory (by dataset and label version)."""


@dataclass(frozen=True)
class AuEvidence:
    """What a dataset's AUs say of its labels in one label version."""

    version_id: int
    codings: dict[int, ActionUnitCoding]
    """Sample id -> its coding, for the samples whose sheet coded AUs."""
    labels: dict[int, str]
    judgements: dict[int, AuJudgement]
    """Sample id -> its judgement, where there was enough to judge by."""
    clashes: list[Clash]
    """Their ``samples`` are sample ids."""
    typical: dict[str, dict[str, list[tuple[int, float, float]]]]
    """Source dataset -> class -> (AU, share in the class, share in the others)."""
    sources: dict[int, str]
    """Sample id -> its source dataset."""
    samples_per_source: dict[str, int]
    coded_per_source: dict[str, int]

    @property
    def any(self) -> bool:
        """Whether the AUs judged any label (and so can rank the review queue)."""
        return bool(self.judgements)


_cache: OrderedDict[tuple[str, int, str, int], AuEvidence] = OrderedDict()
_lock = threading.Lock()
_computing: dict[tuple[str, int, str, int], threading.Lock] = {}
"""One lock per evidence being computed: concurrent first requests wait for one fit."""


def au_evidence(session: Session, dataset: Dataset) -> AuEvidence:
    """The evidence on the dataset's current labels; computed once per label version
    (leave-one-subject-out fits, a second or two for a release)."""
    version = current_version_id(dataset)
    # Ids repeat across databases (a test's, a restored backup): the dataset's creation
    # time and the database's address tell them apart.
    bind = session.get_bind()
    where = str(bind.engine.url)
    key = (where, dataset.id, dataset.created_at.isoformat(), version)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        computing = _computing.setdefault(key, threading.Lock())
    with computing:
        with _lock:
            if key in _cache:
                return _cache[key]
        evidence = _compute(session, dataset.id, version)
        with _lock:
            _cache[key] = evidence
            _computing.pop(key, None)
            while len(_cache) > CACHED:
                _cache.popitem(last=False)
    return evidence


def _compute(session: Session, dataset_id: int, version: int) -> AuEvidence:
    rows = session.execute(
        select(Sample.id, Sample.subject, Sample.source)
        .where(Sample.dataset_id == dataset_id)
        .order_by(Sample.id)
    ).all()
    ids = [r.id for r in rows]
    codings = codings_of(session, ids)
    labels = labels_of(session, version)
    presence = [codings[i].presence() if i in codings else None for i in ids]
    current = [labels[i] for i in ids]
    sources = [r.source for r in rows]
    judged = au_judgements(
        presence, current, [f"{r.source}/{r.subject}" for r in rows], sources, CLASSES
    )
    ambiguous = [i in codings and codings[i].ambiguous for i in ids]
    found = [
        Clash(c.source, c.action_units, c.labels, [ids[k] for k in c.samples])
        for c in clashes(presence, current, sources, ambiguous)
    ]
    typical = {
        source: typical_action_units(
            [p for p, s in zip(presence, sources, strict=True) if s == source],
            [c for c, s in zip(current, sources, strict=True) if s == source],
            CLASSES,
        )
        for source in sorted(set(sources))
    }
    per_source: dict[str, int] = {}
    coded: dict[str, int] = {}
    for i, source in zip(ids, sources, strict=True):
        per_source[source] = per_source.get(source, 0) + 1
        coded[source] = coded.get(source, 0) + (i in codings)
    return AuEvidence(
        version_id=version,
        codings=codings,
        labels=labels,
        judgements={i: j for i, j in zip(ids, judged, strict=True) if j is not None},
        clashes=found,
        typical=typical,
        samples_per_source=per_source,
        coded_per_source=coded,
        sources=dict(zip(ids, sources, strict=True)),
    )
