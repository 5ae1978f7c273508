"""Fixtures that build small datasets on disk, the way real ones are laid out."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from uuid import uuid4

import cv2
import numpy as np
import pytest
from sqlalchemy import create_engine, make_url, text

from meclean.data.synth.generator import generate
from meclean.data.synth.plan import NoiseRates, SynthConfig


def textured_frame(seed: int, shape: tuple[int, int] = (48, 40)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), 1.5)
    return np.clip(128 + 40 * noise / noise.std(), 0, 255).astype(np.uint8)


def write_frames(folder: Path, names: Sequence[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        cv2.imwrite(str(folder / name), textured_frame(i))


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


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
