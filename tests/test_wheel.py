"""The wheel runs anywhere: built from the checkout, installed outside it, it migrates an
empty database and serves the whole app, with nothing read from the repository."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

from tests.test_serve import free_port

REPOSITORY = Path(__file__).resolve().parents[1]

PIP = (sys.executable, "-m", "pip", "--quiet")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment holding only the wheel; the wheel's dependencies are read
    from this interpreter's site-packages (a path line, added after the install, so the
    editable meclean there is never seen and never uninstalled)."""
    root = tmp_path_factory.mktemp("wheel")
    # Built from a copy of the sources: an earlier build's leftovers in the checkout's
    # build/ (files since moved or deleted) would otherwise ride along into the wheel.
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPOSITORY / name, source / name)
    shutil.copytree(
        REPOSITORY / "backend",
        source / "backend",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", str(root / "dist"), source],
        check=True,
        cwd=root,
    )
    (wheel,) = (root / "dist").glob("meclean-*.whl")
    env_dir = root / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [*PIP, "--python", str(python), "install", "--no-deps", str(wheel)],
        check=True,
        cwd=root,
    )
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "meclean-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir


def run_outside(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MECLEAN_")}
    env["MECLEAN_DATA_DIR"] = str(cwd / "data")
    return subprocess.run(
        [str(env_dir / "bin" / "meclean"), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    found = subprocess.run(
        [installed / "bin" / "python", "-c", "import meclean; print(meclean.__file__)"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert Path(found).resolve().is_relative_to(installed.resolve())


def test_an_installed_wheel_migrates_an_empty_database_from_any_folder(installed, tmp_path):
    done = run_outside(installed, "db-upgrade", cwd=tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "newest schema" in done.stdout
    assert (tmp_path / "data" / "meclean.db").is_file()


def test_an_installed_wheel_serves_the_browser_app_and_the_api(installed, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MECLEAN_")}
    env["MECLEAN_DATA_DIR"] = str(tmp_path / "data")
    env["MECLEAN_INPROCESS_WORKER"] = "false"
    server = subprocess.Popen(
        [str(installed / "bin" / "meclean"), "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        password = None
        for line in server.stdout or ():
            match = re.search(r"First admin 'admin', one-time password: (\S+)", line)
            if match:
                password = match.group(1)
                break
        assert password, "no one-time password printed"
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=5) as client:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if client.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the server never answered"
                    time.sleep(0.2)
            page = client.get("/")
            assert page.status_code == 200
            assert "<title>meclean</title>" in page.text
            for path in ("/js/app.js", "/js/grid.js", "/css/app.css", "/vendor/plotly.min.js"):
                assert client.get(path).status_code == 200, path
            signed_in = client.post("/api/login", json={"name": "admin", "password": password})
            assert signed_in.status_code == 200
            me = client.get("/api/me")
            assert me.status_code == 200
            assert me.json()["must_change_password"] is True
    finally:
        server.terminate()
        server.wait(timeout=30)
