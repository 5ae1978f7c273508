"""A real `meclean serve` on the tiny composite, and Debian's Chromium driven by Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from meclean.data.readers import ImportOptions, read_dataset
from meclean.db.datasets import store_import
from meclean.db.migrations import upgrade
from meclean.db.session import make_engine, session_factory, transaction
from meclean.db.users import create_user
from tests.ui.helpers import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, tiny_composite):
    """The app at a local address, with a curator, an annotator and the tiny composite."""
    yield from serve(tmp_path, tiny_composite)


def serve(tmp_path: Path, composite: Path) -> Iterator[str]:
    """``meclean serve`` on a copy of ``composite`` stored as dataset 'tiny', with an admin,
    a curator and an annotator; yields its address."""
    data_dir = tmp_path / "data"
    root = data_dir / "composite"
    shutil.copytree(composite, root)
    url = f"sqlite:///{data_dir / 'meclean.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        report = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv"))
        store_import(session, "tiny", "megc2019", root, report)
        for name, role in (("admin", "admin"), ("curator", "curator"), ("annotator", "annotator")):
            create_user(session, name, role, PASSWORD)
    engine.dispose()
    port = free_port()
    env = {**os.environ, "MECLEAN_DATA_DIR": str(data_dir), "OMP_NUM_THREADS": "1"}
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("meclean")), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise AssertionError((tmp_path / "server.log").read_text())
        yield base
    finally:
        process.terminate()
        process.wait(30)
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed; `make test` installs Debian's package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser tab at laptop size; any console error fails the test."""
    context = browser.new_context(viewport={"width": 1366, "height": 800}, base_url=server)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 400 else None
        ),
    )
    page.errors = errors
    yield page
    context.close()
    assert not errors, f"console errors: {errors}"
