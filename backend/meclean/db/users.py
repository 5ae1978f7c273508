"""Accounts, Argon2 passwords, login sessions and the slowing of repeated failed logins."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from meclean.db.models import LoginSession, User, utcnow

Role = Literal["annotator", "curator", "admin"]
ROLES: tuple[Role, ...] = ("annotator", "curator", "admin")
_hasher = PasswordHasher()
# Verified against for unknown names, so that a login takes as long whether or not the
# account exists.
_DUMMY_HASH = _hasher.hash("no such user")
MAX_LOGIN_DELAY = timedelta(minutes=5)


def has_role(user: User, needed: Role) -> bool:
    """Roles are ordered: admin can do what a curator can, a curator what an annotator can."""
    return ROLES.index(user.role) >= ROLES.index(needed)


def create_user(session: Session, name: str, role: Role, password: str) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise ValueError(f"a user named {name!r} already exists")
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    user = User(name=name, role=role, password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


class LoginThrottled(Exception):
    def __init__(self, retry_after: datetime) -> None:
        super().__init__(f"too many failed logins; try again after {retry_after:%H:%M:%S} UTC")
        self.retry_after = retry_after


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user if the password is right; failed attempts double the wait before the next."""
    user = session.scalar(select(User).where(User.name == name, User.active))
    now = utcnow()
    if user is not None and user.next_login_after and _aware(user.next_login_after) > now:
        raise LoginThrottled(_aware(user.next_login_after))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        if user is not None:
            user.failed_logins += 1
            delay = min(timedelta(seconds=2 ** (user.failed_logins - 1)), MAX_LOGIN_DELAY)
            user.next_login_after = now + delay
        return None
    if user is None:
        return None
    user.failed_logins, user.next_login_after = 0, None
    return user


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time meclean writes is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, lifetime: timedelta) -> tuple[str, LoginSession]:
    """A new login session; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    login = LoginSession(
        token_hash=_digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + lifetime,
    )
    session.add(login)
    session.flush()
    return token, login


def session_user(session: Session, token: str) -> tuple[User, LoginSession] | None:
    """The user behind a cookie token, if its session exists and has not expired."""
    found = session.execute(
        select(User, LoginSession)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == _digest(token))
    ).first()
    if found is None:
        return None
    user, login = found
    return (user, login) if user.active and _aware(login.expires_at) > utcnow() else None


def end_session(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_hash == _digest(token)))


def ensure_admin(session: Session) -> tuple[str, str] | None:
    """Create a first admin when there is none; returns (name, one-time password) if so."""
    if session.scalar(select(User.id).where(User.role == "admin")) is not None:
        return None
    name = "admin"
    while session.scalar(select(User.id).where(User.name == name)) is not None:
        name = f"admin-{secrets.token_hex(2)}"
    password = secrets.token_urlsafe(12)
    create_user(session, name, "admin", password)
    return name, password


def change_password(user: User, old: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise ValueError("the current password is wrong") from None
    if len(new) < 8:
        raise ValueError("a password needs at least 8 characters")
    user.password_hash = _hasher.hash(new)
