"""What every reader yields: sample records and an import report of what was skipped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from meclean.data.action_units import ActionUnitCoding, ActionUnitError, parse_action_units
from meclean.data.labels import Label

if TYPE_CHECKING:
    from meclean.data.faces import FaceCrop

ApexSource = Literal["sheet", "middle", "override", "correction", "manifest", "estimate", "expert"]


@dataclass(frozen=True)
class SampleRecord:
    """One micro-expression sample, as found on disk."""

    dataset: str
    subject: str
    name: str
    emotion: str
    label: Label
    onset_path: Path
    apex_path: Path
    offset_path: Path | None = None
    apex_source: ApexSource = "sheet"
    face: FaceCrop | None = None
    """The face box every frame is cropped to; None keeps the frames whole."""
    action_units: ActionUnitCoding | None = None
    """The AUs its sheet coded; None where the sheet codes none (or its cell was unreadable)."""
    objective_class: str | None = None
    """The class its AUs define (SAMM's "Objective Classes", Davison et al. 2018)."""

    @property
    def sample_id(self) -> str:
        """Stable identifier, unique within a composite: ``dataset/subject/name``."""
        return f"{self.dataset}/{self.subject}/{self.name}"


@dataclass(frozen=True)
class ImportIssue:
    """Why one sample (or a whole sheet) could not be imported."""

    file: Path
    message: str
    row: int | None = None
    field: str | None = None
    sample: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "sample": self.sample,
            "file": str(self.file),
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = str(self.file)
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field {self.field!r}"
        who = f" [{self.sample}]" if self.sample else ""
        return f"{where}{who}: {self.message}"


@dataclass
class ImportReport:
    """Everything a reader found: the samples it kept and why it dropped the others."""

    samples: list[SampleRecord] = field(default_factory=list)
    skipped: list[ImportIssue] = field(default_factory=list)
    excluded: Counter[str] = field(default_factory=Counter)
    """Samples left out on purpose, by emotion (e.g. CASME II 'others')."""
    warnings: list[ImportIssue] = field(default_factory=list)
    corrections: list[ImportIssue] = field(default_factory=list)
    """Known sheet errors replaced by the documented value, one entry per sample and field."""
    frames: dict[str, Path] = field(default_factory=dict)
    """Where each source dataset's sample folders were found."""
    overrides: list[ImportIssue] = field(default_factory=list)
    """Rows of the user's overrides CSV, each with the sample it applied to."""
    faces: list[ImportIssue] = field(default_factory=list)
    """Samples cropped to their face, each with its box."""
    face_counts: Counter[str] = field(default_factory=Counter)
    """Samples by what finding faces did to them (cropped, already a crop, no face)."""
    estimates: list[ImportIssue] = field(default_factory=list)
    """Apexes estimated from the motion where the sheet's was missing or impossible, each
    with its frame and confidence."""
    ambiguous_action_units: list[ImportIssue] = field(default_factory=list)
    """Samples whose AU cell offers more than one coding ("or"): all kept as alternatives."""

    def extend(self, other: ImportReport) -> None:
        self.samples.extend(other.samples)
        self.skipped.extend(other.skipped)
        self.excluded.update(other.excluded)
        self.warnings.extend(other.warnings)
        self.corrections.extend(other.corrections)
        self.frames.update(other.frames)
        self.overrides.extend(other.overrides)
        self.faces.extend(other.faces)
        self.face_counts.update(other.face_counts)
        self.ambiguous_action_units.extend(other.ambiguous_action_units)
        self.estimates.extend(other.estimates)

    def read_action_units(
        self, cell: object, file: Path, row: int, field: str, sample: str
    ) -> ActionUnitCoding | None:
        """The coding in a sample's AU cell. A cell that is no coding is a warning naming
        it, and the sample is imported without AUs; one offering two codings is listed."""
        try:
            coding = parse_action_units(cell)
        except ActionUnitError as exc:
            message = f"action units not read: {exc}; the sample is imported without them"
            self.warnings.append(ImportIssue(file, message, row, field, sample))
            return None
        if coding is not None and coding.unread:
            message = f"{' '.join(coding.unread)!r} is no action unit; kept {coding.code()}"
            self.warnings.append(ImportIssue(file, message, row, field, sample))
        if coding is not None and coding.ambiguous:
            message = f"{coding.text!r} offers {len(coding.alternatives)} codings; all kept"
            self.ambiguous_action_units.append(ImportIssue(file, message, row, field, sample))
        return coding

    def with_action_units(self) -> dict[str, tuple[int, int]]:
        """Per source dataset, its samples with an AU coding and all its samples."""
        coded: Counter[str] = Counter(s.dataset for s in self.samples if s.action_units)
        every = Counter(s.dataset for s in self.samples)
        return {dataset: (coded[dataset], n) for dataset, n in sorted(every.items())}

    def summary(self) -> dict[str, object]:
        """The report in plain JSON types (without the sample records themselves)."""

        def issues(found: list[ImportIssue]) -> list[dict[str, object]]:
            return [issue.as_dict() for issue in found]

        return {
            "imported": len(self.samples),
            "skipped": issues(self.skipped),
            "excluded": dict(self.excluded),
            "corrections": issues(self.corrections),
            "overrides": issues(self.overrides),
            "estimates": issues(self.estimates),
            "warnings": issues(self.warnings),
            "frames": {dataset: str(folder) for dataset, folder in self.frames.items()},
            "faces": issues(self.faces),
            "face_counts": dict(self.face_counts),
            "action_units": {
                d: {"coded": c, "samples": n} for d, (c, n) in self.with_action_units().items()
            },
            "ambiguous_action_units": issues(self.ambiguous_action_units),
        }

    def counts(self) -> Counter[tuple[str, str]]:
        """Imported samples per (dataset, label)."""
        return Counter((s.dataset, s.label) for s in self.samples)


class SheetError(ValueError):
    """An annotation sheet or manifest that cannot be read at all."""

    def __init__(self, file: Path, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
