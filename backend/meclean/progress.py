"""Progress reporting and cooperative cancellation, shared by every long computation."""

from __future__ import annotations

from collections.abc import Callable

ShouldStop = Callable[[], bool]


class Cancelled(Exception):
    """The caller asked a long computation to stop; what it finished is kept."""
