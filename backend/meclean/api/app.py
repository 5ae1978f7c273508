"""The FastAPI application."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import cv2
import fastapi_offline
import plotly
from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from meclean import __version__
from meclean.api.deps import Annotator
from meclean.api.errors import install_error_handlers
from meclean.api.headers import SecurityHeaders
from meclean.api.limits import BodySizeLimit, StreamSlots
from meclean.api.routers import (
    action_units,
    agreement,
    auth,
    comparisons,
    datasets,
    flags,
    imports,
    label_decisions,
    labels,
    marks,
    methods,
    renders,
    reviews,
    run_outputs,
    runs,
    samples,
    timing,
    triage,
    users,
    vocabulary,
    why,
)
from meclean.api.static import RevalidatedFiles
from meclean.db.session import make_engine, session_factory
from meclean.jobs.queue import Jobs
from meclean.jobs.watchdog import Watchdog
from meclean.settings import Settings, get_settings

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
SWAGGER_UI_DIR = Path(fastapi_offline.__file__).parent / "static"
SWAGGER_UI = ("swagger-ui-bundle.js", "swagger-ui.css")
"""The files of the installed Swagger UI that the documentation page (/docs) loads."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for ``settings``; the schema must already be at head (``meclean db-upgrade``)."""
    settings = settings or get_settings()
    # A flow computed for a render takes one core, not all: see renders._flow_slots.
    cv2.setNumThreads(1)
    # The schema is served to signed-in users below; no Swagger page (it loads from a CDN).
    app = FastAPI(
        title="meclean",
        version=__version__,
        lifespan=_workers,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.resolved_database_url())
    app.state.sessions = session_factory(app.state.engine)
    app.state.jobs = Jobs(settings, sessions=app.state.sessions)
    app.state.streams = StreamSlots(settings.max_streams_per_session)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, tls=settings.secure_cookies)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    @app.get("/api/health", tags=["health"])
    def health() -> dict[str, str]:
        """Answers while the server runs, without signing in: for load balancers and monitors."""
        return {"status": "ok"}

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi_schema(_: Annotator) -> dict[str, Any]:
        """The API's OpenAPI schema, for any OpenAPI viewer or client generator."""
        return app.openapi()

    # comparisons before runs: its /api/runs/compare would otherwise read as a run id.
    routers = (
        auth,
        datasets,
        agreement,
        samples,
        triage,
        why,
        marks,
        labels,
        renders,
        methods,
        comparisons,
        flags,
        runs,
        reviews,
        users,
        vocabulary,
        action_units,
        timing,
        imports,
        label_decisions,
        run_outputs,
    )
    for module in routers:
        app.include_router(module.router)

    # Plotly.js from the installed plotly package: nothing is fetched from the internet.
    # Only that one file of the package's data folder is served.
    plotly_files = RevalidatedFiles(directory=PLOTLY_JS.parent)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    async def plotly_js(request: Request) -> Response:
        return await plotly_files.get_response(PLOTLY_JS.name, request.scope)

    swagger_files = RevalidatedFiles(directory=SWAGGER_UI_DIR)

    @app.get("/vendor/swagger/{name}", include_in_schema=False)
    async def swagger_ui(name: Literal[SWAGGER_UI], request: Request) -> Response:  # type: ignore[valid-type]
        return await swagger_files.get_response(name, request.scope)

    @app.get("/docs", include_in_schema=False)
    def docs() -> RedirectResponse:
        """The API's documentation; its schema needs a sign-in, as the API does."""
        return RedirectResponse("/docs.html")

    # Last, so the API's routes win; the files themselves are public, the data is not.
    app.mount("/", RevalidatedFiles(directory=settings.frontend_dir, html=True), name="frontend")
    return app


@asynccontextmanager
async def _workers(app: FastAPI) -> AsyncIterator[None]:
    """While serving: the watchdog and, unless turned off, one in-process queue consumer.
    On shutdown, parts running here go back to the queue for the next worker."""
    jobs: Jobs = app.state.jobs
    # What start-up loaded (torch, the app, ~300k objects) lives as long as the process;
    # frozen, it is out of the collector's sight, so the full collections that large
    # responses set off stop walking it (a 10k-point projection: 400 -> 190 ms).
    gc.freeze()
    watchdog = Watchdog(jobs)
    watchdog.start()
    consumer = None
    if app.state.settings.inprocess_worker:
        consumer = jobs.consumer(embedded=True)
        consumer.start()
    try:
        yield
    finally:
        jobs.stopping.set()
        watchdog.stop()
        if consumer is not None:
            consumer.stop(graceful=True)
        jobs.close()
        app.state.engine.dispose()  # the one engine, which the queue shares
