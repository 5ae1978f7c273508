"""CAS(ME)^3 Part A: ``spNO.1/a/color/8.jpg`` (the split release) and its ME label sheet."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from meclean.data.corrections import FrameField
from meclean.data.readers.coded import CodingSheetLayout, read_coded_dataset
from meclean.data.readers.common import DEFAULTS, ImportOptions
from meclean.data.readers.discovery import FrameTree
from meclean.data.records import ImportReport
from meclean.data.sheets import text


def sample_name(video: str, cells: Mapping[FrameField, object]) -> str:
    """One video ('a'..'m') holds several micro-expressions: 'a_28' for the one starting at
    frame 28, as the release's clip folders ('spNO.1_a_28') name them."""
    return f"{video}_{text(cells['onset'])}"


CASME3A = CodingSheetLayout(
    dataset="casme3a",
    columns={
        "subject": ("Subject",),
        "filename": ("Filename",),
        "onset": ("Onset",),
        "apex": ("Apex",),
        "offset": ("Offset",),
        "emotion": ("emotion", "Estimated Emotion"),
    },
    tree=FrameTree(lambda p: bool(re.match(r"^spNO\.\d+$", p.name)), sample_glob="*/color"),
    subject_folder=lambda cell: cell,
    sheet_hint=re.compile(r"part_?a.*me_label|cas\(me\)3.*label", re.IGNORECASE),
    sheet_avoid=re.compile(r"mae_label", re.IGNORECASE),  # the macro-expression sheet
    sample_folder=lambda root, r: root / r.subject / r.folder / "color",
    sample_name=sample_name,
)


def read_casme3a(root: Path, options: ImportOptions = DEFAULTS) -> ImportReport:
    """Micro-expressions of CAS(ME)^3 Part A (colour frames; the depth frames are not used)."""
    return read_coded_dataset(CASME3A, root, options)
