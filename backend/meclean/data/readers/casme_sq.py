"""CAS(ME)^2 micro-expressions: ``cropped/15/anger1_1/img557.jpg`` (or ``selectedpic/s15/...``)
and ``CAS(ME)^2code_final.xlsx``, a sheet without a header row."""

from __future__ import annotations

import re
from pathlib import Path

from meclean.data.readers.coded import CodedRow, build_records
from meclean.data.readers.common import DEFAULTS, ImportOptions, read_overrides
from meclean.data.readers.discovery import FrameTree, find_frames_root, find_sheet, record_frames
from meclean.data.records import ImportReport
from meclean.data.sheets import read_headerless, text

COLUMNS = ("subject", "filename", "onset", "apex", "offset", "aus", "emotion", "type", "self")
# The sheet's columns, named as a user finds them in a spreadsheet program.
HEADERS = {
    "subject": "column A (subject)",
    "filename": "column B (expression)",
    "onset": "column C (onset)",
    "apex": "column D (apex)",
    "offset": "column E (offset)",
    "emotion": "column G (estimated emotion)",
    "action_units": "column F (action units)",
}
# The release's naming rule: the sheet's participants 1-22 are these recording numbers,
# which name the frame folders (cropped/15, selectedpic/s15).
FOLDER_NUMBER = {
    1: 15, 2: 16, 3: 19, 4: 20, 5: 21, 6: 22, 7: 23, 8: 24, 9: 25, 10: 26, 11: 27,
    12: 29, 13: 30, 14: 31, 15: 32, 16: 33, 17: 34, 18: 35, 19: 36, 20: 37, 21: 38, 22: 40,
}  # fmt: skip
TREE = FrameTree(
    lambda p: bool(re.match(r"^s?\d+$", p.name, re.IGNORECASE)),
    rejects=re.compile(r"^raw(pic|video)$", re.IGNORECASE),  # whole recordings, not samples
)


def subject_of(cell: str) -> str:
    """The recording number of a participant: '15' for the sheet's 1."""
    return str(FOLDER_NUMBER.get(int(cell), cell)) if cell.isdigit() else cell


def sample_folder(root: Path, row: CodedRow) -> Path:
    """``cropped`` names subject folders '15', ``selectedpic`` names them 's15'."""
    plain = root / row.subject / row.folder
    return plain if plain.parent.is_dir() else root / f"s{row.subject}" / row.folder


def read_casme_sq(root: Path, options: ImportOptions = DEFAULTS) -> ImportReport:
    """The micro-expressions of CAS(ME)^2; its macro-expressions are counted as excluded."""
    sheet = options.sheet or find_sheet(
        root,
        re.compile(r"code_?final", re.IGNORECASE),
        re.compile(r"naming", re.IGNORECASE),
        options.confine_to,
    )
    micro, macro = [], 0
    for r in read_headerless(sheet, COLUMNS):
        kind = text(r.values["type"]).lower()
        if "macro" in kind:
            macro += 1
            continue
        micro.append(
            CodedRow(
                row=r.row,
                subject=subject_of(text(r.values["subject"])),
                name=text(r.values["filename"]),
                folder=text(r.values["filename"]),
                emotion=text(r.values["emotion"]),
                cells={k: r.values[k] for k in ("onset", "apex", "offset")},
                action_units=r.values["aus"],
            )
        )
    frames_root, note = find_frames_root(root, TREE, options.frames)
    report = build_records(
        dataset="casmesq",
        sheet=sheet,
        rows=micro,
        sample_dir=lambda r: sample_folder(frames_root, r),
        columns=HEADERS,
        overrides=read_overrides(options.overrides),
        roster=None,
        corrections=options.corrections,
        roots=options.confine_to,
        estimates=options.estimates,
    )
    if macro:
        report.excluded["macro-expression"] += macro
    record_frames(report, "casmesq", frames_root, note)
    return report
