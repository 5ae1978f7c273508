"""Finding a release's frames and sheet: sample folders are folders of image frames."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

from meclean.data.records import ImportIssue, ImportReport, SheetError

FRAME_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"})
SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".csv"})
SEARCH_DEPTH = 4
"""How many folder levels below a dataset folder the frames are looked for."""
_TRAILING_NUMBER = re.compile(r"(\d+)$")
_IGNORED = re.compile(r"^(\.|__macosx$|~\$)", re.IGNORECASE)


def index_frames(sample_dir: Path) -> dict[int, Path]:
    """Frame files of a sample folder by the number at the end of their name."""
    frames: dict[int, Path] = {}
    for path in sample_dir.iterdir():
        if path.suffix.lower() not in FRAME_SUFFIXES or _IGNORED.match(path.name):
            continue  # macOS leaves '._img1.jpg' beside 'img1.jpg' on foreign disks
        match = _TRAILING_NUMBER.search(path.stem)
        if match:
            frames[int(match.group(1))] = path
    return frames


def frame_number_of(path: Path) -> int | None:
    """The number at the end of a frame file's name, as ``index_frames`` reads it."""
    match = _TRAILING_NUMBER.search(path.stem)
    return int(match.group(1)) if match else None


def clip_frames(first: Path, last: Path, most: int) -> list[Path]:
    """The frames from ``first`` to ``last`` of their sample folder, at most ``most`` of
    them evenly spread (both ends kept); just the two when their numbers are unknown."""
    numbers = [_TRAILING_NUMBER.search(p.stem) for p in (first, last)]
    if first.parent != last.parent or not all(numbers):
        return [first, last]
    start, end = (int(m.group(1)) for m in numbers if m)
    frames = index_frames(first.parent)
    inside = [frames[n] for n in sorted(frames) if start <= n <= end]
    if len(inside) <= most:
        return inside
    picks = np.linspace(0, len(inside) - 1, most).round().astype(int)
    return [inside[i] for i in dict.fromkeys(picks)]


def holds_frames(folder: Path) -> bool:
    """A folder with image frames in it (a video file or a folder of folders is not one)."""
    return any(
        p.suffix.lower() in FRAME_SUFFIXES and not _IGNORED.match(p.name)
        for p in islice(folder.iterdir(), 50)
    )


def subfolders(folder: Path) -> Iterator[Path]:
    return (p for p in sorted(folder.iterdir()) if p.is_dir() and not _IGNORED.match(p.name))


@dataclass(frozen=True)
class FrameTree:
    """How a dataset lays out its frames below the folder that holds its subjects."""

    is_subject_dir: Callable[[Path], bool]
    sample_glob: str = "*"
    """Where a subject folder's sample folders are, e.g. 'micro/*/*' for SMIC."""
    rejects: re.Pattern[str] | None = None
    """Folder names that mark another release part (SMIC's VIS and NIR cameras)."""

    def holds_subjects(self, folder: Path) -> bool:
        """Some subject folder in it has a sample folder of frames (a few are looked at)."""
        subjects = (p for p in subfolders(folder) if self.is_subject_dir(p))
        for subject in islice(subjects, 3):
            samples = (p for p in sorted(subject.glob(self.sample_glob)) if p.is_dir())
            if any(holds_frames(s) for s in islice(samples, 3)):
                return True
        return False


def find_frames_root(root: Path, tree: FrameTree, frames: Path | None = None) -> tuple[Path, str]:
    """The folder at or below ``root`` that holds the subject folders, and a note on the choice.

    Video folders and folders without frames are passed over; where several folders
    qualify (raw and cropped frames, say), cropped frames win, and any other tie is an error
    that asks for ``--frames``.
    """
    if frames is not None:
        if not frames.is_dir() or not tree.holds_subjects(frames):
            raise SheetError(frames, "no subject folders with image frames here (--frames)")
        return frames, ""
    if not root.is_dir():
        raise SheetError(root, "dataset folder not found")
    found: list[Path] = []
    level = [root]
    seen: set[str] = set()
    for _ in range(SEARCH_DEPTH + 1):
        below: list[Path] = []
        for folder in level:
            if tree.rejects and any(tree.rejects.match(part) for part in _parts(root, folder)):
                continue
            # A folder reached again through a symlink (a loop, a link to a parent) is
            # looked at once: the search stays small and finds no phantom copies.
            real = os.path.realpath(folder)
            if real in seen:
                continue
            seen.add(real)
            if tree.holds_subjects(folder):
                found.append(folder)
            else:
                below.extend(subfolders(folder))
        level = below
    if not found:
        raise SheetError(
            root,
            f"no subject folders with image frames found (looked {SEARCH_DEPTH} levels deep); "
            "point at them with --frames",
        )
    cropped = [f for f in found if any("crop" in part.lower() for part in _parts(root, f))]
    best = cropped or found
    if len(best) > 1:
        names = ", ".join(str(f) for f in best)
        raise SheetError(root, f"several folders of frames ({names}); choose one with --frames")
    others = [str(f) for f in found if f != best[0]]
    note = f"also found {', '.join(others)}; choose with --frames" if others else ""
    return best[0], note


def record_frames(report: ImportReport, dataset: str, folder: Path, note: str) -> None:
    """Say in the report where a dataset's frames were found, and what else was seen."""
    report.frames[dataset] = folder
    if note:
        report.warnings.append(ImportIssue(folder, f"frames taken from here; {note}"))


def _parts(root: Path, folder: Path) -> tuple[str, ...]:
    return folder.relative_to(root).parts if folder != root else ()


def find_sheet(
    root: Path,
    hint: re.Pattern[str],
    avoid: re.Pattern[str] | None = None,
    roots: Sequence[Path] = (),
) -> Path:
    """The single annotation sheet at or up to two levels below ``root`` matching ``hint``;
    with ``roots``, only a file that lies in one of them once its symlinks are resolved."""
    # One file reached by several paths (a symlink back up the release) counts once,
    # under its shortest path.
    by_file: dict[str, Path] = {}
    for pattern in ("*", "*/*", "*/*/*"):
        for p in root.glob(pattern):
            if (
                p.suffix.lower() in SHEET_SUFFIXES
                and not _IGNORED.match(p.name)
                and hint.search(p.name)
                and not (avoid and avoid.search(p.name))
                and p.is_file()
            ):
                real = os.path.realpath(p)
                if not roots or any(Path(real).is_relative_to(r) for r in roots):
                    by_file.setdefault(real, p)
    found = sorted(by_file.values())
    if len(found) == 1:
        return found[0]
    if not found:
        raise SheetError(
            root, f"no annotation sheet matching {hint.pattern!r}; pass it with --sheet"
        )
    names = ", ".join(str(p.relative_to(root)) for p in found)
    raise SheetError(root, f"several annotation sheets ({names}); choose one with --sheet")
