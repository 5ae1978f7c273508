"""Run Alembic from Python: ``upgrade`` to head on start, ``downgrade`` for tests."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

from alembic import command

REPOSITORY = Path(__file__).resolve().parents[3]


def alembic_config(url: str) -> Config:
    config = Config(str(REPOSITORY / "alembic.ini"))
    config.set_main_option("script_location", str(REPOSITORY / "alembic"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
