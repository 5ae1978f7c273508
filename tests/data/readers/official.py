"""Trees built to the official releases' layouts, with their sheets' known errors.

Every roster sample gets its onset, apex and offset frames (tiny images) where the real
release puts them, beside what such a release also holds: CASME I next to CASME II, the
compressed videos, SAMM's long-video sheet, SMIC-HS below SMIC_all_raw with its VIS and
NIR cameras. Rows that a known correction concerns carry the known wrong value in the
sheet and frames where the corrected value points.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from meclean.data.corrections import SheetCorrection, load_corrections
from meclean.data.labels import emotions_for
from meclean.data.readers.common import sample_key
from meclean.data.roster import RosterEntry, load_roster
from tests.helpers import write_frames

CASME2_SHEET = "CASME2-coding-20140508.xlsx"
SAMM_SHEET = "SAMM_Micro_FACS_Codes_v2.xlsx"
CASME2_FRAMES = Path("CASME2") / "Cropped" / "Cropped"  # as the zip unpacks
SAMM_FRAMES = Path("SAMM") / "SAMM"
SMIC_FRAMES = Path("SMIC") / "SMIC_all_raw" / "HS"
# 3-class rows of the CASME II sheet that the MEGC2019 roster leaves out.
LEFT_OUT = [("sub04", "EP12_01f", "disgust"), ("sub24", "EP02_07", "surprise")]


@dataclass(frozen=True)
class Frames:
    onset: int
    apex: int
    offset: int
    cells: dict[str, object]
    """What the sheet writes for each field (the known wrong value where one is listed)."""


def frames_of(dataset: str, subject: str, name: str) -> Frames:
    fixes: dict[str, SheetCorrection] = {
        c.field: c
        for c in load_corrections()
        if c.dataset == dataset and sample_key(c.subject, c.filename) == sample_key(subject, name)
    }
    onset, apex, offset = 110, 113, 116
    if "apex" in fixes:
        apex = int(fixes["apex"].value)
        onset, offset = apex - 3, apex + 3
    elif "offset" in fixes:
        offset = int(fixes["offset"].value)
        onset, apex = offset - 6, offset - 3
    cells: dict[str, object] = {"onset": onset, "apex": apex, "offset": offset}
    for field, fix in fixes.items():
        cells[field] = fix.sheet_value.split("|")[0] or None
    return Frames(onset, apex, offset, cells)


def build_official_tree(root: Path) -> Path:
    """The MEGC2019 composite's three releases under ``root``, every roster sample in place."""
    roster = load_roster()
    _casme2(root, [e for e in roster if e.dataset == "casme2"])
    _samm(root, [e for e in roster if e.dataset == "samm"])
    _smic(root, [e for e in roster if e.dataset == "smic"])
    write_frames(root / "CASME" / "CASME_raw_selected" / "sub01" / "EP01_5", ["EP01_5-1.jpg"])
    return root


def _casme2(root: Path, entries: list[RosterEntry]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Subject", "Filename", None, "OnsetFrame", "ApexFrame", "OffsetFrame", None,
                  "Action Units", "Estimated Emotion"])  # fmt: skip
    rows = [(e.subject, e.filename, emotions_for("casme2", e.label)[0]) for e in entries]
    rows += [*LEFT_OUT, ("sub01", "EP08_03", "others")]
    for subject, name, emotion in rows:
        f = frames_of("casme2", subject, name)
        number = int(subject[3:])
        sheet.append([number, name, None, f.cells["onset"], f.cells["apex"], f.cells["offset"],
                      None, "12", emotion])  # fmt: skip
        write_frames(
            root / CASME2_FRAMES / f"sub{number:02d}" / name,
            [f"reg_img{n}.jpg" for n in (f.onset, f.apex, f.offset)],
        )
    (root / "CASME2").mkdir(parents=True, exist_ok=True)
    book.save(root / "CASME2" / CASME2_SHEET)
    videos = root / "CASME2" / "CASME2_Compressed video" / "CASME2_compressed" / "sub01"
    videos.mkdir(parents=True)
    (videos / "EP02_01f.avi").write_bytes(b"RIFF....AVI ")


def _samm(root: Path, entries: list[RosterEntry]) -> None:
    header = ["Subject", "Filename", "Inducement Code", "Onset Frame", "Apex Frame",
              "Offset Frame", "Duration", "Micro", "Action Units", "Estimated Emotion",
              "Objective Classes", "Notes"]  # fmt: skip
    book = Workbook()
    sheet = book.active
    for title in (["SAMM Micro-Facial Movement Dataset"], ["FACS coded by experts"], [], []):
        sheet.append(title)
    sheet.append(header)
    for e in entries:
        f = frames_of("samm", e.subject, e.filename)
        subject = int(e.subject)
        emotion = emotions_for("samm", e.label)[0]
        sheet.append([subject, e.filename, 1, f.cells["onset"], f.cells["apex"],
                      f.cells["offset"], f.offset - f.onset + 1, "Micro - 1/2", "4", emotion,
                      1, ""])  # fmt: skip
        write_frames(
            root / SAMM_FRAMES / f"{subject:03d}" / e.filename,
            [f"{subject:03d}_{n:05d}.jpg" for n in (f.onset, f.apex, f.offset)],
        )
    book.save(root / "SAMM" / SAMM_SHEET)
    long_videos = Workbook()
    long_videos.active.append(["Subject", "Filename", "Onset", "Apex", "Offset"])
    long_videos.save(root / "SAMM" / "SAMM_LongVideos_V3_Release.xlsx")


def _smic_name(value: str) -> str:
    """SMIC's folders say 's1_ne_01' where the roster says 's01_ne_01'."""
    head, _, rest = value.partition("_")
    return f"s{int(head[1:])}" + (f"_{rest}" if rest else "")


def _smic(root: Path, entries: list[RosterEntry]) -> None:
    for e in entries:
        folder = root / SMIC_FRAMES / _smic_name(e.subject) / "micro" / e.label
        write_frames(folder / _smic_name(e.filename), [f"image{n:06d}.bmp" for n in range(5)])
    for camera in ("VIS", "NIR"):
        other = root / "SMIC" / "SMIC_all_raw" / camera / "s1" / "micro" / "negative" / "s1_ne_01"
        write_frames(other, ["image000000.bmp", "image000001.bmp"])
