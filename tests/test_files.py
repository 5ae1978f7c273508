"""Atomic writes: the whole file or the old one, never half of it, and no litter."""

import pytest

from meclean.files import write_atomically


def test_a_write_that_fails_halfway_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "deep" / "result.bin"
    write_atomically(target, lambda f: f.write(b"first"))

    def half_then_fail(f):
        f.write(b"half of the sec")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, half_then_fail)

    assert target.read_bytes() == b"first"
    assert [p.name for p in target.parent.iterdir()] == ["result.bin"]
