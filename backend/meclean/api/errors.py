"""Errors as JSON that name what is wrong and where: {"detail": {"message", "field"}}."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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


def install_error_handlers(app: FastAPI) -> None:
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
