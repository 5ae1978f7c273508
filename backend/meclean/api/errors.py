"""Errors as JSON that name what is wrong and where: {"detail": {"message", "field"}}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError

from meclean.services.errors import Conflict, Invalid, NotFound, ServiceError

log = logging.getLogger(__name__)

MAX_ERRORS = 20
"""Validation errors listed in one answer; a body with thousands of bad items gets these."""


class ApiError(HTTPException):
    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: object,
    ) -> None:
        super().__init__(status, {"message": message, "field": field, **extra}, headers)


STORAGE_TROUBLE = ("readonly database", "disk is full", "disk i/o error", "no space left")
"""What SQLite and the OS say when the data directory cannot be written."""


SERVICE_STATUS: dict[type[ServiceError], int] = {NotFound: 404, Conflict: 409, Invalid: 422}
"""How the API answers each kind of refusal of the services."""


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def refused(_: Request, exc: ServiceError) -> JSONResponse:
        status = next(code for kind, code in SERVICE_STATUS.items() if isinstance(exc, kind))
        detail = {"message": exc.message, "field": exc.field, **exc.extra}
        return JSONResponse({"detail": detail}, status_code=status)

    @app.exception_handler(DataError)
    async def unstorable_value(_: Request, exc: DataError) -> JSONResponse:
        # What the schema lets through but the database refuses: NUL characters in text
        # (PostgreSQL), numbers out of a column's range. The client's to fix, not a 500.
        reason = "text with a NUL character" if "nul" in str(exc.orig).lower() else "a value"
        message = f"the request holds {reason} that cannot be stored; nothing was saved"
        return JSONResponse({"detail": {"message": message, "field": None}}, status_code=422)

    @app.exception_handler(OperationalError)
    async def storage_error(_: Request, exc: OperationalError) -> JSONResponse:
        # The transaction was rolled back whole: nothing half-written, and the client is
        # told plainly that its change was not saved.
        if not any(trouble in str(exc.orig).lower() for trouble in STORAGE_TROUBLE):
            raise exc
        log.error("the database cannot be written: %s", exc.orig)
        message = "the server cannot write its data (disk full or read-only); nothing was saved"
        return JSONResponse({"detail": {"message": message, "field": None}}, status_code=503)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Only where and what: the input itself is never echoed (it may be a password, or
        # megabytes), and may not even be JSON (bytes of a form, a lone surrogate).
        errors = [
            {"type": e["type"], "loc": [str(part) for part in e["loc"]], "msg": e["msg"]}
            for e in exc.errors()[:MAX_ERRORS]
        ]
        first = errors[0]
        field = ".".join(part for part in first["loc"] if part not in ("body", "query", "path"))
        return JSONResponse(
            {"detail": {"message": first["msg"], "field": field or None, "errors": errors}},
            status_code=422,
        )
