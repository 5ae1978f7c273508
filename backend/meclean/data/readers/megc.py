"""The MEGC2019 composite: CASME II, SAMM and SMIC-HS folders, labelled by the roster."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from meclean.data.labels import Label
from meclean.data.readers.casme2 import read_casme2
from meclean.data.readers.common import SampleKey, sample_key
from meclean.data.readers.samm import read_samm
from meclean.data.readers.smic import read_smic
from meclean.data.records import ImportIssue, ImportReport, SheetError
from meclean.data.roster import DATASETS, ROSTER_PATH, load_roster

_FOLDER_PREFIX = {"casme2": "casme", "samm": "samm", "smic": "smic"}


def find_dataset_folders(root: Path) -> dict[str, Path]:
    """The CASME II, SAMM and SMIC folders directly under ``root``, found by name."""
    if not root.is_dir():
        raise SheetError(root, "composite folder not found")
    found: dict[str, Path] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for dataset, prefix in _FOLDER_PREFIX.items():
            if folder.name.lower().startswith(prefix) and dataset not in found:
                found[dataset] = folder
    missing = [d for d in DATASETS if d not in found]
    if missing:
        raise SheetError(
            root, f"no folder for {', '.join(missing)} (expected CASME2/, SAMM/, SMIC/)"
        )
    return found


def read_megc2019(
    root: Path,
    roster_path: Path = ROSTER_PATH,
    overrides: Path | None = None,
) -> ImportReport:
    """Every roster sample found in the three datasets, with the roster's label and names.

    Samples on disk that the roster does not list are counted as excluded; roster samples
    that are not on disk are reported as skipped.
    """
    folders = find_dataset_folders(root)
    entries = load_roster(roster_path)
    report = ImportReport()
    for dataset in DATASETS:
        wanted = {sample_key(e.subject, e.filename): e for e in entries if e.dataset == dataset}
        labels: dict[SampleKey, Label] = {key: e.label for key, e in wanted.items()}
        if dataset == "smic":
            part = read_smic(folders[dataset], overrides, roster=labels)
        elif dataset == "casme2":
            part = read_casme2(folders[dataset], overrides=overrides, roster=labels)
        else:
            part = read_samm(folders[dataset], overrides=overrides, roster=labels)
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
