"""Engines and sessions: SQLite (WAL, foreign keys on) by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Executable, create_engine, event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker

from meclean.files import create_owner_only


def make_engine(url: str) -> Engine:
    # SQLite connections cost little: more of them than the server has request threads
    # (40), so a request never waits for a connection that another holds while waiting.
    # PostgreSQL: a signed-in request that queues work holds two connections (its sign-in's
    # and the queue's transaction), and the in-process worker and progress streams share
    # the pool: room for 40 at once.
    sqlite = url.startswith("sqlite")
    pool = (
        {"pool_size": 10, "max_overflow": 50} if sqlite else {"pool_size": 10, "max_overflow": 30}
    )
    engine = create_engine(url, **pool)
    if engine.dialect.name == "sqlite":
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            # It holds password and session hashes. SQLite gives the WAL and shared-memory
            # files it creates beside it the database file's mode.
            create_owner_only(Path(database))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: DBAPIConnection, _record: object) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # A write waits this long for another to finish: under load (or a CPU busy with
            # training) a request should be slow, not fail.
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def take_write_lock(session: Session) -> None:
    """On SQLite, take the database's write lock now (BEGIN IMMEDIATE), before reading.

    Without it Python's sqlite3 starts no transaction before the first write, so the first
    savepoint starts one and its release commits it: a request writing several rows under
    savepoints would keep the first ones when a later one fails. PostgreSQL needs nothing."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def lock_for_update(session: Session, instance: object) -> None:
    """Serialise the decisions that read ``instance`` and then write on it: a second one
    waits until the first commits, then reads what the first wrote. PostgreSQL locks the
    row (SELECT ... FOR UPDATE); SQLite takes the database's write lock."""
    if session.get_bind().dialect.name == "sqlite":
        connection = session.connection().connection.dbapi_connection
        # A transaction that has written already holds the write lock.
        if connection is not None and not connection.in_transaction:
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    session.refresh(instance, with_for_update=True)


def rows_changed(session: Session, statement: Executable) -> int:
    """How many rows an UPDATE or DELETE matched."""
    return cast("CursorResult[Any]", session.execute(statement)).rowcount


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls everything back on any error."""
    with factory() as session, session.begin():
        yield session
