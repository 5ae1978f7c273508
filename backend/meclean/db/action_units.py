"""Samples' action units as stored: one row per coded AU, read back as codings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from meclean.data.action_units import ActionUnit, ActionUnitCoding
from meclean.db.models import Sample, SampleActionUnit


def unit_rows(coding: ActionUnitCoding | None) -> list[SampleActionUnit]:
    """The rows that store ``coding``'s AUs."""
    if coding is None:
        return []
    return [
        SampleActionUnit(
            alternative=k,
            number=unit.number,
            side=unit.side,
            intensity=unit.intensity,
            mark=unit.mark,
        )
        for k, alternative in enumerate(coding.alternatives)
        for unit in alternative
    ]


def codings_of(session: Session, sample_ids: Iterable[int]) -> dict[int, ActionUnitCoding]:
    """Sample id -> its coding, for those of ``sample_ids`` whose sheet coded AUs."""
    ids = list(sample_ids)
    texts: dict[int, str] = {
        sample_id: text
        for sample_id, text in session.execute(
            select(Sample.id, Sample.action_units).where(Sample.id.in_(ids))
        )
        if text is not None
    }
    units: dict[int, dict[int, list[ActionUnit]]] = defaultdict(lambda: defaultdict(list))
    rows = session.scalars(
        select(SampleActionUnit)
        .where(SampleActionUnit.sample_id.in_(texts))
        .order_by(SampleActionUnit.id)
    )
    for row in rows:
        unit = ActionUnit(row.number, row.side, row.intensity, row.mark)
        units[row.sample_id][row.alternative].append(unit)
    return {
        sample_id: ActionUnitCoding(
            text, tuple(tuple(alt) for _, alt in sorted(units[sample_id].items()))
        )
        for sample_id, text in texts.items()
        if units[sample_id]
    }
