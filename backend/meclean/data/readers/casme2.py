"""CASME II: ``sub01/EP02_01f/img46.jpg`` (or cropped ``reg_img46.jpg``) and its coding sheet."""

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
    """The sheet writes subject 1 (or 01) where the folder is 'sub01'."""
    return f"sub{int(cell):02d}" if cell.isdigit() else cell


CASME2 = CodingSheetLayout(
    dataset="casme2",
    columns={
        "subject": ("Subject",),
        "filename": ("Filename",),
        "onset": ("OnsetFrame",),
        "apex": ("ApexFrame",),
        "offset": ("OffsetFrame",),
        "emotion": ("Estimated Emotion", "Emotion"),
    },
    tree=FrameTree(lambda p: bool(re.match(r"^sub\d+$", p.name, re.IGNORECASE))),
    subject_folder=subject_folder,
    sheet_hint=re.compile(r"coding", re.IGNORECASE),
)


def read_casme2(
    root: Path,
    options: ImportOptions = DEFAULTS,
    roster: Mapping[SampleKey, Label] | None = None,
) -> ImportReport:
    """Samples of a CASME II folder, raw or cropped frames."""
    return read_coded_dataset(CASME2, root, options, roster)
