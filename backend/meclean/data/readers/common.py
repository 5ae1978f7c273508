"""Pieces every dataset reader shares: frame lookup, name matching, overrides, checks."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import cv2

from meclean.data.labels import Label, UnknownEmotion, emotion_to_class
from meclean.data.records import ApexSource, ImportIssue, ImportReport, SampleRecord, SheetError
from meclean.data.sheets import MissingValue, frame_number, read_sheet, text

FRAME_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"})
_TRAILING_NUMBER = re.compile(r"(\d+)$")

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
        super().__init__(message)
        self.message = message
        self.field = field


def index_frames(sample_dir: Path) -> dict[int, Path]:
    """Frame files of a sample folder by the number at the end of their name."""
    frames: dict[int, Path] = {}
    for path in sample_dir.iterdir():
        if path.suffix.lower() not in FRAME_SUFFIXES:
            continue
        match = _TRAILING_NUMBER.search(path.stem)
        if match:
            frames[int(match.group(1))] = path
    return frames


def find_frames_root(root: Path, is_subject_dir: Callable[[Path], bool]) -> Path:
    """The folder at or below ``root`` (two levels at most) that holds subject folders."""
    if not root.is_dir():
        raise SheetError(root, "dataset folder not found")
    candidates = [root, *(p for p in sorted(root.iterdir()) if p.is_dir())]
    candidates += [q for p in candidates[1:] for q in sorted(p.iterdir()) if q.is_dir()]
    for folder in candidates:
        if any(is_subject_dir(child) for child in folder.iterdir() if child.is_dir()):
            return folder
    raise SheetError(root, "no subject folders found (looked two levels deep)")


def find_sheet(root: Path, hint: re.Pattern[str]) -> Path:
    """The single annotation sheet in ``root`` whose name matches ``hint``."""
    found = sorted(
        p
        for p in root.glob("*")
        if p.suffix.lower() in {".xlsx", ".xlsm", ".csv"} and hint.search(p.name)
    )
    if len(found) == 1:
        return found[0]
    if not found:
        raise SheetError(
            root, f"no annotation sheet matching {hint.pattern!r}; pass it with --sheet"
        )
    names = ", ".join(p.name for p in found)
    raise SheetError(root, f"several annotation sheets ({names}); choose one with --sheet")


def check_readable(path: Path, field: str) -> None:
    if cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) is None:
        raise SampleProblem(f"unreadable image {path.name}", field)


@dataclass(frozen=True)
class Override:
    onset: int | None = None
    apex: int | None = None
    offset: int | None = None
    emotion: str | None = None


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
        overrides[key] = Override(**frames, emotion=text(values.get("emotion")) or None)
    return overrides


def resolve_frames(
    sample_dir: Path,
    onset: int,
    apex: int,
    offset: int | None,
    apex_field: str,
) -> tuple[Path, Path, Path | None]:
    """Frame paths for onset, apex and offset, checked to exist, be ordered and decode."""
    if not sample_dir.is_dir():
        raise SampleProblem(f"sample folder {sample_dir} not found")
    if apex == onset:
        raise SampleProblem(f"apex equals onset ({onset}): no motion to measure", apex_field)
    if apex < onset or (offset is not None and apex > offset):
        raise SampleProblem(
            f"apex {apex} outside [onset {onset}, offset {offset if offset is not None else '?'}]",
            apex_field,
        )
    frames = index_frames(sample_dir)
    if not frames:
        raise SampleProblem(f"no frame images in {sample_dir}")
    paths = []
    for label, number in (("onset", onset), ("apex", apex), ("offset", offset)):
        if number is None:
            paths.append(None)
            continue
        if number not in frames:
            raise SampleProblem(
                f"{label} frame {number} not found in {sample_dir} "
                f"(frames {min(frames)}..{max(frames)})",
                label if label != "apex" else apex_field,
            )
        paths.append(frames[number])
    check_readable(paths[0], "onset")
    check_readable(paths[1], "apex")
    return paths[0], paths[1], paths[2]


@dataclass(frozen=True)
class CodedRow:
    """One sheet row, reduced to what a reader needs, before the checks."""

    row: int
    subject: str
    name: str
    emotion: str
    onset: object
    apex: object
    offset: object


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


def build_records(
    *,
    dataset: str,
    sheet: Path,
    rows: list[CodedRow],
    sample_dir: Callable[[CodedRow], Path],
    columns: Mapping[str, str],
    overrides: Mapping[SampleKey, Override],
    roster: Mapping[SampleKey, Label] | None,
) -> ImportReport:
    """Check every coded row and turn the good ones into sample records.

    ``columns`` names the sheet's own headers for onset/apex/offset/emotion, so that
    each issue points at the cell the user has to fix.
    """
    report = ImportReport()
    dupes = duplicated(sample_key(r.subject, r.name) for r in rows)
    first_row: dict[SampleKey, int] = {}
    for r in rows:
        key = sample_key(r.subject, r.name)
        first_row.setdefault(key, r.row)
        sample = f"{r.subject}/{r.name}"
        override = overrides.get(key, Override())
        emotion = override.emotion or r.emotion
        try:
            if key in dupes:
                raise SampleProblem(
                    f"duplicate sample {sample} (first at row {first_row[key]}); "
                    "all copies skipped",
                    "filename",
                )
            label = label_of(dataset, emotion, key, roster)
            if label is None:
                report.excluded[emotion if roster is None else "not in roster"] += 1
                continue
            if roster is not None:
                _warn_on_disagreement(report, dataset, emotion, label, sheet, r.row, sample)
            onset = _frame(override.onset, r.onset, columns["onset"])
            apex = _frame(override.apex, r.apex, columns["apex"], missing_hint=True)
            offset = _frame(override.offset, r.offset, columns["offset"], optional=True)
            onset_path, apex_path, offset_path = resolve_frames(
                sample_dir(r), onset, apex, offset, columns["apex"]
            )
        except SampleProblem as problem:
            field = columns.get(problem.field or "", problem.field)
            report.skipped.append(ImportIssue(sheet, problem.message, r.row, field, sample))
            continue
        source: ApexSource = "override" if override.apex is not None else "sheet"
        report.samples.append(
            SampleRecord(
                dataset=dataset,
                subject=r.subject,
                name=r.name,
                emotion=emotion,
                label=label,
                onset_path=onset_path,
                apex_path=apex_path,
                offset_path=offset_path,
                apex_source=source,
            )
        )
    return report


def _frame(
    override: int | None,
    cell: object,
    column: str,
    *,
    missing_hint: bool = False,
    optional: bool = False,
) -> int | None:
    if override is not None:
        return override
    try:
        return frame_number(cell)
    except MissingValue as exc:
        if optional:
            return None
        hint = "; supply it in an overrides CSV (--overrides)" if missing_hint else ""
        raise SampleProblem(f"missing {column}: {exc}{hint}", column) from None
    except ValueError as exc:
        raise SampleProblem(f"{column}: {exc}", column) from None


def _warn_on_disagreement(
    report: ImportReport,
    dataset: str,
    emotion: str,
    label: Label,
    sheet: Path,
    row: int,
    sample: str,
) -> None:
    try:
        mapped = emotion_to_class(dataset, emotion)
    except UnknownEmotion:
        mapped = None
    if mapped != label:
        report.warnings.append(
            ImportIssue(
                sheet,
                f"roster label {label!r} differs from the sheet's emotion {emotion!r}; "
                "the roster's label is used",
                row,
                "emotion",
                sample,
            )
        )


@dataclass(frozen=True)
class CodingSheetLayout:
    """How a dataset with a coding sheet (CASME II, SAMM) names its columns and folders."""

    dataset: str
    columns: Mapping[str, tuple[str, ...]]
    """Canonical key -> accepted header spellings, the dataset's own first."""
    subject_dir: re.Pattern[str]
    subject_folder: Callable[[str], str]
    """The folder name for a sheet's subject cell."""
    sheet_hint: re.Pattern[str]


def read_coded_dataset(
    layout: CodingSheetLayout,
    root: Path,
    sheet: Path | None = None,
    overrides: Path | None = None,
    roster: Mapping[SampleKey, Label] | None = None,
) -> ImportReport:
    """Samples of a dataset whose onset/apex/offset and emotion come from a coding sheet."""
    sheet = sheet or find_sheet(root, layout.sheet_hint)
    frames_root = find_frames_root(root, lambda p: bool(layout.subject_dir.match(p.name)))
    rows = [
        CodedRow(
            row=r.row,
            subject=layout.subject_folder(text(r.values["subject"])),
            name=text(r.values["filename"]),
            emotion=text(r.values["emotion"]),
            onset=r.values["onset"],
            apex=r.values["apex"],
            offset=r.values["offset"],
        )
        for r in read_sheet(sheet, layout.columns)
    ]
    return build_records(
        dataset=layout.dataset,
        sheet=sheet,
        rows=rows,
        sample_dir=lambda r: frames_root / r.subject / r.name,
        columns={k: v[0] for k, v in layout.columns.items()},
        overrides=read_overrides(overrides),
        roster=roster,
    )
