"""Login, logout and who am I."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from meclean.api.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AppSettings,
    CommittingRoute,
    DbSession,
    current_login,
)
from meclean.api.errors import ApiError
from meclean.db.models import LoginSession, User
from meclean.db.users import LoginThrottled, authenticate, end_session, start_session

router = APIRouter(prefix="/api", tags=["auth"], route_class=CommittingRoute)


class Credentials(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class Me(BaseModel):
    id: int
    name: str
    role: str
    csrf_token: str
    must_change_password: bool
    """Signed in with a generated password: only a new password is accepted until then."""


@router.post("/login")
def login(
    body: Credentials,
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
) -> Me:
    """Sign in: sets the session and CSRF cookies; repeated failures are slowed down (429)."""
    try:
        client = request.client.host if request.client else ""
        user = authenticate(session, body.name, body.password, client)
    except LoginThrottled as exc:
        wait = max(1, int((exc.retry_after - datetime.now(UTC)).total_seconds()) + 1)
        raise ApiError(429, str(exc), headers={"Retry-After": str(wait)}) from None
    if user is None:
        raise ApiError(401, "wrong name or password")
    token, started = start_session(session, user, timedelta(hours=settings.session_hours))
    max_age = int(settings.session_hours * 3600)
    secure = settings.secure_cookies
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="strict", secure=secure
    )
    # Readable by the page's script, which echoes it in a header on every change.
    response.set_cookie(
        CSRF_COOKIE, started.csrf_token, max_age=max_age, samesite="strict", secure=secure
    )
    return _me(user, started)


@router.post("/logout", status_code=204)
def logout(
    request: Request,
    response: Response,
    session: DbSession,
    _: Annotated[tuple[User, LoginSession], Depends(current_login)],
) -> None:
    """Sign out: ends this browser's session."""
    end_session(session, request.cookies[SESSION_COOKIE])
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


@router.get("/me")
def me(found: Annotated[tuple[User, LoginSession], Depends(current_login)]) -> Me:
    """Who is signed in, with their role and whether they must change their password."""
    return _me(*found)


def _me(user: User, login: LoginSession) -> Me:
    return Me(
        id=user.id,
        name=user.name,
        role=user.role,
        csrf_token=login.csrf_token,
        must_change_password=user.must_change_password,
    )
