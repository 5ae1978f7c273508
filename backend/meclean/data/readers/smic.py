"""SMIC-HS: ``s1/micro/negative/s1_ne_01/image*.bmp``; no apex annotation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from meclean.data.labels import Label, class_or_none
from meclean.data.readers.coded import note_override
from meclean.data.readers.common import (
    DEFAULTS,
    ImportOptions,
    Override,
    SampleKey,
    SampleProblem,
    duplicated,
    label_of,
    read_overrides,
    resolve_frames,
    sample_key,
)
from meclean.data.readers.discovery import (
    FrameTree,
    find_frames_root,
    index_frames,
    record_frames,
    subfolders,
)
from meclean.data.records import ImportIssue, ImportReport, SampleRecord

_SUBJECT_DIR = re.compile(r"^s\d+$", re.IGNORECASE)
SMIC_HS = FrameTree(
    lambda p: bool(_SUBJECT_DIR.match(p.name)) and (p / "micro").is_dir(),
    sample_glob="micro/*/*",
    rejects=re.compile(r"^(vis|nir)$", re.IGNORECASE),  # SMIC-E's other cameras
)


def middle_frame(numbers: list[int]) -> int:
    """SMIC has no apex annotation; the convention is the middle frame of the clip."""
    ordered = sorted(numbers)
    return ordered[len(ordered) // 2]


def read_smic(
    root: Path,
    options: ImportOptions = DEFAULTS,
    roster: Mapping[SampleKey, Label] | None = None,
) -> ImportReport:
    """Samples of a SMIC-HS folder; the emotion is the name of the sample's parent folder."""
    frames_root, note = find_frames_root(root, SMIC_HS, options.frames)
    corrections = read_overrides(options.overrides)
    report = ImportReport()
    record_frames(report, "smic", frames_root, note)
    for subject_dir in subfolders(frames_root):
        micro = subject_dir / "micro"
        if not _SUBJECT_DIR.match(subject_dir.name) or not micro.is_dir():
            continue
        for emotion_dir in subfolders(micro):
            for sample_dir in subfolders(emotion_dir):
                subject, name = subject_dir.name, sample_dir.name
                key = sample_key(subject, name)
                override = corrections.get(key, Override())
                note_override(report, override, f"{subject}/{name}", roster is not None)
                emotion = override.emotion or emotion_dir.name
                try:
                    label = label_of("smic", emotion, key, roster)
                    if label is None:
                        _exclude(report, emotion, sample_dir, f"{subject}/{name}")
                        continue
                    frames = sorted(index_frames(sample_dir))
                    if not frames:
                        raise SampleProblem("no frame images")
                    onset = override.onset if override.onset is not None else frames[0]
                    offset = override.offset if override.offset is not None else frames[-1]
                    apex = override.apex if override.apex is not None else middle_frame(frames)
                    found = resolve_frames(sample_dir, onset, apex, offset, options.confine_to)
                except SampleProblem as problem:
                    report.skipped.append(
                        ImportIssue(
                            sample_dir,
                            problem.message,
                            field=problem.field,
                            sample=f"{subject}/{name}",
                        )
                    )
                    continue
                report.samples.append(
                    SampleRecord(
                        dataset="smic",
                        subject=subject,
                        name=name,
                        emotion=emotion,
                        label=label,
                        onset_path=found.onset,
                        apex_path=found.apex,
                        offset_path=found.offset,
                        apex_source="override" if override.apex is not None else "middle",
                    )
                )
    return drop_duplicates(report)


def _exclude(report: ImportReport, emotion: str, sample_dir: Path, sample: str) -> None:
    """SMIC's folders are its classes: a sample the roster leaves out is named."""
    if class_or_none("smic", emotion) is None:
        report.excluded[emotion] += 1
        return
    report.warnings.append(
        ImportIssue(
            sample_dir,
            f"a {emotion} sample that the roster leaves out; not imported",
            sample=sample,
        )
    )


def drop_duplicates(report: ImportReport) -> ImportReport:
    """Skip every copy of a sample name that stands in two emotion folders."""
    dupes = duplicated(sample_key(s.subject, s.name) for s in report.samples)
    for sample in [s for s in report.samples if sample_key(s.subject, s.name) in dupes]:
        report.samples.remove(sample)
        report.skipped.append(
            ImportIssue(
                sample.onset_path.parent,
                "duplicate sample name in several emotion folders; all copies skipped",
                field="filename",
                sample=f"{sample.subject}/{sample.name}",
            )
        )
    return report
