"""MMEW: ``Micro_Expression/happiness/S03-01-002/1.jpg`` and ``MMEW_Micro_Exp.xlsx``."""

from __future__ import annotations

import re
from pathlib import Path

from meclean.data.labels import dataset_emotions
from meclean.data.readers.coded import CodingSheetLayout, read_coded_dataset
from meclean.data.readers.common import DEFAULTS, ImportOptions
from meclean.data.readers.discovery import FrameTree
from meclean.data.records import ImportReport

MMEW = CodingSheetLayout(
    dataset="mmew",
    columns={
        "subject": ("Subject",),
        "filename": ("Filename",),
        "onset": ("OnsetFrame",),
        "apex": ("ApexFrame",),
        "offset": ("OffsetFrame",),
        "emotion": ("Estimated Emotion", "Emotion"),
    },
    # Sample folders sit in emotion folders, not subject folders.
    tree=FrameTree(
        lambda p: p.name.lower() in dataset_emotions("mmew"),
        rejects=re.compile(r"^macro", re.IGNORECASE),  # MMEW_Final also ships Macro_Expression
    ),
    subject_folder=lambda cell: cell,
    sheet_hint=re.compile(r"mmew.*micro|micro_exp", re.IGNORECASE),
    sample_folder=lambda root, r: root / r.emotion.lower() / r.folder,
)


def read_mmew(root: Path, options: ImportOptions = DEFAULTS) -> ImportReport:
    """Micro-expressions of MMEW (its frames come cropped to the face)."""
    return read_coded_dataset(MMEW, root, options)
