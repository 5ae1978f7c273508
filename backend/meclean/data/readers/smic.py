"""SMIC-HS: ``s1/micro/negative/s1_ne_01/image*.bmp``; no apex annotation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from meclean.data.labels import Label
from meclean.data.readers.common import (
    Override,
    SampleKey,
    SampleProblem,
    duplicated,
    find_frames_root,
    index_frames,
    label_of,
    read_overrides,
    resolve_frames,
    sample_key,
)
from meclean.data.records import ImportIssue, ImportReport, SampleRecord

_SUBJECT_DIR = re.compile(r"^s\d+$", re.IGNORECASE)


def middle_frame(numbers: list[int]) -> int:
    """SMIC has no apex annotation; the convention is the middle frame of the clip."""
    ordered = sorted(numbers)
    return ordered[len(ordered) // 2]


def read_smic(
    root: Path,
    overrides: Path | None = None,
    roster: Mapping[SampleKey, Label] | None = None,
) -> ImportReport:
    """Samples of a SMIC-HS folder; the emotion is the name of the sample's parent folder."""
    frames_root = find_frames_root(
        root, lambda p: bool(_SUBJECT_DIR.match(p.name)) and (p / "micro").is_dir()
    )
    corrections = read_overrides(overrides)
    report = ImportReport()
    for subject_dir in sorted(p for p in frames_root.iterdir() if _SUBJECT_DIR.match(p.name)):
        micro = subject_dir / "micro"
        if not micro.is_dir():
            continue
        for emotion_dir in sorted(p for p in micro.iterdir() if p.is_dir()):
            for sample_dir in sorted(p for p in emotion_dir.iterdir() if p.is_dir()):
                subject, name = subject_dir.name, sample_dir.name
                key = sample_key(subject, name)
                override = corrections.get(key, Override())
                emotion = override.emotion or emotion_dir.name
                try:
                    label = label_of("smic", emotion, key, roster)
                    if label is None:
                        report.excluded[emotion if roster is None else "not in roster"] += 1
                        continue
                    frames = sorted(index_frames(sample_dir))
                    if not frames:
                        raise SampleProblem("no frame images")
                    onset = override.onset if override.onset is not None else frames[0]
                    offset = override.offset if override.offset is not None else frames[-1]
                    apex = override.apex if override.apex is not None else middle_frame(frames)
                    onset_path, apex_path, offset_path = resolve_frames(
                        sample_dir, onset, apex, offset, "apex"
                    )
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
                        onset_path=onset_path,
                        apex_path=apex_path,
                        offset_path=offset_path,
                        apex_source="override" if override.apex is not None else "middle",
                    )
                )
    return drop_duplicates(report)


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
