"""4DME: frames in ``gray_micro_crop/S13/<fold_name>/`` and the micro-expression label sheet."""

from __future__ import annotations

import re
from pathlib import Path

from meclean.data.readers.coded import CodingSheetLayout, read_coded_dataset
from meclean.data.readers.common import DEFAULTS, ImportOptions
from meclean.data.readers.discovery import FrameTree
from meclean.data.records import ImportReport

FOURDME = CodingSheetLayout(
    dataset="4dme",
    columns={
        "subject": ("sub_ID", "Subject"),
        "filename": ("fold_name", "Filename"),
        "onset": ("Onset",),
        "apex": ("Apex",),
        "offset": ("Offset",),
        "emotion": ("Emotion",),
    },
    tree=FrameTree(lambda p: bool(re.match(r"^s\d+$", p.name, re.IGNORECASE))),
    subject_folder=lambda cell: cell,
    sheet_hint=re.compile(r"4dme.*micro", re.IGNORECASE),
    sheet_avoid=re.compile(r"extras", re.IGNORECASE),  # self-reported emotions, same rows
)


def read_4dme(root: Path, options: ImportOptions = DEFAULTS) -> ImportReport:
    """Micro-expressions of 4DME (grey frames; cropped ones are preferred when both ship)."""
    return read_coded_dataset(FOURDME, root, options)
