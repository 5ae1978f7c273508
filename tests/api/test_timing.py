"""Experts correct a sample's onset, apex and offset through the HTTP API: versions with
author and reason, stale writes refused, undo, the dataset's changes and the sheet's CSV."""


def timing_of(client, sample_id):
    return client.get(f"/api/samples/{sample_id}/motion").json()


def test_a_curator_moves_the_apex_as_a_new_version_and_the_flow_follows(login, imported):
    curator = login("curator")
    before = timing_of(curator, 1)
    apex = (
        before["apex"] + 1
        if before["apex"] + 1 != (before["offset"] or 0) + 1
        else before["apex"] - 1
    )

    changed = curator.post(
        "/api/samples/1/timing",
        json={
            "onset": before["onset"],
            "apex": apex,
            "offset": before["offset"],
            "reason": "the mouth peaks a frame later",
            "based_on": 0,
        },
    )

    assert changed.status_code == 200, changed.text
    history = changed.json()
    (version,) = history["versions"]
    assert history["current"] == version["id"] and version["parent_id"] == 0
    assert version["author"] == "curator" and version["before"]["apex"] == before["apex"]
    assert history["features_job_id"] is not None  # the flow is computed anew on the queue
    after = timing_of(curator, 1)
    assert after["apex"] == apex and after["apex_source"] == "expert"
    changes = curator.get(f"/api/datasets/{imported}/timing/changes").json()
    assert [(c["sample_id"], c["imported"]["apex"], c["current"]["apex"]) for c in changes] == [
        (1, before["apex"], apex)
    ]
    sheet = curator.get(f"/api/datasets/{imported}/timing.csv")
    assert sheet.text.splitlines()[0] == (
        "Dataset,Subject,Filename,OnsetFrame,ApexFrame,OffsetFrame,ApexSource"
    )
    assert f",{apex}," in sheet.text and ",expert" in sheet.text


def test_a_stale_change_impossible_frames_and_annotators_are_refused(login, imported):
    curator, annotator = login("curator"), login("annotator")
    now = timing_of(curator, 1)
    body = {"onset": now["onset"], "apex": now["apex"], "offset": now["offset"], "reason": "x"}

    assert annotator.post("/api/samples/1/timing", json={**body, "based_on": 0}).status_code == 403
    missing = curator.post(
        "/api/samples/1/timing",
        json={**body, "apex": now["onset"] + 100000, "offset": None, "based_on": 0},
    )
    backwards = curator.post(
        "/api/samples/1/timing", json={**body, "apex": now["onset"], "based_on": 0}
    )
    same = curator.post("/api/samples/1/timing", json={**body, "based_on": 0})
    unsaid = {k: v for k, v in body.items() if k != "offset"}
    no_offset = curator.post("/api/samples/1/timing", json={**unsaid, "based_on": 0})
    assert no_offset.status_code == 422  # an offset is cleared by null, never by leaving it out
    assert missing.status_code == 422 and missing.json()["detail"]["field"] == "apex"
    assert (
        backwards.status_code == 422 and "after the onset" in backwards.json()["detail"]["message"]
    )
    assert same.status_code == 422
    moved = {**body, "apex": now["apex"] - 1 if now["apex"] - 1 > now["onset"] else now["apex"] + 1}
    assert curator.post("/api/samples/1/timing", json={**moved, "based_on": 0}).status_code == 200
    stale = curator.post("/api/samples/1/timing", json={**body, "based_on": 0})
    assert stale.status_code == 409 and stale.json()["detail"]["field"] == "based_on"


def test_undo_restores_the_frames_the_change_replaced(login, imported):
    curator = login("curator")
    now = timing_of(curator, 2)
    apex = now["apex"] - 1 if now["apex"] - 1 > now["onset"] else now["apex"] + 1
    first = curator.post(
        "/api/samples/2/timing",
        json={
            "onset": now["onset"],
            "apex": apex,
            "offset": now["offset"],
            "reason": "r",
            "based_on": 0,
        },
    ).json()

    undone = curator.post("/api/samples/2/timing/undo", json={"version_id": first["current"]})
    again = curator.post("/api/samples/2/timing/undo", json={"version_id": first["current"]})

    assert undone.status_code == 200, undone.text
    assert [v["parent_id"] for v in undone.json()["versions"]] == [0, first["current"]]
    restored = timing_of(curator, 2)
    assert restored["apex"] == now["apex"] and restored["apex_source"] == now["apex_source"]
    assert curator.get(f"/api/datasets/{imported}/timing/changes").json() == []
    assert again.status_code == 409


def test_a_run_records_the_timing_it_was_launched_on(login, imported):
    from tests.api.helpers import FAST_RUN

    curator = login("curator")
    before = curator.post(f"/api/datasets/{imported}/runs", json=FAST_RUN).json()
    now = timing_of(curator, 3)
    apex = now["apex"] - 1 if now["apex"] - 1 > now["onset"] else now["apex"] + 1
    change = curator.post(
        "/api/samples/3/timing",
        json={
            "onset": now["onset"],
            "apex": apex,
            "offset": now["offset"],
            "reason": "r",
            "based_on": 0,
        },
    ).json()
    after = curator.post(f"/api/datasets/{imported}/runs", json=FAST_RUN).json()

    assert before["timing_version"] == 0
    assert after["timing_version"] == change["current"]


def test_the_motions_apexes_are_accepted_in_bulk_and_undone_in_one(login, imported):
    curator = login("curator")
    ids = [s["id"] for s in curator.get(f"/api/datasets/{imported}/samples").json()["items"]]
    before = {i: timing_of(curator, i) for i in ids}
    moved = {  # a motion still rising at the last frame measured shows no peak: left as is
        i for i, t in before.items() if t["estimate"]["apex"] not in (t["apex"], t["frames"][-1])
    }

    accepted = curator.post(
        f"/api/datasets/{imported}/timing/estimates",
        json={"sample_ids": ids, "reason": "the motion's peak"},
    )

    assert accepted.status_code == 200, accepted.text
    out = accepted.json()
    assert out["changed"] == len(out["version_ids"]) == len(moved)
    for i in moved:
        now = timing_of(curator, i)
        assert now["apex"] == before[i]["estimate"]["apex"] and now["apex_source"] == "expert"
    undone = curator.post(
        f"/api/datasets/{imported}/timing/undo", json={"version_ids": out["version_ids"]}
    )
    assert undone.status_code == 200 and undone.json()["changed"] == len(moved)
    assert all(timing_of(curator, i)["apex"] == before[i]["apex"] for i in ids)
    refused = login("annotator").post(
        f"/api/datasets/{imported}/timing/estimates", json={"sample_ids": ids, "reason": "x"}
    )
    assert refused.status_code == 403
    foreign = curator.post(
        f"/api/datasets/{imported}/timing/estimates", json={"sample_ids": [999999], "reason": "x"}
    )
    assert foreign.status_code == 404


def test_an_apex_estimated_at_import_is_listed_for_an_expert_to_confirm(serving, login, settings):
    from openpyxl import load_workbook

    from tests.api.helpers import import_demo, wait_until_finished

    sheet = next((settings.data_dir / "composite" / "CASME2").glob("*.xlsx"))
    book = load_workbook(sheet)
    first = next(book.active.iter_rows(min_row=2))
    name = first[1].value
    first[3].value = None  # the sheet gives no apex
    book.save(sheet)
    curator = login("curator")
    summary = import_demo(curator, settings)
    assert wait_until_finished(curator, summary["dataset_id"])["status"] == "succeeded"

    found = curator.get(f"/api/datasets/{summary['dataset_id']}/timing").json()

    (estimated,) = [s for s in found["doubtful"] if s["name"].endswith(f"/{name}")]
    assert estimated["apex_source"] == "estimate"
    assert "estimated_at_import" in {c["kind"] for c in estimated["checks"]}
    assert found["checked"]["estimated_at_import"] == 1
    foreign = curator.post(
        f"/api/datasets/{summary['dataset_id']}/timing/undo", json={"version_ids": [424242]}
    )
    assert foreign.status_code == 404
