"""Bounds on what a client may take: request bodies larger than the settings allow are
refused with 413 before they are read into memory; each sign-in holds a few event streams
at most."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from meclean.api.errors import ApiError


class BodySizeLimit:
    """ASGI middleware: a declared Content-Length over ``limit`` is refused at once; a body
    without one (chunked) is refused as soon as it grows past ``limit``."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Raised inside the route's body parsing, this becomes the 413 answer.
                    raise self._too_large()
            return message

        await self.app(scope, bounded, send)

    def _too_large(self) -> ApiError:
        return ApiError(413, f"request body larger than {self.limit} bytes", "body")

    async def _refuse(self, send: Send) -> None:
        error = self._too_large()
        body = json.dumps({"detail": error.detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class StreamSlots:
    """Open event streams per expert (over all their sign-ins), at most ``limit`` each:
    every stream polls the database, so one tab opening hundreds would slow every
    expert's requests."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._lock:
            if self._open[key] >= self.limit:
                raise ApiError(
                    429,
                    f"{self.limit} event streams are already open for you; close a tab",
                    headers={"Retry-After": "5"},
                )
            self._open[key] += 1
        try:
            yield
        finally:
            with self._lock:
                self._open[key] -= 1
                if not self._open[key]:
                    del self._open[key]
