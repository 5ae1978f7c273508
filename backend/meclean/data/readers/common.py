"""Pieces every dataset reader shares: options, name matching, overrides, frame checks."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from meclean.data.faces import FaceMode
from meclean.data.flow import read_gray
from meclean.data.labels import Label, UnknownEmotion, emotion_to_class
from meclean.data.motion import NO_MOTION, estimate_timing, motion_curve
from meclean.data.readers.discovery import index_frames
from meclean.data.records import ImportIssue, SheetError
from meclean.data.sheets import frame_number, read_sheet, text
from meclean.text import shortened

SampleKey = tuple[str, str]
"""(subject, sample name) with case and zero padding folded: ('s1', 's1_ne_1')."""


def sample_key(subject: str, name: str) -> SampleKey:
    """Match 'sub01'/'1', 's01'/'s1', '006'/'6' and 's01_ne_01'/'s1_ne_01' as the same."""

    def fold(value: str) -> str:
        return re.sub(r"\d+", lambda m: str(int(m.group())), value.strip().lower())

    subject_folded = fold(subject)
    # CASME II sheets write subject 1 where the folder is sub01.
    subject_folded = re.sub(r"^(sub|s)(?=\d)", "", subject_folded)
    return subject_folded, fold(name)


class SampleProblem(Exception):
    """A reason to skip one sample, naming the field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        # Messages quote cells, which may be any length: a report (or a log) stays readable.
        message = shortened(message, 600)
        super().__init__(message)
        self.message = message
        self.field = field


def check_readable(path: Path, field: str) -> None:
    try:
        read_gray(str(path))
    except ValueError:
        kind = "image" if path.is_file() else "image (not a regular file)"
        raise SampleProblem(f"unreadable {kind} {path.name}", field) from None


@dataclass(frozen=True)
class Override:
    """One row of the user's overrides CSV."""

    onset: int | None = None
    apex: int | None = None
    offset: int | None = None
    emotion: str | None = None
    file: Path | None = None
    row: int | None = None

    def used_for(self, sample: str) -> ImportIssue | None:
        """The report's line for a sample this row applies to; None for no override."""
        if self.file is None:
            return None
        given = {k: getattr(self, k) for k in ("onset", "apex", "offset", "emotion")}
        what = ", ".join(f"{k} {v!r}" for k, v in given.items() if v is not None)
        return ImportIssue(
            self.file, f"{what or 'nothing'} from the overrides", self.row, None, sample
        )


def read_overrides(path: Path | None) -> dict[SampleKey, Override]:
    """The user's corrections: a CSV with subject, filename and any of onset/apex/offset/emotion."""
    if path is None:
        return {}
    rows = read_sheet(
        path,
        {"subject": ("subject",), "filename": ("filename", "sample")},
        optional={
            **{k: (k, f"{k} frame") for k in ("onset", "apex", "offset")},
            "emotion": ("emotion", "estimated emotion"),
        },
    )
    overrides: dict[SampleKey, Override] = {}
    for sheet_row in rows:
        values = sheet_row.values
        frames: dict[str, int] = {}
        for name in ("onset", "apex", "offset"):
            if text(values.get(name)):
                try:
                    frames[name] = frame_number(values[name])
                except ValueError as exc:
                    raise SheetError(path, f"row {sheet_row.row}, field {name!r}: {exc}") from None
        key = sample_key(text(values["subject"]), text(values["filename"]))
        overrides[key] = Override(
            **frames, emotion=text(values.get("emotion")) or None, file=path, row=sheet_row.row
        )
    return overrides


@dataclass(frozen=True)
class ImportOptions:
    """What a user can tell an import beyond the dataset folder."""

    sheet: Path | None = None
    frames: Path | None = None
    """The folder that holds the subject folders, where the search would not find it."""
    overrides: Path | None = None
    roster: Path | None = None
    corrections: bool = True
    """Replace the sheets' known errors by the shipped, documented values."""
    estimates: bool = True
    """Estimate from the motion an apex the sheet leaves missing, puts outside
    [onset, offset] or on the onset, instead of skipping the sample."""
    parts: Mapping[str, Path] = field(default_factory=dict)
    """For a composite: each source dataset's folder, where it is not found by name."""
    part_sheets: Mapping[str, Path] = field(default_factory=dict)
    classes: Path | None = None
    """For a manifest: a CSV mapping its emotions to classes (or to 'excluded')."""
    faces: FaceMode = "auto"
    """Crop raw frames to the face found on each onset frame (see ``faces.crop_faces``)."""
    confine_to: tuple[Path, ...] = ()
    """Resolved folders every frame must lie in, symlinks followed (the app's import
    roots); checked before a file is looked at, so the answer tells nothing about files
    outside. Empty: anywhere (the command line)."""


DEFAULTS = ImportOptions()


@dataclass(frozen=True)
class ResolvedFrames:
    onset: Path
    apex: Path
    offset: Path | None
    offset_problem: str | None = None
    """Why an offset given by the sheet was not usable (it is then recorded as unknown)."""


NAME_MAX = 255
"""Longest file or folder name (bytes) Linux file systems take."""
PATH_MAX = 4096
"""Longest path (bytes) the kernel takes."""


def confined(path: Path, roots: Sequence[Path], field: str | None = None) -> Path:
    """``path`` with its symlinks resolved, if it lies in one of ``roots`` (any, when none)
    and its names are ones a file system takes."""
    if len(os.fsencode(path)) > PATH_MAX or any(
        len(os.fsencode(part)) > NAME_MAX for part in path.parts
    ):
        raise SampleProblem(
            f"{shortened(str(path))} is longer than a file system allows "
            f"(names of at most {NAME_MAX} bytes, paths of {PATH_MAX})",
            field,
        )
    try:
        resolved = path.resolve()
    except (RuntimeError, OSError) as exc:  # a symlink loop (RuntimeError before Python 3.13)
        raise SampleProblem(f"{shortened(str(path))} cannot be followed: {exc}", field) from None
    if roots and not any(resolved.is_relative_to(root) for root in roots):
        raise SampleProblem(f"{shortened(str(path))} is outside the import roots", field)
    return resolved


def resolve_frames(
    sample_dir: Path, onset: int, apex: int, offset: int | None, roots: Sequence[Path] = ()
) -> ResolvedFrames:
    """Frame paths for onset, apex and offset, checked to lie in ``roots``, exist, be
    ordered and decode.

    Only onset and apex are needed for the flow: an offset that is not usable is dropped
    with a reason instead of costing the sample.
    """
    confined(sample_dir, roots)
    if not sample_dir.is_dir():
        raise SampleProblem(f"sample folder {sample_dir} not found")
    if apex == onset:
        raise SampleProblem(f"apex equals onset ({onset}): no motion to measure", "apex")
    offset_problem = None
    if offset is not None and offset < onset:
        offset_problem = f"offset {offset} is before onset {onset}"
        offset = None
    if apex < onset or (offset is not None and apex > offset):
        raise SampleProblem(
            f"apex {apex} outside [onset {onset}, offset {offset if offset is not None else '?'}]",
            "apex",
        )
    frames = index_frames(sample_dir)
    if not frames:
        raise SampleProblem(f"no frame images in {sample_dir}")
    span = f"(frames {min(frames)}..{max(frames)})"
    for name, number in (("onset", onset), ("apex", apex)):
        if number not in frames:
            raise SampleProblem(f"{name} frame {number} not found in {sample_dir} {span}", name)
        confined(frames[number], roots, name)
        check_readable(frames[number], name)
    if offset is not None and offset not in frames:
        offset_problem = f"offset frame {offset} not found in {sample_dir} {span}"
        offset = None
    return ResolvedFrames(
        frames[onset],
        frames[apex],
        frames.get(offset) if offset is not None else None,
        offset_problem,
    )


def label_of(
    dataset: str,
    emotion: str,
    key: SampleKey,
    roster: Mapping[SampleKey, Label] | None,
) -> Label | None:
    """The class a sample gets: the roster's if one is given, else its emotion's."""
    if roster is not None:
        return roster.get(key)
    try:
        return emotion_to_class(dataset, emotion)
    except UnknownEmotion as exc:
        raise SampleProblem(str(exc), "emotion") from None


def duplicated(keys: Iterable[SampleKey]) -> set[SampleKey]:
    seen: dict[SampleKey, int] = defaultdict(int)
    for key in keys:
        seen[key] += 1
    return {key for key, count in seen.items() if count > 1}


MOST_CURVE_FRAMES = 400
"""Frames an apex estimate reads at most (a long clip is sampled evenly)."""


def apex_possible(onset: int, apex: int, offset: int | None) -> bool:
    """Whether an annotated apex can be the apex: after the onset, not after the offset
    (an offset before the onset is no bound: it is dropped as unusable)."""
    return onset < apex and (offset is None or offset < onset or apex <= offset)


@dataclass(frozen=True)
class ApexEstimate:
    frame: int
    confidence: float
    onset: int
    offset: int
    given: int | None
    """The sheet's apex, None where it gave none."""

    def describe(self) -> str:
        given = "missing" if self.given is None else f"{self.given}"
        return (
            f"apex estimated at frame {self.frame} (confidence {self.confidence:.2f}) from the "
            f"motion between onset {self.onset} and offset {self.offset}; the sheet's apex "
            f"was {given}"
        )


def estimated_apex(
    sample_dir: Path, onset: int, given: int | None, offset: int | None, roots: Sequence[Path]
) -> ApexEstimate:
    """The apex the motion suggests between onset and offset (``SampleProblem`` where there
    is no offset to bound it, or too few frames)."""
    what = "missing" if given is None else f"{given}, outside [onset {onset}, offset {offset}]"
    if offset is None or offset <= onset:
        raise SampleProblem(f"apex {what}, and no usable offset to estimate it before", "apex")
    confined(sample_dir, roots)
    if not sample_dir.is_dir():
        raise SampleProblem(f"sample folder {sample_dir} not found")
    frames = index_frames(sample_dir)
    inside = [n for n in sorted(frames) if onset <= n <= offset]
    if onset not in frames or len(inside) < 3:
        raise SampleProblem(
            f"apex {what}; too few frames from onset to offset to estimate it", "apex"
        )
    if len(inside) > MOST_CURVE_FRAMES:
        picks = np.linspace(0, len(inside) - 1, MOST_CURVE_FRAMES).round().astype(int)
        inside = [inside[k] for k in dict.fromkeys(picks)]
    for n in inside:
        confined(frames[n], roots, "apex")
    try:
        curve = motion_curve([frames[n] for n in inside], None)
    except ValueError as exc:
        raise SampleProblem(f"apex {what}; it cannot be estimated: {exc}", "apex") from None
    estimate = estimate_timing(curve)
    if estimate.apex == 0 or float(curve.max()) < NO_MOTION:
        raise SampleProblem(f"apex {what}; no motion after the onset to estimate it by", "apex")
    return ApexEstimate(inside[estimate.apex], estimate.confidence, onset, offset, given)
