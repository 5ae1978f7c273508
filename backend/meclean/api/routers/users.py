"""Accounts: admins manage them; everyone can change their own password."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import delete, select

from meclean.api.deps import Admin, CommittingRoute, DbSession, current_login
from meclean.api.errors import ApiError
from meclean.db.models import DbId, LoginSession, User
from meclean.db.users import (
    Role,
    change_password,
    create_user,
    generated_password,
    reset_password,
)

router = APIRouter(prefix="/api", tags=["users"], route_class=CommittingRoute)


class UserOut(BaseModel):
    id: int
    name: str
    role: str
    active: bool
    created_at: datetime


class NewUser(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    role: Role


class CreatedUser(UserOut):
    password: str
    """Generated; shown only in this response."""


class UserChange(BaseModel):
    role: Role | None = None
    active: bool | None = None


class PasswordChange(BaseModel):
    old: str = Field(min_length=1, max_length=1000)
    new: str = Field(min_length=8, max_length=1000)


def _out(user: User) -> UserOut:
    return UserOut(
        id=user.id, name=user.name, role=user.role, active=user.active, created_at=user.created_at
    )


@router.get("/users")
def list_users(session: DbSession, _: Admin) -> list[UserOut]:
    """Every account with its role and whether it is active."""
    return [_out(u) for u in session.scalars(select(User).order_by(User.id))]


@router.post("/users", status_code=201)
def add_user(body: NewUser, session: DbSession, _: Admin) -> CreatedUser:
    """Add an account; a generated one-time password is returned once."""
    password = generated_password()
    try:
        user = create_user(session, body.name, body.role, password, one_time=True)
    except ValueError as exc:
        raise ApiError(409, str(exc), "name") from None
    return CreatedUser(**_out(user).model_dump(), password=password)


@router.patch("/users/{user_id}")
def change_user(user_id: DbId, body: UserChange, session: DbSession, admin: Admin) -> UserOut:
    """Change an account's role or (de)activate it; admins cannot demote themselves."""
    user = session.get(User, user_id)
    if user is None:
        raise ApiError(404, f"no user {user_id}", "user_id")
    if user.id == admin.id and (body.role not in (None, "admin") or body.active is False):
        raise ApiError(422, "admins cannot demote or deactivate themselves", "role")
    if body.role is not None:
        user.role = body.role
    if body.active is not None:
        user.active = body.active
        if not body.active:
            session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return _out(user)


class ResetPassword(BaseModel):
    password: str
    """Generated, one-time: shown only in this response; asked to be changed at sign-in."""


@router.post("/users/{user_id}/password")
def reset_user_password(user_id: DbId, session: DbSession, _: Admin) -> ResetPassword:
    """A new one-time password for a user who lost theirs; their sessions end."""
    user = session.get(User, user_id)
    if user is None:
        raise ApiError(404, f"no user {user_id}", "user_id")
    return ResetPassword(password=reset_password(session, user))


@router.post("/me/password", status_code=204)
def my_password(
    body: PasswordChange,
    session: DbSession,
    login: Annotated[tuple[User, LoginSession], Depends(current_login)],
) -> None:
    """Any signed-in user, one with a generated password included; ends their other
    sessions."""
    me, this_session = login
    try:
        change_password(session, me, body.old, body.new, keep=this_session)
    except ValueError as exc:
        raise ApiError(422, str(exc), "old") from None
