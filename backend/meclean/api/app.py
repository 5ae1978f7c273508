"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from meclean import __version__
from meclean.api.errors import install_error_handlers
from meclean.api.routers import auth, datasets, labels, marks, renders, samples, users
from meclean.db.session import make_engine, session_factory
from meclean.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for ``settings``; the schema must already be at head (``meclean db-upgrade``)."""
    settings = settings or get_settings()
    app = FastAPI(title="meclean", version=__version__)
    app.state.settings = settings
    app.state.engine = make_engine(settings.resolved_database_url())
    app.state.sessions = session_factory(app.state.engine)
    install_error_handlers(app)

    @app.get("/api/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (auth, datasets, samples, marks, labels, renders, users):
        app.include_router(module.router)
    return app
