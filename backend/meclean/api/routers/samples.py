"""Samples: filtered, cursor-paginated lists; one sample with its marks and label history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from meclean.api.deps import Annotator, CommittingRoute, DbSession, dataset_or_404, sample_or_404
from meclean.api.errors import ApiError
from meclean.api.schemas import (
    MAX_PAGE,
    SAMPLE_COLUMNS,
    SampleOut,
    SampleVerdict,
    describe_samples,
)
from meclean.data.action_units import MAX_AU
from meclean.data.faces import FaceCrop
from meclean.data.labels import Label
from meclean.data.marks import Judgement
from meclean.db.action_units import codings_of
from meclean.db.models import (
    MAX_ID,
    Dataset,
    DbId,
    LabelChange,
    LabelVersion,
    Run,
    RunSampleResult,
    Sample,
    SampleActionUnit,
    SampleLabel,
    Status,
    User,
)
from meclean.ml.au_evidence import AuJudgement
from meclean.services.au_evidence import au_evidence
from meclean.services.marking import hidden_from
from meclean.services.runs import finished_run

router = APIRouter(prefix="/api", tags=["samples"], route_class=CommittingRoute)


class SamplePage(BaseModel):
    items: list[SampleOut]
    next_cursor: int | None
    total: int | None = None
    """Samples matching the filters, on the first page (``cursor`` not given)."""


class LabelHistoryEntry(BaseModel):
    version_id: int
    label: str
    reason: str
    created_at: datetime


class RunVerdict(SampleVerdict):
    run_id: int
    method: str
    finished_at: datetime | None


class SampleDetail(SampleOut):
    original_label: str
    apex_source: str
    face: str | None
    """How the frames were cropped to the face at import; None when they are used whole."""
    label_history: list[LabelHistoryEntry]
    """The versions that set its label: the imported one, then each change."""
    runs: list[RunVerdict]
    marks_withheld: bool
    """Whether the other experts' marks are left out until I mark it (the dataset marks
    blind)."""
    action_units_text: str | None
    """The AU cell of its sheet, as written."""
    action_unit_codings: list[list[str]]
    """Each coding its sheet offers (one, or several joined by "or"), its AUs in words:
    'AU12 lip corner puller, right, intensity A'."""
    au_reason: str | None
    """Why its AUs judge its label as they do, from the other subjects' counts."""


class SampleFilter(BaseModel):
    """Which samples a list shows, and in which order (query parameters)."""

    source: str | None = Field(None, max_length=50)
    subject: str | None = Field(None, max_length=100)
    label: Label | None = None
    verdict: Judgement | Literal["unmarked"] | None = Field(
        None, description="My latest verdict; 'unmarked': samples I have not marked."
    )
    disagreement: bool = Field(False, description="Only samples the experts disagree on")
    au: int | None = Field(None, ge=1, le=MAX_AU, description="Only samples coding this AU")
    au_support: Literal["supported", "contested", "disputed", "unjudged"] | None = Field(
        None,
        description="Only samples whose AUs support their label (it is the likeliest), "
        "contest it (another class is likelier), dispute it (another likelier and it below "
        "0.2), or cannot judge it (no AUs, too few other subjects with AUs)",
    )
    run_id: DbId | None = Field(None, description="A finished run, for `flagged` and `sort`")
    flagged: bool = Field(False, description="Only samples the run found high-loss")
    sort: Literal["name", "loss", "flag_rate"] = Field(
        "name", description="'loss' and 'flag_rate' (highest first) need `run_id`"
    )

    @property
    def on_marks(self) -> bool:
        """Whether matching needs each sample's marks, which SQL does not filter on."""
        return self.verdict is not None or self.disagreement

    def matches_marks(self, sample: SampleOut) -> bool:
        if self.disagreement and sample.agreement is not False:
            return False
        if self.verdict == "unmarked":
            return sample.my_mark is None
        return self.verdict is None or (
            sample.my_mark is not None and sample.my_mark.verdict == self.verdict
        )


@router.get("/datasets/{dataset_id}/samples")
def list_samples(
    dataset_id: DbId,
    session: DbSession,
    me: Annotator,
    chosen: Annotated[SampleFilter, Query()],
    cursor: int | None = Query(
        None, ge=0, le=MAX_ID, description="next_cursor of the previous page"
    ),
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> SamplePage:
    """A page of a dataset's samples with the current labels and marks, filtered and sorted."""
    query = _filtered(session, dataset_or_404(session, dataset_id), chosen)
    found = _scan(session, query, chosen, me, cursor, limit)
    items = [sample for sample, _ in found[:limit]]
    total = None
    if cursor is None:  # the first page says how many match
        total = _count(session, query, chosen, me) if len(found) > limit else len(found)
    if len(found) <= limit:
        return SamplePage(items=items, next_cursor=None, total=total)
    next_cursor = items[-1].id if chosen.sort == "name" else found[limit][1]
    return SamplePage(items=items, next_cursor=next_cursor, total=total)


def _filtered(session: Session, dataset: Dataset, chosen: SampleFilter) -> Select:
    """The dataset's samples with their current labels, filtered in SQL and ordered."""
    if (chosen.flagged or chosen.sort != "name") and chosen.run_id is None:
        raise ApiError(422, "flagged and sorting by loss or flag rate need a run_id", "run_id")
    query = (
        select(*SAMPLE_COLUMNS, SampleLabel.label)
        .join(
            SampleLabel,
            (SampleLabel.sample_id == Sample.id)
            & (SampleLabel.version_id == dataset.current_label_version_id),
        )
        .where(Sample.dataset_id == dataset.id)
    )
    if chosen.run_id is not None:
        run = finished_run(session, dataset.id, chosen.run_id)
        query = query.join(
            RunSampleResult,
            (RunSampleResult.sample_id == Sample.id) & (RunSampleResult.run_id == run.id),
        ).add_columns(RunSampleResult.final_loss, RunSampleResult.flag_rate)
        if chosen.flagged:
            query = query.where(RunSampleResult.high_loss)
    by_run = {"loss": RunSampleResult.final_loss, "flag_rate": RunSampleResult.flag_rate}
    if chosen.sort in by_run:
        query = query.order_by(by_run[chosen.sort].desc(), Sample.id)
    else:
        query = query.order_by(Sample.id)
    for column, wanted in (
        (Sample.source, chosen.source),
        (Sample.subject, chosen.subject),
        (SampleLabel.label, chosen.label),
    ):
        if wanted:
            query = query.where(column == wanted)
    if chosen.au is not None:
        coding = select(SampleActionUnit.sample_id).where(SampleActionUnit.number == chosen.au)
        query = query.where(Sample.id.in_(coding))
    if chosen.au_support is not None:
        judged = au_evidence(session, dataset).judgements
        if chosen.au_support == "unjudged":
            query = query.where(Sample.id.not_in(list(judged)))
        else:
            matching = [i for i, j in judged.items() if j.verdict == chosen.au_support]
            query = query.where(Sample.id.in_(matching))
    return query


def _scan(
    session: Session,
    query: Select,
    chosen: SampleFilter,
    me: User,
    cursor: int | None,
    limit: int,
) -> list[tuple[SampleOut, int]]:
    """Up to ``limit + 1`` matching samples from ``cursor`` on, each with its position.

    Candidates are read a chunk at a time, as many as it takes to fill a page when filtering
    on marks. By name the cursor is the last sample id (keyset); by a run's numbers, a
    position.
    """
    chunk = 200 if chosen.on_marks else limit + 1
    found: list[tuple[SampleOut, int]] = []
    last, position = (cursor, 0) if chosen.sort == "name" else (None, cursor or 0)
    while len(found) <= limit:
        page = query.where(Sample.id > last) if last is not None else query.offset(position)
        rows = session.execute(page.limit(chunk)).all()
        if not rows:
            break
        described = describe_samples(session, rows, {row.id: row.label for row in rows}, me)
        for k, (sample, row) in enumerate(zip(described, rows, strict=True)):
            if chosen.run_id is not None:
                sample.run_loss, sample.run_flag_rate = row.final_loss, row.flag_rate
            if chosen.matches_marks(sample):
                found.append((sample, position + k))
                if len(found) > limit:
                    break
        position += len(rows)
        if chosen.sort == "name":
            last, position = rows[-1].id, 0
    return found


def _count(session: Session, query: Select, chosen: SampleFilter, me: User) -> int:
    """Samples the filters match; those on marks need each sample's marks looked at."""
    if not chosen.on_marks:
        return session.execute(
            select(func.count()).select_from(query.order_by(None).subquery())
        ).scalar_one()
    rows = session.execute(query).all()
    described = describe_samples(session, rows, {row.id: row.label for row in rows}, me)
    return sum(chosen.matches_marks(sample) for sample in described)


@router.get("/samples/{sample_id}")
def get_sample(sample_id: DbId, session: DbSession, me: Annotator) -> SampleDetail:
    """One sample: its frames, label history, every expert's marks and each run's verdict."""
    sample = sample_or_404(session, sample_id)
    dataset = session.get_one(Dataset, sample.dataset_id)
    history = session.execute(
        select(LabelVersion, SampleLabel.label)
        .join(SampleLabel, SampleLabel.version_id == LabelVersion.id)
        .where(SampleLabel.sample_id == sample_id)
        .order_by(LabelVersion.id)
    )
    versions = history.all()
    label_in: dict[int | None, str] = {v.id: lab for v, lab in versions}
    # A version of a sitting holds many decisions: this sample's own reason, where recorded.
    own_reason = dict(
        session.execute(
            select(LabelChange.version_id, LabelChange.reason)
            .where(LabelChange.sample_id == sample_id)
            .order_by(LabelChange.id)
        ).all()
    )
    # Only the versions that gave this sample a label: the import, and each change.
    entries = [
        LabelHistoryEntry(
            version_id=v.id,
            label=lab,
            reason=own_reason.get(v.id, v.reason),
            created_at=v.created_at,
        )
        for v, lab in versions
        if v.parent_id is None or label_in.get(v.parent_id) != lab
    ]
    current = label_in.get(dataset.current_label_version_id, sample.original_label)
    (summary,) = describe_samples(session, [sample], {sample.id: current}, me)
    verdicts = session.execute(
        select(RunSampleResult, Run)
        .join(Run, Run.id == RunSampleResult.run_id)
        .where(RunSampleResult.sample_id == sample_id, Run.status == Status.SUCCEEDED)
        .order_by(Run.id.desc())
    )
    return SampleDetail(
        **summary.model_dump(),
        original_label=sample.original_label,
        apex_source=sample.apex_source,
        face=face.describe() if (face := FaceCrop.from_dict(sample.face_crop)) else None,
        label_history=entries,
        marks_withheld=sample.id in hidden_from(session, me, [(sample.id, dataset.id)]),
        action_units_text=sample.action_units,
        action_unit_codings=[
            [unit.describe() for unit in alternative] for alternative in coding.alternatives
        ]
        if (coding := codings_of(session, [sample.id]).get(sample.id))
        else [],
        au_reason=judgement.reason
        if (judgement := _judgement(session, dataset, sample.id, current))
        else None,
        runs=[
            RunVerdict(
                run_id=run.id,
                method=run.method.name,
                finished_at=run.finished_at,
                **SampleVerdict.fields_of(r),
            )
            for r, run in verdicts
        ],
    )


def _judgement(
    session: Session, dataset: Dataset, sample_id: int, label: str
) -> AuJudgement | None:
    """What its AUs say of its current label."""
    judgement = au_evidence(session, dataset).judgements.get(sample_id)
    return judgement if judgement is not None and judgement.label == label else None
