"""Readers for the real dataset layouts; each returns an ``ImportReport``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from meclean.data.readers.casme2 import read_casme2
from meclean.data.readers.manifest import read_manifest
from meclean.data.readers.megc import read_megc2019
from meclean.data.readers.samm import read_samm
from meclean.data.readers.smic import read_smic
from meclean.data.records import ImportReport, SheetError
from meclean.data.roster import ROSTER_PATH

Layout = Literal["megc2019", "casme2", "samm", "smic", "manifest"]
LAYOUTS: tuple[Layout, ...] = ("megc2019", "casme2", "samm", "smic", "manifest")


def read_dataset(
    layout: Layout,
    path: Path,
    sheet: Path | None = None,
    overrides: Path | None = None,
    roster: Path | None = None,
) -> ImportReport:
    """Read a dataset folder (or a manifest CSV) in one of the supported layouts.

    ``roster`` replaces the shipped MEGC2019 roster (for subsets and scaled synthetic sets).
    """
    if layout == "megc2019":
        return read_megc2019(path, roster or ROSTER_PATH, overrides)
    if layout == "casme2":
        return read_casme2(path, sheet, overrides)
    if layout == "samm":
        return read_samm(path, sheet, overrides)
    if layout == "smic":
        return read_smic(path, overrides)
    if layout == "manifest":
        return read_manifest(path)
    raise SheetError(path, f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")


__all__ = ["LAYOUTS", "Layout", "read_dataset"]
