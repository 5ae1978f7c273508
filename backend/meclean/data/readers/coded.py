"""Readers of datasets whose onset, apex, offset and emotion come from a coding sheet:
the row checks, the known corrections, and the layout each such dataset describes."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from meclean.data.corrections import FRAME_FIELDS, FrameField, SheetCorrection, load_corrections
from meclean.data.labels import Label, class_or_none
from meclean.data.readers.common import (
    DEFAULTS,
    ImportOptions,
    Override,
    SampleKey,
    SampleProblem,
    apex_possible,
    duplicated,
    estimated_apex,
    label_of,
    read_overrides,
    resolve_frames,
    sample_key,
)
from meclean.data.readers.discovery import FrameTree, find_frames_root, find_sheet, record_frames
from meclean.data.records import ApexSource, ImportIssue, ImportReport, SampleRecord
from meclean.data.sheets import MissingValue, frame_number, read_sheet, text


@dataclass(frozen=True)
class CodedRow:
    """One sheet row, reduced to what a reader needs, before the checks."""

    row: int
    subject: str
    name: str
    """The sample's name: its folder's, or made unique where one video holds several."""
    folder: str
    """The sample's folder as the sheet names it."""
    emotion: str
    cells: Mapping[FrameField, object]
    """The onset, apex and offset cells as the sheet has them."""
    action_units: object = None
    """The AU cell as the sheet has it; None where the sheet has no AU column."""
    objective_class: str = ""


def corrections_for(
    dataset: str, enabled: bool
) -> dict[SampleKey, dict[FrameField, SheetCorrection]]:
    """The shipped corrections of one dataset's sheet, by sample and field."""
    found: dict[SampleKey, dict[FrameField, SheetCorrection]] = defaultdict(dict)
    if enabled:
        for fix in load_corrections():
            if fix.dataset == dataset:
                found[sample_key(fix.subject, fix.filename)][fix.field] = fix
    return found


@dataclass
class _RowContext:
    """One row being checked: where its notes go and how they name it."""

    report: ImportReport
    sheet: Path
    row: int
    sample: str
    columns: Mapping[str, str]

    def note(self, notes: list[ImportIssue], message: str, field: str) -> None:
        notes.append(ImportIssue(self.sheet, message, self.row, self.columns[field], self.sample))


def coded_frames(
    r: CodedRow,
    override: Override,
    fixes: Mapping[FrameField, SheetCorrection],
    ctx: _RowContext,
    estimates: bool = False,
) -> tuple[int, int | None, int | None, ApexSource]:
    """Onset, apex and offset of a row: the user's override, else a known correction, else
    the sheet. A missing or malformed offset becomes unknown, with a warning; so does a
    missing or malformed apex with ``estimates`` (the motion will say where it is)."""
    values: dict[FrameField, int | None] = {}
    apex_source: ApexSource = "sheet"
    order: tuple[FrameField, ...] = ("onset", "offset", "apex")  # apex last: "middle" needs both
    for name in order:
        given = getattr(override, name)
        fix = fixes.get(name)
        cell = r.cells[name]
        if given is not None:
            values[name] = given
            apex_source = "override" if name == "apex" else apex_source
            continue
        if fix is not None and fix.matches(cell):
            try:
                values[name] = fix.frame(values.get("onset"), values.get("offset"))
            except ValueError as exc:
                raise SampleProblem(f"known error ({fix.describe(cell)}): {exc}", name) from None
            ctx.note(ctx.report.corrections, fix.describe(cell), name)
            apex_source = "correction" if name == "apex" else apex_source
            continue
        if name == "apex" and estimates:
            try:
                values[name] = frame_number(cell)
            except ValueError:
                values[name] = None
            continue
        values[name] = _frame(cell, ctx.columns[name], optional=name == "offset", ctx=ctx)
    onset = values["onset"]
    assert onset is not None
    return onset, values["apex"], values["offset"], apex_source


def _frame(cell: object, column: str, *, optional: bool, ctx: _RowContext) -> int | None:
    try:
        return frame_number(cell)
    except ValueError as exc:
        if optional:
            ctx.note(
                ctx.report.warnings,
                f"{column} unknown ({exc}); only onset and apex are used",
                "offset",
            )
            return None
        hint = (
            "; supply it in an overrides CSV (--overrides)" if isinstance(exc, MissingValue) else ""
        )
        kind = "missing " if isinstance(exc, MissingValue) else ""
        raise SampleProblem(f"{kind}{column}: {exc}{hint}", column) from None


def build_records(
    *,
    dataset: str,
    sheet: Path,
    rows: list[CodedRow],
    sample_dir: Callable[[CodedRow], Path],
    columns: Mapping[str, str],
    overrides: Mapping[SampleKey, Override],
    roster: Mapping[SampleKey, Label] | None,
    corrections: bool = True,
    roots: Sequence[Path] = (),
    estimates: bool = True,
) -> ImportReport:
    """Check every coded row and turn the good ones into sample records.

    ``columns`` names the sheet's own headers for onset/apex/offset/emotion, so that
    each issue points at the cell the user has to fix.
    """
    report = ImportReport()
    fixes = corrections_for(dataset, corrections)
    dupes = duplicated(sample_key(r.subject, r.name) for r in rows)
    first_row: dict[SampleKey, int] = {}
    for r in rows:
        key = sample_key(r.subject, r.name)
        first_row.setdefault(key, r.row)
        ctx = _RowContext(report, sheet, r.row, f"{r.subject}/{r.name}", columns)
        override = overrides.get(key, Override())
        note_override(report, override, ctx.sample, roster is not None)
        emotion = override.emotion or r.emotion
        try:
            if key in dupes:
                raise SampleProblem(
                    f"duplicate sample {ctx.sample} (first at row {first_row[key]}); "
                    "all copies skipped",
                    "filename",
                )
            label = label_of(dataset, emotion, key, roster)
            if label is None:
                exclude(report, dataset, emotion, roster is not None, ctx)
                continue
            if roster is not None:
                _warn_on_disagreement(emotion, label, ctx, dataset)
            onset, apex, offset, apex_source = coded_frames(
                r, override, fixes.get(key, {}), ctx, estimates
            )
            if estimates and (apex is None or not apex_possible(onset, apex, offset)):
                estimate = estimated_apex(sample_dir(r), onset, apex, offset, roots)
                ctx.note(report.estimates, estimate.describe(), "apex")
                apex, apex_source = estimate.frame, "estimate"
            assert apex is not None  # without estimates, coded_frames refuses a missing one
            found = resolve_frames(sample_dir(r), onset, apex, offset, roots)
        except SampleProblem as problem:
            field = columns.get(problem.field or "", problem.field)
            report.skipped.append(ImportIssue(sheet, problem.message, r.row, field, ctx.sample))
            continue
        if found.offset_problem:
            ctx.note(
                report.warnings, f"{found.offset_problem}; offset recorded as unknown", "offset"
            )
        field = columns.get("action_units", "action units")
        report.samples.append(
            SampleRecord(
                dataset=dataset,
                subject=r.subject,
                name=r.name,
                emotion=emotion,
                label=label,
                onset_path=found.onset,
                apex_path=found.apex,
                offset_path=found.offset,
                apex_source=apex_source,
                action_units=report.read_action_units(
                    r.action_units, sheet, r.row, field, ctx.sample
                ),
                objective_class=r.objective_class or None,
            )
        )
    return report


def exclude(
    report: ImportReport, dataset: str, emotion: str, by_roster: bool, ctx: _RowContext
) -> None:
    """Count a sample left out on purpose; a 3-class sample that a roster leaves out is named."""
    mapped = class_or_none(dataset, emotion)
    if by_roster and mapped is not None:
        ctx.note(
            report.warnings,
            f"a {mapped} sample ({emotion!r}) that the roster leaves out; not imported",
            "emotion",
        )
    else:
        report.excluded[emotion if mapped is None else "not in roster"] += 1


def note_override(report: ImportReport, override: Override, sample: str, by_roster: bool) -> None:
    """List an override the sample uses; an emotion a roster overrules is said."""
    used = override.used_for(sample)
    if used is None:
        return
    report.overrides.append(used)
    if by_roster and override.emotion:
        report.warnings.append(
            replace(used, message=f"emotion {override.emotion!r} from the overrides is not "
                    "used: the roster gives the label")
        )  # fmt: skip


def _warn_on_disagreement(emotion: str, label: Label, ctx: _RowContext, dataset: str) -> None:
    if class_or_none(dataset, emotion) != label:
        ctx.note(
            ctx.report.warnings,
            f"roster label {label!r} differs from the sheet's emotion {emotion!r}; "
            "the roster's label is used",
            "emotion",
        )


@dataclass(frozen=True)
class CodingSheetLayout:
    """How a dataset with a coding sheet names its columns, folders and sheet."""

    dataset: str
    columns: Mapping[str, tuple[str, ...]]
    """Canonical key -> accepted header spellings, the dataset's own first."""
    tree: FrameTree
    subject_folder: Callable[[str], str]
    """The folder name for a sheet's subject cell."""
    sheet_hint: re.Pattern[str]
    sheet_avoid: re.Pattern[str] | None = None
    """Sheets of other releases that the hint would also match."""
    sample_folder: Callable[[Path, CodedRow], Path] = lambda root, r: root / r.subject / r.folder
    """Where a row's frames are, below the folder of subjects."""
    sample_name: Callable[[str, Mapping[FrameField, object]], str] = lambda folder, _: folder
    """A sample's name from its folder and frame cells (CAS(ME)^3 has several per video)."""
    action_units: tuple[str, ...] = ("Action Units", "AUs", "AU")
    """The AU column's spellings, read where the sheet has one."""
    objective_class: tuple[str, ...] = ("Objective Classes", "Objective Class")


def read_coded_dataset(
    layout: CodingSheetLayout,
    root: Path,
    options: ImportOptions = DEFAULTS,
    roster: Mapping[SampleKey, Label] | None = None,
) -> ImportReport:
    """Samples of a dataset whose onset/apex/offset and emotion come from a coding sheet."""
    sheet = options.sheet or find_sheet(
        root, layout.sheet_hint, layout.sheet_avoid, options.confine_to
    )
    optional = {"action_units": layout.action_units, "objective_class": layout.objective_class}
    rows = [
        CodedRow(
            row=r.row,
            subject=layout.subject_folder(text(r.values["subject"])),
            name=layout.sample_name(
                text(r.values["filename"]), {k: r.values[k] for k in FRAME_FIELDS}
            ),
            folder=text(r.values["filename"]),
            emotion=text(r.values["emotion"]),
            cells={name: r.values[name] for name in FRAME_FIELDS},
            action_units=r.values.get("action_units"),
            objective_class=text(r.values.get("objective_class")),
        )
        for r in read_sheet(sheet, layout.columns, optional)
    ]
    frames_root, note = find_frames_root(root, layout.tree, options.frames)
    report = build_records(
        dataset=layout.dataset,
        sheet=sheet,
        rows=rows,
        sample_dir=lambda r: layout.sample_folder(frames_root, r),
        columns={k: v[0] for k, v in {**layout.columns, **optional}.items()},
        overrides=read_overrides(options.overrides),
        roster=roster,
        corrections=options.corrections,
        roots=options.confine_to,
        estimates=options.estimates,
    )
    record_frames(report, layout.dataset, frames_root, note)
    return report
