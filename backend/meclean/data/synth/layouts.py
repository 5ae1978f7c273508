"""Write planned samples in the real folder layouts, with the real annotation sheets."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np
from openpyxl import Workbook

from meclean.data.corrections import FRAME_FIELDS
from meclean.data.synth.plan import PlannedSample, known_errors

CASME2_SHEET = "CASME2-coding-synthetic.xlsx"
SAMM_SHEET = "SAMM_Micro_FACS_Codes_synthetic.xlsx"
GROUND_TRUTH = "ground_truth.csv"
ROSTER = "roster.csv"


def _smic_name(value: str) -> str:
    """SMIC's folders say 's1' and 's1_ne_01' where MEGC rosters say 's01' and 's01_ne_01'."""
    head, _, rest = value.partition("_")
    head = f"s{int(head[1:])}"
    return f"{head}_{rest}" if rest else head


def sample_dir(root: Path, sample: PlannedSample) -> Path:
    e = sample.entry
    if e.dataset == "casme2":
        return root / "CASME2" / "Cropped" / f"sub{int(e.subject[3:]):02d}" / e.filename
    if e.dataset == "samm":
        return root / "SAMM" / f"{int(e.subject):03d}" / e.filename
    return root / "SMIC" / "HS" / _smic_name(e.subject) / "micro" / e.label / _smic_name(e.filename)


def frame_path(root: Path, sample: PlannedSample, offset: int) -> Path:
    """Where frame ``first_frame + offset`` goes, named as the dataset names its frames."""
    number = sample.first_frame + offset
    folder = sample_dir(root, sample)
    if sample.entry.dataset == "casme2":
        return folder / f"reg_img{number}.jpg"
    if sample.entry.dataset == "samm":
        return folder / f"{int(sample.entry.subject):03d}_{number:05d}.jpg"
    return folder / f"image{number:06d}.bmp"


def write_frames(root: Path, sample: PlannedSample, frames: list[np.ndarray]) -> None:
    folder = sample_dir(root, sample)
    folder.mkdir(parents=True, exist_ok=True)
    for offset, frame in enumerate(frames):
        path = frame_path(root, sample, offset)
        params = [cv2.IMWRITE_JPEG_QUALITY, 92] if path.suffix == ".jpg" else []
        if not cv2.imwrite(str(path), frame, params):
            raise OSError(f"could not write {path}")


def _frames(sample: PlannedSample) -> tuple[int, int, int]:
    first = sample.first_frame
    return first, first + sample.clip.apex_index, first + sample.clip.n_frames - 1


def _cells(sample: PlannedSample) -> list[object]:
    """Onset, apex and offset as the real sheet writes them: its known errors included."""
    cells: list[object] = list(_frames(sample))
    for field, fix in known_errors(sample.entry).items():
        if sample.copy == 0:
            cells[FRAME_FIELDS.index(field)] = fix.sheet_value.split("|")[0] or None
    return cells


def _moved(sample: PlannedSample) -> str:
    """The AUs its face moves, whatever the sheet codes."""
    return "+".join(str(au) for m in sample.clip.movements for au in m.aus)


def write_casme2_sheet(root: Path, samples: Iterable[PlannedSample]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Subject",
            "Filename",
            "OnsetFrame",
            "ApexFrame",
            "OffsetFrame",
            "Action Units",
            "Estimated Emotion",
        ]
    )
    for s in samples:
        if s.entry.dataset == "casme2":
            subject = int(s.entry.subject[3:])
            sheet.append([subject, s.entry.filename, *_cells(s), s.action_units, s.emotion])
    path = root / "CASME2" / CASME2_SHEET
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_samm_sheet(root: Path, samples: Iterable[PlannedSample]) -> Path:
    book = Workbook()
    sheet = book.active
    # The real sheet has a block of title and notes rows above its table.
    sheet.append(["SAMM Micro-Movement FACS codes (synthetic stand-in written by meclean)"])
    sheet.append(["Frames are numbered as in the image file names."])
    sheet.append([])
    sheet.append(
        [
            "Subject",
            "Filename",
            "Inducement Code",
            "Onset Frame",
            "Apex Frame",
            "Offset Frame",
            "Duration",
            "Type",
            "Action Units",
            "Notes",
            "Estimated Emotion",
        ]
    )
    for s in samples:
        if s.entry.dataset == "samm":
            onset, _, offset = _frames(s)
            sheet.append(
                [
                    int(s.entry.subject),
                    s.entry.filename,
                    1,
                    *_cells(s),
                    offset - onset + 1,
                    "Micro - 1/2",
                    s.action_units,
                    "",
                    s.emotion,
                ]
            )
    path = root / "SAMM" / SAMM_SHEET
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_roster(root: Path, samples: Iterable[PlannedSample]) -> Path:
    path = root / ROSTER
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["dataset", "subject", "filename", "label"])
        for s in samples:
            writer.writerow([s.entry.dataset, s.entry.subject, s.entry.filename, s.entry.label])
    return path


def write_ground_truth(root: Path, samples: Iterable[PlannedSample]) -> Path:
    """What generated each sample; the importers never read this file."""
    path = root / GROUND_TRUTH
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "dataset",
                "subject",
                "filename",
                "given_label",
                "true_label",
                "noise",
                "mixed_with",
                "emotion",
                "action_units",
                "coded_action_units",
                "coding_error",
                "side",
                "amplitude_px",
                "blink",
                "weak_kind",
            ]
        )
        for s in samples:
            clip = s.clip
            writer.writerow(
                [
                    s.entry.dataset,
                    s.entry.subject,
                    s.entry.filename,
                    s.entry.label,
                    s.true_label,
                    s.noise,
                    s.mixed_with or "",
                    clip.movements[0].emotion,
                    _moved(s),
                    s.action_units,
                    s.coding_error,
                    clip.movements[0].side,
                    f"{clip.amplitude:.3f}",
                    int(clip.blink_at is not None),
                    clip.extra.get("weak", ""),
                ]
            )
    return path
