"""Alembic environment: the URL comes from the caller or from meclean's settings."""

from __future__ import annotations

from alembic import context

from meclean.db.models import Base
from meclean.db.session import make_engine
from meclean.settings import get_settings

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url()


def run_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    with make_engine(url).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode alters a SQLite table by copying it and dropping the old one: with
            # foreign keys on, that drop would cascade into every table pointing at it
            # (a dataset's samples, marks, versions). Off for the migration, checked after.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            # An earlier migration that failed mid-rebuild (before foreign keys were turned
            # off here) leaves its copy behind, and the same rebuild would then fail for good.
            tables = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            ).scalars()
            for table in [t for t in tables if t.startswith("_alembic_tmp_")]:
                connection.exec_driver_sql(f'DROP TABLE "{table}"')
            connection.commit()
        # Batch mode lets later migrations alter tables on SQLite too.
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    raise RuntimeError(f"the migration left rows pointing nowhere: {dangling[:5]}")


if context.is_offline_mode():
    run_offline()
else:
    run_online()
