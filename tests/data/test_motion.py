import re

import numpy as np
import pytest

from meclean.data.motion import TimingCheck, check_timing, estimate_timing, motion_curve
from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.readers.discovery import clip_frames


def number(path):
    return int(re.search(r"(\d+)$", path.stem).group(1))


def test_the_motion_peaks_at_the_apex_the_synthetic_faces_were_moved_to(tiny_composite):
    samples = read_dataset(
        "megc2019", tiny_composite, ImportOptions(roster=tiny_composite / "roster.csv")
    ).samples
    misses = []
    for sample in samples:
        frames = clip_frames(sample.onset_path, sample.offset_path or sample.apex_path, 400)
        estimate = estimate_timing(motion_curve(frames, sample.face))
        misses.append(abs(number(frames[estimate.apex]) - number(sample.apex_path)))

    assert np.mean(np.array(misses) <= 2) >= 0.9, misses


def test_a_lone_peak_is_a_confident_apex_and_a_plateau_is_not():
    rise_and_fall = np.array([0, 0.1, 0.5, 1.2, 2.0, 1.1, 0.4, 0.1, 0.05, 0.0])
    plateau = np.array([0, 0.1, 1.9, 2.0, 1.95, 1.98, 2.0, 1.97, 1.99, 1.96])

    clear, flat = estimate_timing(rise_and_fall), estimate_timing(plateau)

    assert (clear.apex, clear.onset, clear.offset) == (4, 1, 6)  # within 20% of the rise
    assert clear.confidence > 0.7 and flat.confidence < 0.1


def test_nothing_moving_gives_no_confidence():
    assert estimate_timing(np.zeros(8)).confidence == 0.0


def kinds(checks: list[TimingCheck]) -> set[str]:
    return {c.kind for c in checks}


@pytest.mark.parametrize(
    ("onset", "apex", "offset", "on_disk", "fps", "expected"),
    [
        (10, 15, 20, range(10, 21), 200, set()),
        (10, 10, 20, range(10, 21), 200, {"onset_is_apex"}),
        (10, 40, 130, range(10, 131), 200, {"too_long"}),  # 605 ms
        (10, 11, None, range(10, 12), 200, {"too_short"}),
        (10, 15, 20, [*range(10, 14), *range(16, 21)], 200, {"numbering_gaps", "missing_frames"}),
        (10, 15, 20, range(10, 21), None, set()),
    ],
)
def test_a_sheets_timing_is_checked_against_the_frames_and_the_rate(
    onset, apex, offset, on_disk, fps, expected
):
    assert kinds(check_timing(onset, apex, offset, list(on_disk), fps)) == expected


def test_an_apex_far_from_the_motion_peak_or_no_motion_at_all_is_checked():
    frames = list(range(100, 110))
    curve = np.array([0, 0.2, 0.8, 1.5, 0.9, 0.4, 0.2, 0.1, 0.05, 0.0])

    near = check_timing(100, 103, 109, frames, 200, curve, frames)
    far = check_timing(100, 108, 109, frames, 200, curve, frames)
    still = check_timing(100, 103, 109, frames, 200, np.zeros(10), frames)

    assert kinds(near) == set()
    (check,) = far
    assert check.kind == "apex_far_from_peak" and "peak at frame 103" in check.message
    assert kinds(still) == {"no_motion"}
