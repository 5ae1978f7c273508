"""A generic manifest for any other dataset: one CSV row per sample.

A row names its frames either by path (``onset``/``apex``/``offset`` image paths) or by
number inside a frame folder (``frames`` plus frame numbers, found by the number at the end
of the file name or by a ``pattern`` such as ``img{:03d}.jpg``). The class comes from a
``label`` column, or from an ``emotion`` column through the user's emotion-to-class map.
Paths are relative to the manifest's folder.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

from meclean.data.labels import CLASSES, Label
from meclean.data.readers.common import (
    DEFAULTS,
    NAME_MAX,
    ImportOptions,
    SampleProblem,
    check_readable,
    confined,
)
from meclean.data.readers.discovery import index_frames
from meclean.data.records import ImportIssue, ImportReport, SampleRecord, SheetError
from meclean.data.sheets import SheetRow, frame_number, read_sheet, text
from meclean.text import shortened

REQUIRED = {
    "subject": ("subject",),
    "onset": ("onset", "onset path", "onset frame"),
    "apex": ("apex", "apex path", "apex frame"),
}
OPTIONAL = {
    "label": ("label", "class"),
    "dataset": ("dataset",),
    "name": ("name", "sample", "filename"),
    "emotion": ("emotion", "estimated emotion"),
    "offset": ("offset", "offset path", "offset frame"),
    "frames": ("frames", "frame folder", "folder"),
    "pattern": ("pattern", "file pattern"),
    "aus": ("aus", "action units", "au"),
}
EXCLUDED = {"", "excluded", "exclude", "none", "-"}


def read_class_map(path: Path | None) -> dict[str, Label | None]:
    """The user's emotion-to-class map: a CSV of emotion and class (empty or 'excluded'
    leaves that emotion out of the task)."""
    if path is None:
        return {}
    mapping: dict[str, Label | None] = {}
    for r in read_sheet(path, {"emotion": ("emotion",), "class": ("class", "label")}):
        cls = text(r.values["class"]).lower()
        if cls not in EXCLUDED and cls not in CLASSES:
            raise SheetError(path, f"row {r.row}, field 'class': {cls!r} is not one of {CLASSES}")
        mapping[text(r.values["emotion"]).lower()] = None if cls in EXCLUDED else cast(Label, cls)
    return mapping


def read_manifest(path: Path, options: ImportOptions = DEFAULTS) -> ImportReport:
    """Samples listed in a manifest CSV."""
    rows = read_sheet(path, REQUIRED, OPTIONAL)
    classes = read_class_map(options.classes)
    names = _default_names(rows)
    copies = Counter((text(r.values["subject"]), names[r.row]) for r in rows)
    report = ImportReport()
    for r in rows:
        values = r.values
        subject, name = text(values["subject"]), names[r.row]
        try:
            if not subject:
                raise SampleProblem("empty subject", "subject")
            for field, value in (("subject", subject), ("name", name)):
                _check_length(field, value)
            for field in ("dataset", "emotion"):
                _check_length(field, text(values.get(field)))
            if copies[(subject, name)] > 1:
                raise SampleProblem(
                    f"duplicate sample {subject}/{name}; all copies skipped", "name"
                )
            label = _label(values, classes)
            if label is None:
                report.excluded[text(values.get("emotion"))] += 1
                continue
            frames, offset_problem = _frames(path.parent, values, options.confine_to)
        except SampleProblem as problem:
            report.skipped.append(
                ImportIssue(
                    path, problem.message, r.row, problem.field, shortened(f"{subject}/{name}")
                )
            )
            continue
        except OSError as exc:  # a frame the file system cannot look up (permissions, ...)
            report.skipped.append(
                ImportIssue(
                    path, shortened(str(exc), 600), r.row, None, shortened(f"{subject}/{name}")
                )
            )
            continue
        if offset_problem:
            report.warnings.append(
                ImportIssue(
                    path,
                    f"{offset_problem}; offset recorded as unknown",
                    r.row,
                    "offset",
                    f"{subject}/{name}",
                )
            )
        report.samples.append(
            SampleRecord(
                dataset=text(values.get("dataset")) or "custom",
                subject=subject,
                name=name,
                emotion=text(values.get("emotion")) or label,
                label=label,
                onset_path=frames["onset"],
                apex_path=frames["apex"],
                offset_path=frames.get("offset"),
                apex_source="manifest",
                action_units=report.read_action_units(
                    values.get("aus"), path, r.row, "aus", f"{subject}/{name}"
                ),
            )
        )
    return report


FRAME_FIELD = re.compile(
    r"\{(?::(?P<zero>0?)(?P<width>\d{1,3})?d)?\}|%(?P<pzero>0?)(?P<pwidth>\d{1,3})?d"
)
"""Where a frame pattern puts the number: {}, {:d}, {:03d}, {:3d}, %d, %03d or %3d."""
MAX_PATTERN_WIDTH = 12
"""Widest zero-padding a frame pattern may ask for (frame numbers have a few digits)."""

LONGEST = {"dataset": 50, "subject": 100, "name": 200, "emotion": 50}
"""Characters the store keeps of each name."""


def _check_length(field: str, value: str) -> None:
    if len(value) > LONGEST[field]:
        raise SampleProblem(
            f"{field} is {len(value)} characters long (at most {LONGEST[field]})", field
        )


def _default_names(rows: list[SheetRow]) -> dict[int, str]:
    """A row's sample name: its own, else its frame folder's; where several rows of one
    subject share a folder (several expressions in one video), the onset is added."""
    names = {}
    for r in rows:
        v = r.values
        given = text(v.get("name"))
        folder = text(v.get("frames")) or str(Path(text(v["onset"])).parent)
        names[r.row] = given or Path(folder).name
    shared = Counter(
        (text(r.values["subject"]), names[r.row]) for r in rows if not text(r.values.get("name"))
    )
    for r in rows:
        if not text(r.values.get("name")) and shared[(text(r.values["subject"]), names[r.row])] > 1:
            names[r.row] = f"{names[r.row]}_{Path(text(r.values['onset'])).stem}"
    return names


def _label(values: Mapping[str, object], classes: Mapping[str, Label | None]) -> Label | None:
    label = text(values.get("label")).lower()
    if label:
        if label not in CLASSES:
            raise SampleProblem(f"label {label!r} is not one of {', '.join(CLASSES)}", "label")
        return label
    emotion = text(values.get("emotion")).lower()
    if not emotion:
        raise SampleProblem("neither a label nor an emotion", "label")
    if emotion not in classes:
        hint = " (give an emotion-to-class map with --classes)" if not classes else ""
        raise SampleProblem(f"emotion {emotion!r} has no class{hint}", "emotion")
    return classes[emotion]


def _frames(
    base: Path, values: Mapping[str, object], roots: Sequence[Path]
) -> tuple[dict[str, Path], str | None]:
    """Onset and apex images (and the offset's, where usable), by path or by number in the
    frame folder, each inside ``roots``; the second item says why a given offset was not
    usable."""
    folder_cell = text(values.get("frames"))
    folder = confined(base / folder_cell, roots, "frames") if folder_cell else None
    if folder is not None and not folder.is_dir():
        raise SampleProblem(f"frame folder {folder_cell} not found", "frames")
    numbered = index_frames(folder) if folder is not None else {}
    pattern = text(values.get("pattern"))
    numbers: dict[str, int] = {}
    frames: dict[str, Path] = {}
    offset_problem = None
    for field in ("onset", "apex", "offset"):
        cell = text(values.get(field))
        if not cell:
            if field == "offset":
                continue
            raise SampleProblem(f"missing {field}", field)
        if folder is None:
            frame = confined(base / cell, roots, field)
        else:
            try:
                numbers[field] = frame_number(cell)
            except ValueError as exc:
                raise SampleProblem(f"{field}: {exc}", field) from None
            frame = confined(_numbered(folder, numbers[field], pattern, numbered), roots, field)
        if not frame.is_file():
            why = "is not a regular file" if frame.exists() else "not found"
            if field == "offset":
                offset_problem = f"offset image {frame} {why}"
                continue
            raise SampleProblem(f"{field} image {frame} {why}", field)
        frames[field] = frame
    if frames["onset"] == frames["apex"]:
        raise SampleProblem("apex is the onset image: no motion to measure", "apex")
    if numbers.get("apex", 1) < numbers.get("onset", 0):
        raise SampleProblem(f"apex {numbers['apex']} is before onset {numbers['onset']}", "apex")
    if "offset" in frames and numbers.get("offset", 1) < numbers.get("apex", 0):
        offset_problem = f"offset {numbers['offset']} is before apex {numbers['apex']}"
        del frames["offset"]
    check_readable(frames["onset"], "onset")
    check_readable(frames["apex"], "apex")
    return frames, offset_problem


def _numbered(folder: Path, number: int, pattern: str, numbered: Mapping[int, Path]) -> Path:
    """Frame ``number`` of a folder: by the pattern ('img{:03d}.jpg' or 'img%03d.jpg'), else
    the file whose name ends in that number."""
    if not pattern:
        return numbered.get(number, folder / str(number))
    # Parsed here, never handed to str.format or %: those would take nested widths,
    # %c of a huge number and other ways to build gigabyte names or fail.
    fields = list(FRAME_FIELD.finditer(pattern))
    outside = FRAME_FIELD.sub("", pattern)
    if len(pattern) > NAME_MAX or len(fields) != 1 or set("{}%") & set(outside):
        raise SampleProblem(
            f"pattern {shortened(pattern, 40)!r} is not a frame pattern: a file name holding "
            "one {}, {:0Nd} or %0Nd (e.g. img{:03d}.jpg)",
            "pattern",
        )
    (field,) = fields
    width = int(field["width"] or field["pwidth"] or 0)
    if width > MAX_PATTERN_WIDTH:
        raise SampleProblem(
            f"pattern {shortened(pattern, 40)!r} pads frame numbers to {width} digits "
            f"(at most {MAX_PATTERN_WIDTH})",
            "pattern",
        )
    padding = "0" if field["zero"] or field["pzero"] else " "
    digits = str(number).rjust(width, padding)
    return folder / f"{pattern[: field.start()]}{digits}{pattern[field.end() :]}"
