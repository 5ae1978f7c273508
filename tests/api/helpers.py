"""Helpers for the API tests: the test users' password, importing the tiny composite,
signing in, and waiting on runs and jobs."""

import json
import time

from fastapi.testclient import TestClient

from meclean.jobs.imports import execute_import
from meclean.settings import Settings

PASSWORD = "correct horse battery"

FAST_RUN = {"method": "ilc", "alpha": 0.0, "epochs": 4, "tasks_per_seed": 2}


def import_demo(client: TestClient, settings: Settings) -> dict:
    """Import the tiny composite as 'demo' through the API; the finished import."""
    composite = settings.data_dir / "composite"
    body = {
        "name": "demo",
        "layout": "megc2019",
        "path": str(composite),
        "roster": str(composite / "roster.csv"),
    }
    return import_through_api(client, body)


def import_through_api(client: TestClient, body: dict, status: str = "succeeded") -> dict:
    """Ask for an import, work it off as a queue worker would, and return the finished
    import, checking it ended as ``status``.

    The app's own consumer may be the one that runs it (then this waits for it); without
    one (a client with no lifespan) the queued task runs here, in the test's thread.
    """
    response = client.post("/api/datasets/import", json=body)
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    execute_import(client.app.state.jobs, job_id)  # type: ignore[attr-defined]
    job = poll(
        client,
        f"/api/imports/{job_id}",
        lambda j: not j["active"],
        work=lambda j: (j["phase"], j["done"]),
    )
    assert job["status"] == status, job
    return job


def signed_in(app, name: str) -> TestClient:
    client = TestClient(app)
    response = client.post("/api/login", json={"name": name, "password": PASSWORD})
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def follow(client: TestClient, run_id: int, timeout: float = 240) -> list[tuple[str, dict]]:
    events, name = [], None
    deadline = time.monotonic() + timeout
    with client.stream("GET", "/api/runs/events", params={"run_id": run_id}) as stream:
        for line in stream.iter_lines():
            assert time.monotonic() < deadline, f"run {run_id} did not finish: {events[-1:]}"
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                events.append((name, json.loads(line.split(":", 1)[1])))
                if name == "done":
                    return events
    return events


def poll(client: TestClient, url: str, condition, timeout: float = 120, work=None) -> dict:
    """GET ``url`` until its answer meets ``condition``: an event, not a time.

    Without ``work`` the wait ends after ``timeout`` seconds. With it, ``timeout`` is how
    long ``work(answer)`` (what has been done so far) may stand still: a busy machine makes
    the wait longer, only a stuck job makes it fail.
    """
    answer = client.get(url).json()
    deadline = time.monotonic() + timeout
    done = work(answer) if work else None
    while not condition(answer):
        if time.monotonic() > deadline:
            still = f"no progress for {timeout:.0f} s" if work else f"not within {timeout:.0f} s"
            raise AssertionError(f"{url} never reached the condition ({still}): {answer}")
        time.sleep(0.2)
        answer = client.get(url).json()
        if work and work(answer) != done:
            done, deadline = work(answer), time.monotonic() + timeout
    return answer


def run_work(run: dict) -> tuple:
    """How far a run has come: its status and each task's status, tries and units done."""
    return run["status"], [(p["status"], p["attempts"], p["done"]) for p in run["parts"]]


def wait_for(client: TestClient, run_id: int, condition, timeout: float = 120) -> dict:
    """Follow a run until ``condition``; fails after ``timeout`` seconds without progress."""
    return poll(client, f"/api/runs/{run_id}", condition, timeout, work=run_work)


def wait_until_finished(client, dataset_id: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/datasets/{dataset_id}/features").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"the features job never finished: {job}")
