import hashlib
from collections import Counter
from pathlib import Path

import pytest

from meclean.data.roster import ROSTER_PATH, load_roster

# The team's checked copy lies in shared/ beside the checkout (CI lays it there too).
SHARED_ROSTER = Path(__file__).resolve().parents[3] / "shared" / "data" / "megc2019_composite.csv"
CHECKED_SHA256 = "dfd5f065cb0cce4f2f6a92c72b623dd794421e19fd606ac42a3f274decc02547"


def test_the_shipped_roster_holds_the_442_megc2019_samples_of_68_subjects():
    roster = load_roster()

    assert Counter(e.dataset for e in roster) == {"smic": 164, "casme2": 145, "samm": 133}
    assert Counter(e.label for e in roster if e.dataset == "casme2") == {
        "negative": 88,
        "positive": 32,
        "surprise": 25,
    }
    assert len({(e.dataset, e.subject) for e in roster}) == 68
    assert len({(e.dataset, e.subject, e.filename) for e in roster}) == 442
    assert ("samm", "32", "032_3_1", "negative") in {
        (e.dataset, e.subject, e.filename, e.label) for e in roster
    }


def test_the_shipped_roster_is_the_checked_copy_byte_for_byte():
    assert hashlib.sha256(ROSTER_PATH.read_bytes()).hexdigest() == CHECKED_SHA256
    if not SHARED_ROSTER.exists():
        pytest.skip(f"no team copy at {SHARED_ROSTER} to compare with")
    assert ROSTER_PATH.read_bytes() == SHARED_ROSTER.read_bytes()
