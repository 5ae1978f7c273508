"""Readers for the real dataset layouts; each returns an ``ImportReport``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal, get_args

from meclean.data.faces import crop_faces
from meclean.data.readers.casme2 import read_casme2
from meclean.data.readers.casme3 import read_casme3a
from meclean.data.readers.casme_sq import read_casme_sq
from meclean.data.readers.common import DEFAULTS, ImportOptions, read_overrides
from meclean.data.readers.fourdme import read_4dme
from meclean.data.readers.manifest import read_manifest
from meclean.data.readers.megc import read_megc2019
from meclean.data.readers.mmew import read_mmew
from meclean.data.readers.samm import read_samm
from meclean.data.readers.smic import read_smic
from meclean.data.records import ImportIssue, ImportReport, SheetError

Layout = Literal[
    "megc2019", "casme2", "samm", "smic", "casme3a", "4dme", "mmew", "casmesq", "manifest"
]
LAYOUTS: tuple[Layout, ...] = get_args(Layout)


_READERS: dict[Layout, Callable[[Path, ImportOptions], ImportReport]] = {
    "megc2019": read_megc2019,
    "casme2": read_casme2,
    "samm": read_samm,
    "smic": read_smic,
    "casme3a": read_casme3a,
    "4dme": read_4dme,
    "mmew": read_mmew,
    "casmesq": read_casme_sq,
    "manifest": read_manifest,
}


def read_dataset(
    layout: Layout,
    path: Path,
    options: ImportOptions = DEFAULTS,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Read a dataset folder (or a manifest CSV) in one of the supported layouts, and find
    the faces of raw frames (``progress`` follows that, one onset frame at a time).

    ``options.roster`` replaces the shipped MEGC2019 roster (for subsets and scaled
    synthetic sets).
    """
    if layout not in _READERS:
        raise SheetError(path, f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    if layout == "manifest" and options.overrides is not None:
        raise SheetError(options.overrides, "a manifest takes no overrides: edit the manifest")
    report = _READERS[layout](path, options)
    used = {issue.row for issue in report.overrides}
    for override in read_overrides(options.overrides).values():
        if override.row not in used and override.file is not None:
            report.warnings.append(
                ImportIssue(override.file, "matches no sample of the dataset", override.row)
            )
    crop_faces(report, options.faces, progress)
    return report


__all__ = ["LAYOUTS", "ImportOptions", "Layout", "read_dataset"]
