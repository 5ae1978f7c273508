"""Label decisions made at the same moment, through a served app (real parallel HTTP
requests, on SQLite and PostgreSQL): every acknowledged change ends up in the current
labels, and a repeated decision makes no second version."""

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

from meclean.db.session import transaction
from meclean.db.users import create_user
from tests.api.helpers import PASSWORD
from tests.test_serve import free_port

pytestmark = pytest.mark.slow

CURATORS = ("curator", "curator2", "curator3")


@pytest.fixture
def served(serving) -> Iterator[str]:
    """The app (its lifespan already running) behind a real server on a loopback port."""
    with transaction(serving.state.sessions) as session:
        for name in CURATORS[1:]:
            create_user(session, name, "curator", PASSWORD)
    config = uvicorn.Config(
        serving, host="127.0.0.1", port=free_port(), lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    thread.join(30)


def curators(base: str) -> list[httpx.Client]:
    clients = []
    for name in CURATORS:
        client = httpx.Client(base_url=base, timeout=120)
        me = client.post("/api/login", json={"name": name, "password": PASSWORD})
        assert me.status_code == 200, me.text
        client.headers["X-CSRF-Token"] = me.json()["csrf_token"]
        clients.append(client)
    return clients


def at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Each call in its own thread, all released together."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def current_labels(client: httpx.Client, dataset_id: int) -> dict[int, str]:
    versions = client.get(f"/api/datasets/{dataset_id}/label-versions").json()
    current = next(v for v in versions if v["current"])
    first = versions[0]["id"]
    if current["id"] == first:
        return {}
    changes = client.get(
        f"/api/datasets/{dataset_id}/label-versions/diff",
        params={"old": first, "new": current["id"]},
    ).json()
    return {c["sample_id"]: c["after"] for c in changes}


def other_label(label: str) -> str:
    return next(c for c in ("negative", "positive", "surprise") if c != label)


def test_curators_creating_versions_at_once_lose_none_of_their_changes(served, imported):
    clients = curators(served)
    samples = clients[0].get(f"/api/datasets/{imported}/samples", params={"limit": 9}).json()
    items = samples["items"]
    url = f"/api/datasets/{imported}/label-versions"
    for round_ in range(3):
        chosen = items[3 * round_ : 3 * round_ + 3]
        wanted = {s["id"]: other_label(s["label"]) for s in chosen}
        bodies = [
            {"reason": f"round {round_}", "changes": {str(s["id"]): wanted[s["id"]]}}
            for s in chosen
        ]
        calls = [
            (lambda c=c, b=b: c.post(url, json=b)) for c, b in zip(clients, bodies, strict=True)
        ]

        answers = at_once(calls)

        assert [a.status_code for a in answers] == [201] * 3, [a.text for a in answers]
        labels = current_labels(clients[0], imported)
        assert {s: labels.get(s) for s in wanted} == wanted, f"round {round_}"
        parents = [a.json()["parent_id"] for a in answers]
        assert len(set(parents)) == 3, "each version built on the one before"


def test_accepting_the_same_relabel_at_once_makes_one_version(served, finished_run):
    clients = curators(served)
    results = clients[0].get(f"/api/runs/{finished_run}/results").json()
    proposed = [r for r in results if r["proposed_label"]]
    assert proposed, "ILC with alpha 0 proposes relabels"
    sample = proposed[0]["sample_id"]
    dataset_id = clients[0].get(f"/api/runs/{finished_run}").json()["dataset_id"]
    before = len(clients[0].get(f"/api/datasets/{dataset_id}/label-versions").json())
    body = {"sample_ids": [sample], "accept": True}
    five = [clients[k % 3] for k in range(5)]

    answers = at_once(
        [lambda c=c: c.post(f"/api/runs/{finished_run}/relabels", json=body) for c in five]
    )

    assert [a.status_code for a in answers] == [200] * 5, [a.text for a in answers]
    versions = [a.json()["label_version_id"] for a in answers]
    assert len([v for v in versions if v is not None]) == 1
    after = clients[0].get(f"/api/datasets/{dataset_id}/label-versions").json()
    assert len(after) == before + 1


def test_accepting_different_relabels_at_once_keeps_every_one(served, finished_run):
    clients = curators(served)
    results = clients[0].get(f"/api/runs/{finished_run}/results").json()
    proposed = [r for r in results if r["proposed_label"]][:3]
    assert len(proposed) >= 2, "ILC with alpha 0 proposes relabels"
    dataset_id = clients[0].get(f"/api/runs/{finished_run}").json()["dataset_id"]
    calls = [
        (
            lambda c=c, r=r: c.post(
                f"/api/runs/{finished_run}/relabels",
                json={"sample_ids": [r["sample_id"]], "accept": True},
            )
        )
        for c, r in zip(clients, proposed, strict=False)
    ]

    answers = at_once(calls)

    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    labels = current_labels(clients[0], dataset_id)
    assert {r["sample_id"]: labels.get(r["sample_id"]) for r in proposed} == {
        r["sample_id"]: r["proposed_label"] for r in proposed
    }
    projection = clients[0].get(f"/api/runs/{finished_run}/projection").json()
    review = dict(zip(projection["sample_id"], projection["review"], strict=True))
    assert all(review[r["sample_id"]] == "accepted" for r in proposed)
    undone = clients[1].post(
        f"/api/runs/{finished_run}/relabels/undo",
        json={"sample_ids": [r["sample_id"] for r in proposed]},
    )
    assert undone.status_code == 200, undone.text
