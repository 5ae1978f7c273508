"""The one database-session dependency, the settings and the queue, who is asking, and the
lookups of a resource."""

from __future__ import annotations

import functools
import inspect
import secrets
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Protocol, cast

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, selectinload

from meclean.api.errors import ApiError
from meclean.db.models import Dataset, LoginSession, Run, Sample, User
from meclean.db.users import Role, has_role, session_user
from meclean.jobs.queue import Jobs
from meclean.settings import Settings

SESSION_COOKIE = "meclean_session"
CSRF_COOKIE = "meclean_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def app_settings(request: Request) -> Settings:
    """The settings the app was made with."""
    return cast(Settings, request.app.state.settings)


def app_queue(request: Request) -> Jobs:
    """The task queue, sharing the app's database engine."""
    return cast(Jobs, request.app.state.jobs)


AppSettings = Annotated[Settings, Depends(app_settings)]
Queue = Annotated[Jobs, Depends(app_queue)]


def db_session(request: Request) -> Iterator[Session]:
    """A session in a transaction: committed when the request succeeds, else rolled back
    (routes of ``CommittingRoute`` commit it themselves, see there)."""
    with request.app.state.sessions() as session, session.begin():
        yield session


class CommittingRoute(APIRoute):
    """A route whose synchronous endpoint commits its database session before returning,
    in its own worker thread.

    Otherwise the transaction, and with it SQLite's write lock, stays open until FastAPI
    has serialised the response, which takes a worker thread too: with every thread
    waiting for that lock, the request holding it could not get one to finish, and all
    would wait out the busy timeout (50 experts signing in at once did).
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # Only plain functions: coroutines and streams (generators) commit as they see fit.
        asynchronous = inspect.iscoroutinefunction(endpoint) or inspect.isasyncgenfunction(endpoint)
        if not asynchronous and not inspect.isgeneratorfunction(endpoint):
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the parameters through __wrapped__
    def run_and_commit(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        for value in kwargs.values():
            if isinstance(value, Session):
                value.commit()
        return result

    return run_and_commit


# Committed before the response leaves ("function" scope): a client that acts on a
# response, e.g. reads /api/me right after logging in, must find what it reports stored.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def current_login(request: Request, session: DbSession) -> tuple[User, LoginSession]:
    """The signed-in user; state-changing requests must also echo the CSRF token."""
    token = request.cookies.get(SESSION_COOKIE)
    found = session_user(session, token) if token else None
    if found is None:
        raise ApiError(401, "sign in first")
    _, login = found
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(sent, login.csrf_token):
            raise ApiError(403, f"missing or wrong {CSRF_HEADER} header", CSRF_HEADER)
    return found


class RoleDependency(Protocol):
    """A dependency made by ``require``: it admits users of ``role`` or above."""

    role: Role

    async def __call__(self, login: tuple[User, LoginSession]) -> User: ...


def require(role: Role) -> RoleDependency:
    """A dependency that admits users of ``role`` or above."""

    # async: it does no I/O, so it runs on the event loop instead of a worker thread.
    async def dependency(
        login: Annotated[tuple[User, LoginSession], Depends(current_login)],
    ) -> User:
        user, _ = login
        if user.must_change_password:
            raise ApiError(
                403,
                "choose your own password first: the one you signed in with was generated",
                "must_change_password",
            )
        if not has_role(user, role):
            raise ApiError(403, f"this needs the {role} role; you are {user.role}")
        return user

    checked = cast(RoleDependency, dependency)
    checked.role = role  # what the route needs, for tests and reviewers to read
    return checked


Annotator = Annotated[User, Depends(require("annotator"))]
Curator = Annotated[User, Depends(require("curator"))]
Admin = Annotated[User, Depends(require("admin"))]


def stream_slot(request: Request, me: Annotator) -> Iterator[None]:
    """Held for as long as an event stream is open (see ``limits.StreamSlots``): counted
    per expert, so signing in again gives no more."""
    with request.app.state.streams.hold(f"user {me.id}"):
        yield


def dataset_or_404(session: Session, dataset_id: int) -> Dataset:
    """The dataset of a route's ``dataset_id``, or a 404 naming it."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise ApiError(404, f"no dataset {dataset_id}", "dataset_id")
    return dataset


def sample_or_404(session: Session, sample_id: int) -> Sample:
    """The sample of a route's ``sample_id``, or a 404 naming it."""
    sample = session.get(Sample, sample_id)
    if sample is None:
        raise ApiError(404, f"no sample {sample_id}", "sample_id")
    return sample


def run_or_404(session: Session, run_id: int) -> Run:
    """The run of a route's ``run_id`` with its parts, or a 404 naming it."""
    run = session.get(Run, run_id, options=[selectinload(Run.parts)])
    if run is None:
        raise ApiError(404, f"no run {run_id}", "run_id")
    return run
