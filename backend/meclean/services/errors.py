"""How the rules refuse a request: what is wrong and which input is at fault."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal; ``field`` names the input at fault, ``extra`` what the client may need
    to put it right (the current state, the samples concerned)."""

    def __init__(self, message: str, field: str | None = None, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class Conflict(ServiceError):
    """The request is well formed but the state it meets refuses it (another decision
    came first, a run has not finished)."""


class Invalid(ServiceError):
    """An input the rules refuse, whatever the state."""


class NotFound(ServiceError):
    """Something the request names does not exist, or is not the requester's to touch."""
