"""``meclean serve`` as a user starts it: a real server process on a loopback port."""

import os
import re
import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_migrates_prints_a_first_admin_and_answers_on_loopback(tmp_path):
    port = free_port()
    env = {**os.environ, "MECLEAN_DATA_DIR": str(tmp_path / "data")}
    server = subprocess.Popen(
        [sys.executable, "-m", "meclean.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        password = None
        deadline = time.monotonic() + 60
        while password is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            match = re.search(r"First admin 'admin', one-time password: (\S+)", line)
            password = match and match.group(1)
        assert password, "no one-time password printed"
        base = f"http://127.0.0.1:{port}"
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        response = httpx.post(f"{base}/api/login", json={"name": "admin", "password": password})
        assert response.status_code == 200
        assert response.json()["role"] == "admin"
    finally:
        server.terminate()
        server.wait(timeout=10)
