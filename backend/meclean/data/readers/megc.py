"""The MEGC2019 composite: CASME II, SAMM and SMIC-HS folders, labelled by the roster."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from meclean.data.labels import Label
from meclean.data.readers.casme2 import read_casme2
from meclean.data.readers.common import DEFAULTS, ImportOptions, SampleKey, sample_key
from meclean.data.readers.discovery import subfolders
from meclean.data.readers.samm import read_samm
from meclean.data.readers.smic import read_smic
from meclean.data.records import ImportIssue, ImportReport, SheetError
from meclean.data.roster import DATASETS, ROSTER_PATH, load_roster

# Exact names: CASME2 or CASME II (not CASME, which is CASME I, nor CAS(ME)^2), SAMM (not
# SAMM_LongVideos, the spotting release), SMIC.
_FOLDER_NAME = {
    "casme2": re.compile(r"^casme[ _-]?(2|ii)(?![0-9a-z])", re.IGNORECASE),
    "samm": re.compile(r"^samm(?!.*long)", re.IGNORECASE),
    "smic": re.compile(r"^smic", re.IGNORECASE),
}
_DISPLAY = {"casme2": "CASME2/", "samm": "SAMM/", "smic": "SMIC/"}


def find_dataset_folders(root: Path, given: dict[str, Path] | None = None) -> dict[str, Path]:
    """The CASME II, SAMM and SMIC folders: the given ones, else found by name under ``root``."""
    found = dict(given or {})
    if len(found) < len(DATASETS) and not root.is_dir():
        raise SheetError(root, "composite folder not found")
    for dataset in DATASETS:
        if dataset in found:
            continue
        matches = [p for p in subfolders(root) if _FOLDER_NAME[dataset].match(p.name)]
        if len(matches) > 1:
            names = ", ".join(p.name for p in matches)
            raise SheetError(
                root,
                f"several folders could be {dataset} ({names}); choose with --part {dataset}=PATH",
            )
        if matches:
            found[dataset] = matches[0]
    missing = [d for d in DATASETS if d not in found]
    if missing:
        expected = ", ".join(_DISPLAY[d] for d in missing)
        options = ", ".join(f"--part {d}=PATH" for d in missing)
        raise SheetError(
            root, f"no folder for {', '.join(missing)} (expected {expected}; or {options})"
        )
    return found


def read_megc2019(root: Path, options: ImportOptions = DEFAULTS) -> ImportReport:
    """Every roster sample found in the three datasets, with the roster's label and names.

    3-class samples on disk that the roster does not list are named in warnings; roster
    samples that are not on disk are reported as skipped.
    """
    if options.sheet is not None or options.frames is not None:
        raise SheetError(
            root,
            "--sheet and --frames name one dataset's files; for the composite use "
            "--part-sheet casme2=FILE (or samm=FILE) and --part casme2=FOLDER (samm, smic)",
        )
    for dataset, folder in options.parts.items():
        if not folder.is_dir():
            raise SheetError(folder, f"folder not found (--part {dataset})")
    if "smic" in options.part_sheets:
        raise SheetError(options.part_sheets["smic"], "SMIC-HS has no annotation sheet to give")
    folders = find_dataset_folders(root, dict(options.parts))
    entries = load_roster(options.roster or ROSTER_PATH)
    report = ImportReport()
    for dataset in DATASETS:
        wanted = {sample_key(e.subject, e.filename): e for e in entries if e.dataset == dataset}
        labels: dict[SampleKey, Label] = {key: e.label for key, e in wanted.items()}
        part_options = replace(options, sheet=options.part_sheets.get(dataset))
        reader = {"smic": read_smic, "casme2": read_casme2, "samm": read_samm}[dataset]
        try:
            part = reader(folders[dataset], part_options, roster=labels)
        except SheetError as exc:
            raise _for_composite(exc, dataset) from None
        found = {sample_key(s.subject, s.name) for s in part.samples}
        found |= {sample_key(*i.sample.split("/", 1)) for i in part.skipped if i.sample}
        part.samples = [
            replace(s, subject=wanted[k].subject, name=wanted[k].filename)
            for s in part.samples
            for k in [sample_key(s.subject, s.name)]
        ]
        for key, entry in wanted.items():
            if key not in found:
                part.skipped.append(
                    ImportIssue(
                        folders[dataset],
                        "listed in the roster but not found in the dataset",
                        sample=f"{entry.subject}/{entry.filename}",
                    )
                )
        report.extend(part)
    return report


def _for_composite(error: SheetError, dataset: str) -> SheetError:
    """A source dataset's error, with the options that the composite takes instead."""
    message = str(error).removeprefix(f"{error.file}: ")
    message = message.replace("--sheet", f"--part-sheet {dataset}=FILE")
    message = message.replace("--frames", f"--part {dataset}=FOLDER")
    return SheetError(error.file, f"{dataset}: {message}")
