"""Accounts, Argon2 passwords, login sessions and the slowing of repeated failed logins."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from meclean.db.models import LoginSession, LoginThrottle, User, as_utc, utcnow
from meclean.db.session import rows_changed

Role = Literal["annotator", "curator", "admin"]
ROLES: tuple[Role, ...] = ("annotator", "curator", "admin")
_hasher = PasswordHasher()
# Verified against for unknown names, so that a login takes as long whether or not the
# account exists.
_DUMMY_HASH = _hasher.hash("no such user")
USER_NAME = re.compile(r"[A-Za-z0-9._@-]{1,100}")
"""ASCII only: a Cyrillic or full-width letter would make a second 'admin' look alike."""
MAX_LOGIN_DELAY = timedelta(minutes=5)
STALE = timedelta(days=1)
"""Throttles and expired login sessions older than this are deleted as new ones come."""


def has_role(user: User, needed: Role) -> bool:
    """Roles are ordered: admin can do what a curator can, a curator what an annotator can."""
    return ROLES.index(user.role) >= ROLES.index(needed)


def create_user(
    session: Session, name: str, role: Role, password: str, one_time: bool = False
) -> User:
    """A new account; a ``one_time`` password must be changed at the first sign-in."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if not USER_NAME.fullmatch(name):
        raise ValueError(
            "a user name is 1-100 ASCII letters, digits and . _ @ - (no look-alike letters)"
        )
    taken = session.scalar(select(User.name).where(func.lower(User.name) == name.lower()))
    if taken is not None:
        raise ValueError(f"a user named {taken!r} already exists")
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    user = User(
        name=name, role=role, password_hash=_hasher.hash(password), must_change_password=one_time
    )
    session.add(user)
    session.flush()
    return user


class LoginThrottled(Exception):
    def __init__(self, retry_after: datetime) -> None:
        super().__init__(f"too many failed logins; try again after {retry_after:%H:%M:%S} UTC")
        self.retry_after = retry_after


def authenticate(session: Session, name: str, password: str, client: str = "") -> User | None:
    """The user (detached, loaded) if the password is right. Each attempt for a name from a
    client is counted as failed before the password is checked, so parallel guesses cannot
    slip past the count; a right password clears it. Every failure doubles the wait.

    All of it runs in short transactions of its own on ``session``'s engine, committed at
    once: the count holds even when the caller's transaction rolls back, parallel attempts
    see it at once, and no connection or lock is held through the slow password check.
    """
    bind = session.get_bind()
    key = hashlib.sha256(f"{name.casefold()}|{client}".encode()).hexdigest()
    with Session(bind) as counting, counting.begin():
        retry_after = _count_attempt(counting, key, utcnow())
    if retry_after is not None:
        raise LoginThrottled(retry_after)
    with Session(bind) as lookup:
        user = lookup.scalar(select(User).where(User.name == name, User.active))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    with Session(bind) as clearing, clearing.begin():
        clearing.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    return user


def _count_attempt(session: Session, key: str, now: datetime) -> datetime | None:
    """Count one more attempt, unless the key must still wait: then when it may try again.
    A compare-and-swap on the count: of two attempts at once, one is counted, one waits."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.next_attempt_at < now - STALE))
    throttle = session.get(LoginThrottle, key)
    if throttle is None:
        try:
            with session.begin_nested():
                session.add(LoginThrottle(key=key, failures=1, next_attempt_at=now + _wait(1)))
        except IntegrityError:
            return now + _wait(1)  # another attempt of the same key was counted first
        return None
    if as_utc(throttle.next_attempt_at) > now:
        return as_utc(throttle.next_attempt_at)
    failures = throttle.failures
    counted = rows_changed(
        session,
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.failures == failures)
        .values(failures=failures + 1, next_attempt_at=now + _wait(failures + 1)),
    )
    session.expire(throttle)
    return None if counted else now + _wait(failures + 1)


def _wait(failures: int) -> timedelta:
    return min(timedelta(seconds=2 ** (failures - 1)), MAX_LOGIN_DELAY)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, lifetime: timedelta) -> tuple[str, LoginSession]:
    """A new login session; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.execute(delete(LoginSession).where(LoginSession.expires_at < utcnow() - STALE))
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
    return (user, login) if user.active and as_utc(login.expires_at) > utcnow() else None


def end_session(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_hash == _digest(token)))


def generated_password() -> str:
    return secrets.token_urlsafe(12)


def ensure_admin(session: Session) -> tuple[str, str] | None:
    """Create a first admin when there is none; returns (name, one-time password) if so."""
    if session.scalar(select(User.id).where(User.role == "admin")) is not None:
        return None
    name = "admin"
    while session.scalar(select(User.id).where(User.name == name)) is not None:
        name = f"admin-{secrets.token_hex(2)}"
    password = generated_password()
    create_user(session, name, "admin", password, one_time=True)
    return name, password


def reset_password(session: Session, user: User) -> str:
    """A generated one-time password for a user who forgot theirs; their sessions end."""
    password = generated_password()
    user.password_hash = _hasher.hash(password)
    user.must_change_password = True
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return password


def change_password(
    session: Session, user: User, old: str, new: str, keep: LoginSession | None = None
) -> None:
    """A new password; every login session of the user but ``keep`` ends with the old one."""
    try:
        _hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise ValueError("the current password is wrong") from None
    if len(new) < 8:
        raise ValueError("a password needs at least 8 characters")
    if new == old:
        raise ValueError("the new password must differ from the current one")
    user.password_hash = _hasher.hash(new)
    user.must_change_password = False
    others = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep is not None:
        others = others.where(LoginSession.token_hash != keep.token_hash)
    session.execute(others)


def user_names(session: Session) -> dict[int | None, str]:
    """Every user's name by id, to name the authors of marks, versions and runs."""
    return {i: n for i, n in session.execute(select(User.id, User.name))}


def user_id_named(session: Session, name: str) -> int | None:
    return session.scalar(select(User.id).where(User.name == name))
