"""A generic manifest for any other dataset: one CSV row per sample with its frame paths."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from meclean.data.labels import CLASSES, Label
from meclean.data.readers.common import (
    SampleProblem,
    check_readable,
    duplicated,
    sample_key,
)
from meclean.data.records import ImportIssue, ImportReport, SampleRecord
from meclean.data.sheets import read_sheet, text

REQUIRED = {
    "subject": ("subject",),
    "label": ("label",),
    "onset": ("onset", "onset path", "onset frame"),
    "apex": ("apex", "apex path", "apex frame"),
}
OPTIONAL = {
    "dataset": ("dataset",),
    "name": ("name", "sample", "filename"),
    "emotion": ("emotion",),
    "offset": ("offset", "offset path", "offset frame"),
}


def read_manifest(path: Path, dataset: str = "custom") -> ImportReport:
    """Samples listed in a manifest CSV; image paths are relative to the manifest's folder."""
    rows = read_sheet(path, REQUIRED, OPTIONAL)
    base = path.parent

    def name_of(values: dict) -> str:
        return text(values.get("name")) or Path(text(values["onset"])).parent.name

    dupes = duplicated(sample_key(text(r.values["subject"]), name_of(r.values)) for r in rows)
    report = ImportReport()
    for r in rows:
        values = r.values
        subject, name = text(values["subject"]), name_of(values)
        try:
            if not subject:
                raise SampleProblem("empty subject", "subject")
            if sample_key(subject, name) in dupes:
                raise SampleProblem(
                    f"duplicate sample {subject}/{name}; all copies skipped", "name"
                )
            label = text(values["label"]).lower()
            if label not in CLASSES:
                raise SampleProblem(
                    f"label {text(values['label'])!r} is not one of {', '.join(CLASSES)}", "label"
                )
            frames = {}
            for field in ("onset", "apex", "offset"):
                cell = text(values.get(field))
                if not cell:
                    if field == "offset":
                        continue
                    raise SampleProblem(f"missing {field} image path", field)
                frame = (base / cell).resolve()
                if not frame.is_file():
                    raise SampleProblem(f"{field} image {cell} not found", field)
                frames[field] = frame
            if frames["onset"] == frames["apex"]:
                raise SampleProblem("apex is the onset image: no motion to measure", "apex")
            check_readable(frames["onset"], "onset")
            check_readable(frames["apex"], "apex")
        except SampleProblem as problem:
            report.skipped.append(
                ImportIssue(path, problem.message, r.row, problem.field, f"{subject}/{name}")
            )
            continue
        report.samples.append(
            SampleRecord(
                dataset=text(values.get("dataset")) or dataset,
                subject=subject,
                name=name,
                emotion=text(values.get("emotion")) or label,
                label=cast(Label, label),
                onset_path=frames["onset"],
                apex_path=frames["apex"],
                offset_path=frames.get("offset"),
                apex_source="manifest",
            )
        )
    return report
