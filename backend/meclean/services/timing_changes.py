"""Experts' corrections of a sample's onset, apex and offset: each a version with its
author, time, reason and parent; undo; what changed in a dataset; the sheet's columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from meclean.data.feature_store import FeatureStore
from meclean.data.readers.discovery import frame_number_of, index_frames
from meclean.db.models import Sample, TimingVersion, User
from meclean.db.session import take_write_lock
from meclean.db.spreadsheets import csv_text
from meclean.services.errors import Conflict, Invalid, NotFound
from meclean.services.timing import sample_timing

MAX_REASON = 2000


@dataclass(frozen=True)
class Timing:
    onset: int
    apex: int
    offset: int | None


def current_version_id(session: Session, sample_id: int) -> int:
    """The id of the sample's current timing version; 0 for the imported timing."""
    latest = session.scalar(
        select(func.max(TimingVersion.id)).where(TimingVersion.sample_id == sample_id)
    )
    return latest or 0


def latest_timing_change(session: Session, dataset_id: int) -> int:
    """The id of the dataset's latest change of timing; 0 while every timing is imported."""
    latest = session.scalar(
        select(func.max(TimingVersion.id))
        .join(Sample, Sample.id == TimingVersion.sample_id)
        .where(Sample.dataset_id == dataset_id)
    )
    return latest or 0


def timing_of(sample: Sample) -> Timing:
    """The sample's current frame numbers, read from its frame paths."""
    numbers = [
        frame_number_of(Path(p)) if p else None for p in (sample.onset_path, sample.apex_path)
    ]
    onset, apex = numbers
    if onset is None or apex is None:
        raise Invalid(f"the frames of sample {sample.name} carry no frame numbers")
    offset = frame_number_of(Path(sample.offset_path)) if sample.offset_path else None
    return Timing(onset, apex, offset)


def change_timing(
    session: Session,
    sample: Sample,
    me: User,
    wanted: Timing,
    reason: str,
    based_on: int,
) -> TimingVersion:
    """A new version of the sample's timing from ``based_on`` (the version the expert saw;
    ``Conflict`` if another came since); each frame must be one of the sample's, in order.
    The sample's flow key is cleared: its flow is computed anew from the new frames."""
    reason = reason.strip()
    if not reason:
        raise Invalid("say why the timing changes", "reason")
    if current_version_id(session, sample.id) != based_on:
        raise Conflict("the timing changed since this page read it", "based_on")
    now = timing_of(sample)
    if wanted == now:
        raise Invalid("the timing is already this one", "apex")
    frames = _frames(sample, wanted)
    before = {
        "onset": now.onset,
        "apex": now.apex,
        "offset": now.offset,
        "onset_path": sample.onset_path,
        "apex_path": sample.apex_path,
        "offset_path": sample.offset_path,
        "apex_source": sample.apex_source,
    }
    version = TimingVersion(
        sample_id=sample.id,
        parent_id=based_on,
        onset=wanted.onset,
        apex=wanted.apex,
        offset=wanted.offset,
        before=before,
        reason=reason[:MAX_REASON],
        created_by=me.id,
    )
    sample.onset_path, sample.apex_path = str(frames["onset"]), str(frames["apex"])
    sample.offset_path = str(frames["offset"]) if "offset" in frames else None
    sample.apex_source, sample.feature_key = "expert", None
    session.add(version)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("the timing changed since this page read it", "based_on") from None
    return version


def undo_timing(session: Session, sample: Sample, me: User, version_id: int) -> TimingVersion:
    """Take back version ``version_id``, the sample's latest: a new version restoring the
    frames it replaced."""
    latest = current_version_id(session, sample.id)
    if version_id != latest or latest == 0:
        raise Conflict("only the latest change of the timing can be undone", "version_id")
    version = session.get_one(TimingVersion, version_id)
    before: dict[str, Any] = version.before
    restored = Timing(before["onset"], before["apex"], before["offset"])
    undone = change_timing(
        session, sample, me, restored, f"undo of change {version_id}: {version.reason}", latest
    )
    sample.apex_source = before["apex_source"]
    return undone


def _frames(sample: Sample, wanted: Timing) -> dict[str, Path]:
    if not wanted.onset < wanted.apex:
        raise Invalid(
            f"the apex ({wanted.apex}) must come after the onset ({wanted.onset})", "apex"
        )
    if wanted.offset is not None and wanted.offset < wanted.apex:
        raise Invalid(
            f"the offset ({wanted.offset}) must not come before the apex ({wanted.apex})",
            "offset",
        )
    on_disk = index_frames(Path(sample.onset_path).parent)
    frames = {}
    for field, number in (
        ("onset", wanted.onset),
        ("apex", wanted.apex),
        ("offset", wanted.offset),
    ):
        if number is None:
            continue
        if number not in on_disk:
            raise Invalid(f"no frame {number} in the folder of sample {sample.name}", field)
        frames[field] = on_disk[number]
    return frames


@dataclass(frozen=True)
class TimingEntry:
    version: TimingVersion
    author: str | None


def timing_history(session: Session, sample_id: int) -> list[TimingEntry]:
    """The sample's changes of timing, oldest first, with their authors."""
    rows = session.execute(
        select(TimingVersion, User.name)
        .outerjoin(User, User.id == TimingVersion.created_by)
        .where(TimingVersion.sample_id == sample_id)
        .order_by(TimingVersion.id)
    )
    return [TimingEntry(version, name) for version, name in rows]


def changed_timings(session: Session, dataset_id: int) -> list[tuple[Sample, Timing, Timing]]:
    """Every sample of the dataset whose timing differs from its imported one: the
    imported and the current timing."""
    first = (
        select(TimingVersion.sample_id, func.min(TimingVersion.id).label("first"))
        .join(Sample, Sample.id == TimingVersion.sample_id)
        .where(Sample.dataset_id == dataset_id)
        .group_by(TimingVersion.sample_id)
        .subquery()
    )
    found = []
    for sample, version in session.execute(
        select(Sample, TimingVersion)
        .join(first, first.c.sample_id == Sample.id)
        .join(TimingVersion, TimingVersion.id == first.c.first)
        .order_by(Sample.id)
    ):
        imported = Timing(version.before["onset"], version.before["apex"], version.before["offset"])
        now = timing_of(sample)
        if now != imported:
            found.append((sample, imported, now))
    return found


def timing_csv(session: Session, dataset_id: int) -> str:
    """Every sample's current timing in a coding sheet's columns."""
    samples = session.scalars(
        select(Sample)
        .where(Sample.dataset_id == dataset_id)
        .order_by(Sample.source, Sample.subject, Sample.name)
    )
    rows = []
    for sample in samples:
        now = timing_of(sample)
        rows.append(
            (
                sample.source,
                sample.subject,
                sample.name,
                now.onset,
                now.apex,
                now.offset or "",
                sample.apex_source,
            )
        )
    return csv_text(
        ["Dataset", "Subject", "Filename", "OnsetFrame", "ApexFrame", "OffsetFrame", "ApexSource"],
        rows,
    )


MAX_BULK = 2000
"""Samples one bulk change of timing may hold."""


def accept_estimates(
    session: Session, store: FeatureStore, samples: Sequence[Sample], me: User, reason: str
) -> list[TimingVersion]:
    """For each sample, its apex moved to the motion's peak: all or nothing, each a new
    version. Left as they are: a sample already at its estimate, and one whose motion
    peaks on the last frame measured (still rising: the peak is not seen)."""
    take_write_lock(session)
    versions = []
    for sample in samples:
        timing = sample_timing(store, sample)
        estimated = timing.curve.frames[timing.estimate.apex]
        rising = timing.estimate.apex == len(timing.curve.frames) - 1
        if estimated == timing.apex or estimated <= timing.onset or rising:
            continue
        wanted = Timing(timing.onset, estimated, timing.offset)
        based_on = current_version_id(session, sample.id)
        why = f"{reason} (the motion's apex, confidence {timing.estimate.confidence:.2f})"
        versions.append(change_timing(session, sample, me, wanted, why, based_on))
    return versions


def undo_changes(
    session: Session, dataset_id: int, me: User, version_ids: Sequence[int]
) -> list[TimingVersion]:
    """Take back several changes of the dataset's samples, each its sample's latest: all
    or nothing."""
    take_write_lock(session)
    versions = session.scalars(
        select(TimingVersion)
        .join(Sample, Sample.id == TimingVersion.sample_id)
        .where(TimingVersion.id.in_(version_ids), Sample.dataset_id == dataset_id)
    ).all()
    if len(versions) != len(set(version_ids)):
        raise NotFound("no such changes of timing in this dataset", "version_ids")
    return [undo_timing(session, session.get_one(Sample, v.sample_id), me, v.id) for v in versions]
