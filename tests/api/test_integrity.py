"""Attacks on what experts decided and on what blind marking hides (issue: nothing
acknowledged is lost, nothing hidden leaks)."""

import logging

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from meclean.api.app import create_app
from meclean.api.headers import CONTENT_SECURITY_POLICY
from tests.api.helpers import import_through_api
from tests.api.test_agreement import mark, sample_ids, set_blind
from tests.helpers import write_csv, write_frames


def test_a_retraction_of_nothing_is_refused_and_unveils_nothing_while_blind(login, imported):
    curator, ana, bo = login("curator"), login("annotator"), login("annotator2")
    (sample,) = sample_ids(ana, imported, 1)
    mark(bo, sample, "noisy")
    set_blind(curator, imported, True)

    retract = ana.put(
        f"/api/samples/{sample}/mark", json={"verdict": "retracted", "based_on": None}
    )
    seen = ana.get(f"/api/samples/{sample}").json()

    assert retract.status_code == 422
    assert retract.json()["detail"]["field"] == "verdict"
    assert seen["marks"] == [] and seen["marks_withheld"] is True


def test_a_bulk_retraction_of_unjudged_samples_saves_nothing_and_unveils_nothing(login, imported):
    curator, ana, bo = login("curator"), login("annotator"), login("annotator2")
    ids = sample_ids(ana, imported, 5)
    mark(bo, ids[0], "noisy")
    mark(curator, ids[0], "clean")
    mark(ana, ids[1], "clean")  # one I did judge: the bulk is refused all the same
    set_blind(curator, imported, True)

    bulk = ana.post("/api/marks/bulk", json={"sample_ids": ids, "verdict": "retracted"})
    grid = ana.get(f"/api/datasets/{imported}/samples", params={"disagreement": True}).json()

    assert bulk.status_code == 422 and bulk.json()["detail"]["field"] == "sample_ids"
    assert grid["items"] == []
    assert ana.get(f"/api/samples/{ids[0]}").json()["marks"] == []
    mine = ana.get(f"/api/samples/{ids[1]}").json()["my_mark"]
    assert mine["verdict"] == "clean", "nothing of the refused bulk was saved"


def test_a_retraction_of_my_own_verdict_still_works(login, imported):
    ana = login("annotator")
    (sample,) = sample_ids(ana, imported, 1)
    mine = mark(ana, sample, "clean")

    taken_back = ana.put(
        f"/api/samples/{sample}/mark", json={"verdict": "retracted", "based_on": mine}
    )
    again = ana.put(
        f"/api/samples/{sample}/mark",
        json={"verdict": "retracted", "based_on": taken_back.json()["id"]},
    )

    assert taken_back.status_code == 200
    assert again.status_code == 422, "nothing left to retract"


def test_long_file_names_in_a_manifest_skip_their_rows_and_the_others_import(
    login, settings, caplog
):
    lab = settings.data_dir / "lab"
    write_frames(lab / "clips" / "ok", ["f0.png", "f1.png"])
    write_frames(lab / "clips" / "numbered", ["img001.png", "img002.png"])
    long = "x" * 300
    manifest = write_csv(
        lab / "manifest.csv",
        [
            ["subject", "name", "label", "frames", "pattern", "onset", "apex"],
            ["p1", "a", "positive", "", "", "clips/ok/f0.png", "clips/ok/f1.png"],
            ["p2", "b", "positive", long, "", "1", "2"],
            ["p3", "c", "positive", "clips/numbered", "img{:5000d}.png", "1", "2"],
            ["p4", "d", "positive", "clips/numbered", "img%999999d.png", "1", "2"],
            ["p5", "e", "positive", "", "", f"clips/{long}/f0.png", "clips/ok/f1.png"],
            ["p6", "f", "positive", "", "", f"clips/ok/{long}.png", "clips/ok/f1.png"],
            ["s" * 150, "g", "positive", "", "", "clips/ok/f0.png", "clips/ok/f1.png"],
            ["p8", "h", "positive", "clips/numbered", "img{0:{0}d}.png", "2000000", "2000001"],
            ["p9", "i", "positive", "clips/numbered", "img%c.png", "2000000", "2000001"],
            ["p10", "j", "positive", "clips/numbered", "img{:03d}.png", "1" + "0" * 15, "2"],
            ["p11", "k", "positive", "clips/numbered", "img{:03d}.png", "1", "2"],
        ],
    )

    with caplog.at_level(logging.INFO):
        job = import_through_api(
            login("curator"), {"name": "lab", "layout": "manifest", "path": str(manifest)}
        )

    summary = job["report"]
    assert summary["imported"] == 2
    skipped = {s["row"]: s for s in summary["skipped"]}
    assert set(skipped) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert skipped[3]["field"] == "frames"
    assert skipped[6]["field"] == "onset" and skipped[7]["field"] == "onset"
    assert skipped[4]["field"] == "pattern" and skipped[5]["field"] == "pattern"
    assert skipped[8]["field"] == "subject"
    assert skipped[9]["field"] == skipped[10]["field"] == "pattern"
    assert skipped[11]["field"] == "onset"
    assert all(len(s["message"]) < 700 for s in summary["skipped"])
    assert all(len(r.getMessage()) < 10_000 for r in caplog.records)


def test_an_unhandled_error_is_a_500_with_every_security_header_and_a_bounded_log(settings, caplog):
    app = create_app(settings)

    def fail() -> None:
        raise RuntimeError("boom " + "x" * 1_000_000)

    # Ahead of the static files mounted at /, which answer every other path.
    app.router.routes.insert(0, APIRoute("/api/failing", fail))
    with caplog.at_level(logging.ERROR), TestClient(app) as client:
        response = client.get("/api/failing")
    app.state.engine.dispose()

    assert response.status_code == 500
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "boom" not in response.text
    logged = [r.getMessage() for r in caplog.records if "boom" in r.getMessage()]
    assert logged and all(len(m) < 20_000 for m in logged)


def test_by_default_no_proxy_is_trusted_to_name_the_client(settings):
    app = create_app(settings)
    local = TestClient(app, client=("127.0.0.1", 50000))

    def guess(n: int) -> int:
        body = {"name": "curator", "password": f"guess {n}"}
        headers = {"X-Forwarded-For": f"198.51.100.{n}"}
        return local.post("/api/login", json=body, headers=headers).status_code

    answers = [guess(n) for n in range(1, 6)]
    app.state.engine.dispose()

    # A fresh forwarded address for every guess buys no fresh count.
    assert answers[0] == 401 and 429 in answers[1:]


def test_only_curators_see_which_worker_trained_a_part(login, finished_run):
    ana, curator = login("annotator"), login("curator")

    seen_by_annotator = ana.get(f"/api/runs/{finished_run}").json()["parts"]
    seen_by_curator = curator.get(f"/api/runs/{finished_run}").json()["parts"]

    assert all(p["worker"] is None for p in seen_by_annotator)
    assert any(p["worker"] for p in seen_by_curator)
