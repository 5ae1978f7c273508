"""SAMM: ``006/006_1_2/006_05562.jpg`` and its FACS-codes sheet (title rows above the table)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from meclean.data.labels import Label
from meclean.data.readers.coded import CodingSheetLayout, read_coded_dataset
from meclean.data.readers.common import DEFAULTS, ImportOptions, SampleKey
from meclean.data.readers.discovery import FrameTree
from meclean.data.records import ImportReport


def subject_folder(cell: str) -> str:
    """The sheet writes subject 6 (or 006) where the folder is '006'."""
    return f"{int(cell):03d}" if cell.isdigit() else cell


SAMM = CodingSheetLayout(
    dataset="samm",
    columns={
        "subject": ("Subject",),
        "filename": ("Filename",),
        "onset": ("Onset Frame",),
        "apex": ("Apex Frame",),
        "offset": ("Offset Frame",),
        "emotion": ("Estimated Emotion", "Emotion"),
    },
    tree=FrameTree(lambda p: bool(re.match(r"^\d{3}$", p.name))),
    subject_folder=subject_folder,
    sheet_hint=re.compile(r"facs|codes|samm", re.IGNORECASE),
    sheet_avoid=re.compile(r"long", re.IGNORECASE),  # SAMM_LongVideos_V3_Release.xlsx
)


def read_samm(
    root: Path,
    options: ImportOptions = DEFAULTS,
    roster: Mapping[SampleKey, Label] | None = None,
) -> ImportReport:
    """Samples of a SAMM folder."""
    return read_coded_dataset(SAMM, root, options, roster)
