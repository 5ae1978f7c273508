"""Property tests of releases whose folders hold symlinks: loops, links to a parent, long
chains, dangling links and links out of the import root. Reading ends with a report or a
SheetError, and never imports a frame from outside the root."""

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.records import SheetError
from tests.data.helpers import casme2_folder
from tests.helpers import write_frames

ROWS = [[1, "EP02_01f", 10, 13, 16, "12", "happiness"], [2, "EP03_02", 10, 12, 16, "4", "disgust"]]
PLACES = ("", "Cropped", "Cropped/sub01", "Cropped/sub01/EP02_01f", "Cropped/sub02")
NAMES = ("link", "reg_img10.jpg", "reg_img13.jpg", "EP03_02", "sub01")
"""A new entry, or one that takes the place of a frame, a sample or a subject folder."""
TARGETS = ("self", "parent", "root", "chain", "dangling", "outside", "outside_frame")

link = st.tuples(
    st.sampled_from(PLACES), st.sampled_from(NAMES), st.sampled_from(TARGETS), st.integers(1, 45)
)


def add_link(
    release: Path, outside: Path, place: str, name: str, target: str, length: int, n: int
) -> None:
    folder = release / place
    if folder.is_symlink() or not folder.is_dir():
        return  # an earlier link took this folder's place
    name = f"link{n}" if name == "link" else name
    path = folder / name
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    path.unlink(missing_ok=True)
    if target == "self":
        path.symlink_to(name)
    elif target == "parent":
        path.symlink_to("..")
    elif target == "root":
        path.symlink_to(release)
    elif target == "dangling":
        path.symlink_to(folder / "nothing-here")
    elif target == "outside":
        path.symlink_to(outside)
    elif target == "outside_frame":
        path.symlink_to(outside / "sub01" / "EP02_01f" / "reg_img13.jpg")
    else:  # a chain of links; past 40 the system refuses to follow it
        for i in range(length):
            (folder / f"chain{n}_{i}").symlink_to(f"chain{n}_{i + 1}" if i + 1 < length else "..")
        path.symlink_to(f"chain{n}_0")


@settings(max_examples=60, deadline=None)
@given(links=st.lists(link, min_size=1, max_size=6))
def test_symlinked_releases_read_to_a_report_or_a_sheet_error_inside_the_root(links):
    with tempfile.TemporaryDirectory() as tmp:
        release = casme2_folder(Path(tmp) / "release", ROWS)
        outside = Path(tmp) / "outside"
        write_frames(outside / "sub01" / "EP02_01f", [f"reg_img{n}.jpg" for n in range(10, 17)])
        for n, (place, name, target, length) in enumerate(links):
            add_link(release, outside, place, name, target, length, n)
        root = release.resolve()

        try:
            report = read_dataset("casme2", release, ImportOptions(confine_to=(root,)))
        except SheetError as error:
            assert str(release) in str(error)
            return

        for sample in report.samples:
            for frame in (sample.onset_path, sample.apex_path):
                assert Path(os.path.realpath(frame)).is_relative_to(root), frame
        assert len(report.samples) + len(report.skipped) >= len(ROWS)
