"""Security headers on every response: what the page may load and run, and that no other
site may frame it or read what it sends."""

from __future__ import annotations

import logging
import traceback

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from meclean.text import shortened

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # Plotly's WebGL traces compile their drawing code at run time (regl), hence eval.
        "script-src 'self' 'unsafe-eval'",
        # Plotly sets styles on the elements it draws.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeaders:
    """ASGI middleware adding the headers to each response, streams and errors included.

    An unhandled error is answered here, not by Starlette's outer error middleware (which
    would answer without the headers): a 500 with them, and a log entry whose message is
    bounded (it may quote a megabyte the client sent)."""

    def __init__(self, app: ASGIApp, tls: bool) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if tls:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception as exc:
            if started:  # too late to answer: the server closes the connection
                raise
            log.error(
                "unhandled error answering %s %s:\n%s%s: %s",
                scope.get("method"),
                shortened(scope.get("path", ""), 200),
                "".join(traceback.format_tb(exc.__traceback__)),
                type(exc).__name__,
                shortened(str(exc), 500),
            )
            message = "the server failed on this request; its log says why"
            answer = JSONResponse({"detail": {"message": message, "field": None}}, 500)
            await answer(scope, receive, with_headers)
