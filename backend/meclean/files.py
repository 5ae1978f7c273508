"""Files written so that readers see the whole file or none of it, whatever crashes, and
files only their owner reads."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomically(target: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write beside ``target`` through ``write``, then rename over it; on any failure the
    temporary file is removed and ``target`` is left as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


OWNER_ONLY = 0o600


def create_owner_only(path: Path) -> None:
    """Create ``path`` empty, readable and writable by its owner only, unless it exists
    (an existing file keeps the mode its owner gave it) or its folder does not."""
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY))
