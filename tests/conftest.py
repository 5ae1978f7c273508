"""Fixtures that build small datasets on disk, the way real ones are laid out."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import create_engine, make_url, text

from meclean.data.synth.generator import generate
from meclean.data.synth.plan import NoiseRates, SynthConfig
from tests.helpers import write_frames

# The helpers modules are not test modules: have pytest rewrite their asserts as it did when
# they lived in conftest and test modules, so that a failing one still explains itself.
pytest.register_assert_rewrite(
    "tests.api.helpers",
    "tests.data.helpers",
    "tests.db.helpers",
    "tests.jobs.helpers",
    "tests.ml.helpers",
    "tests.ui.helpers",
)

SLOW = {"test_serve.py", "test_run_workers.py", "test_storage.py"}
"""Files whose tests start real servers or workers: `pytest -m "not slow"` leaves them out."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark browser tests (tests/ui) and slow ones, for a quick loop while editing."""
    for item in items:
        if "ui" in item.path.parts:
            item.add_marker(pytest.mark.browser)
        if item.path.name in SLOW:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def make_frames() -> Callable[[Path, Sequence[str]], None]:
    return write_frames


@pytest.fixture(scope="session")
def tiny_composite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six subjects (two per dataset), three samples each, in the three real layouts."""
    root = tmp_path_factory.mktemp("tiny") / "composite"
    generate(root, SynthConfig(seed=3, subjects=6, samples_per_subject=3), workers=1)
    return root


@pytest.fixture(scope="session")
def clean_composite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve subjects without label noise: enough samples for stable class means."""
    root = tmp_path_factory.mktemp("clean") / "composite"
    config = SynthConfig(seed=5, noise=NoiseRates(0, 0, 0), subjects=12, samples_per_subject=6)
    generate(root, config, workers=2)
    return root


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: SQLite in a temporary folder, or a fresh PostgreSQL database on
    the server named by MECLEAN_TEST_POSTGRES_URL (``make test`` starts one and sets it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'meclean.db'}"
        return
    server = os.environ.get("MECLEAN_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("MECLEAN_TEST_POSTGRES_URL is not set; `make test` sets it")
    name = f"meclean_test_{uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
