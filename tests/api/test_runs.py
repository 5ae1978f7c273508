from datetime import UTC, datetime

import pytest
import torch
from fastapi.testclient import TestClient

from meclean.api.app import create_app
from meclean.db.models import RelabelReview
from meclean.ml.methods import METHOD_NAMES
from tests.api.helpers import FAST_RUN, PASSWORD, follow, signed_in, wait_for


def test_a_run_streams_progress_succeeds_and_its_relabels_can_be_accepted(serving, imported):
    curator = signed_in(serving, "curator")
    launched = curator.post(f"/api/datasets/{imported}/runs", json=FAST_RUN)
    assert launched.status_code == 201, launched.text
    run_id = launched.json()["id"]

    events = follow(curator, run_id)

    names = [name for name, _ in events]
    assert names[-1] == "done" and "progress" in names
    # Whether a run is still going and whether it has results is the server's to say.
    for _, event in events:
        assert event["active"] == (event["status"] in ("queued", "running"))
        assert event["has_results"] == (event["status"] == "succeeded")
    assert events[-1][1]["has_results"] and not events[-1][1]["active"]
    fractions = [e["progress"]["fraction"] for n, e in events if n == "progress"]
    assert fractions == sorted(fractions) and max(fractions) > 0
    assert events[-1][1]["status"] == "succeeded", events[-1][1]
    detail = curator.get(f"/api/runs/{run_id}").json()
    assert {p["kind"] for p in detail["parts"]} == {"folds", "final", "aggregate"}
    assert all(p["status"] == "succeeded" for p in detail["parts"])
    assert 0 <= detail["summary"]["composite"]["uf1_mean"] <= 1
    assert len(detail["metrics"]["scores"][0]["composite"]["confusion"]) == 3
    # Trained on the CPU one fold at a time: as the protocol is written, and recorded so.
    assert {p["device"] for p in detail["parts"] if p["kind"] != "aggregate"} == {"cpu"}
    assert detail["metrics"]["deviations"] == []

    results = curator.get(f"/api/runs/{run_id}/results").json()
    projection = curator.get(f"/api/runs/{run_id}/projection").json()
    assert len(results) == len(projection["x"]) == len(projection["high_loss"]) == 18
    assert all(abs(sum(r["probabilities"]) - 1) < 1e-3 for r in results)
    assert projection["probabilities"] == [
        [round(p, 3) for p in r["probabilities"]] for r in results
    ]

    by_loss = curator.get(
        f"/api/datasets/{imported}/samples",
        params={"run_id": run_id, "sort": "loss", "limit": 5},
    ).json()
    second_page = curator.get(
        f"/api/datasets/{imported}/samples",
        params={"run_id": run_id, "sort": "loss", "limit": 50, "cursor": by_loss["next_cursor"]},
    ).json()
    loss = {r["sample_id"]: r["final_loss"] for r in results}
    order = [s["id"] for s in by_loss["items"] + second_page["items"]]
    assert order == sorted(loss, key=lambda s: (-loss[s], s))
    assert [s["run_loss"] for s in by_loss["items"]] == [loss[s] for s in order[:5]]
    flagged = curator.get(
        f"/api/datasets/{imported}/samples", params={"run_id": run_id, "flagged": True}
    ).json()["items"]
    assert {s["id"] for s in flagged} == {r["sample_id"] for r in results if r["high_loss"]}
    sample = curator.get(f"/api/samples/{results[0]['sample_id']}").json()
    assert sample["runs"][0]["run_id"] == run_id
    assert sample["runs"][0]["prediction"] == results[0]["prediction"]

    results = [r for r in results if r["proposed_label"]]
    proposed = [r["sample_id"] for r in results]
    assert len(proposed) >= 2, "ILC with alpha 0 should propose relabels on noisy labels"
    accepted = curator.post(
        f"/api/runs/{run_id}/relabels", json={"sample_ids": proposed[:2], "accept": True}
    )
    assert accepted.status_code == 200, accepted.text
    version_id = accepted.json()["label_version_id"]
    versions = curator.get(f"/api/datasets/{imported}/label-versions").json()
    assert versions[-1]["id"] == version_id and versions[-1]["current"]
    assert f"run {run_id}" in versions[-1]["reason"]
    diff = curator.get(
        f"/api/datasets/{imported}/label-versions/diff",
        params={"old": detail["label_version_id"], "new": version_id},
    ).json()
    changed = {c["sample_id"]: c["after"] for c in diff}
    assert changed == {r["sample_id"]: r["proposed_label"] for r in results[:2]}
    after = curator.get(f"/api/runs/{run_id}/projection").json()
    reviewed = [r for r in after["review"] if r]
    assert reviewed == ["accepted", "accepted"]

    # Accepting the same proposals again changes nothing and makes no second version.
    again = curator.post(
        f"/api/runs/{run_id}/relabels", json={"sample_ids": proposed[:2], "accept": True}
    ).json()
    assert again["label_version_id"] is None and sorted(again["unchanged"]) == sorted(proposed[:2])
    assert len(curator.get(f"/api/datasets/{imported}/label-versions").json()) == len(versions)

    # An expert relabels a sample after the run: accepting its proposal never silently
    # overwrites that decision.
    first = results[0]
    expert_label = next(
        c
        for c in ("negative", "positive", "surprise")
        if c not in (first["proposed_label"], first["label"])
    )
    curator.post(
        f"/api/datasets/{imported}/label-versions",
        json={"reason": "expert review", "changes": {str(proposed[0]): expert_label}},
    )
    refused = curator.post(
        f"/api/runs/{run_id}/relabels", json={"sample_ids": proposed[:1], "accept": True}
    )
    assert refused.status_code == 409
    assert refused.json()["detail"]["changed"] == {str(proposed[0]): expert_label}
    replaced = curator.post(
        f"/api/runs/{run_id}/relabels",
        json={"sample_ids": proposed[:1], "accept": True, "replace_changed": True},
    ).json()
    assert replaced["label_version_id"] is not None

    # Decisions taken back: the labels the acceptances replaced return (the expert's label
    # included), in the version of this sitting, and the proposals are pending again.
    undone = curator.post(f"/api/runs/{run_id}/relabels/undo", json={"sample_ids": proposed[:2]})
    assert undone.status_code == 200, undone.text
    assert undone.json()["label_version_id"] == replaced["label_version_id"]
    restored = {s: curator.get(f"/api/samples/{s}").json()["label"] for s in proposed[:2]}
    assert restored == {proposed[0]: expert_label, proposed[1]: results[1]["label"]}
    decisions = curator.get(
        f"/api/datasets/{imported}/label-versions/{replaced['label_version_id']}/changes"
    ).json()
    assert [c["run_id"] for c in decisions] == [run_id] * len(decisions)
    review = dict(
        zip(
            after["sample_id"],
            curator.get(f"/api/runs/{run_id}/projection").json()["review"],
            strict=True,
        )
    )
    assert review[proposed[0]] is None and review[proposed[1]] is None
    twice = curator.post(f"/api/runs/{run_id}/relabels/undo", json={"sample_ids": proposed[:1]})
    assert twice.status_code == 422

    # Deleting the run discards its results but not the record of who accepted what, and
    # its id is never given to another run.
    files = serving.state.settings.run_dir / str(run_id)
    assert files.is_dir()
    assert curator.delete(f"/api/runs/{run_id}").status_code == 204
    assert not files.exists()
    assert run_id not in [r["id"] for r in curator.get("/api/runs").json()]
    assert curator.get(f"/api/runs/{run_id}").json()["status"] == "deleted"
    assert curator.get(f"/api/runs/{run_id}/results").status_code == 409
    with serving.state.sessions() as session:
        assert session.query(RelabelReview).filter_by(run_id=run_id).count() >= 3
    later = curator.post(f"/api/datasets/{imported}/runs", json=FAST_RUN).json()
    curator.post(f"/api/runs/{later['id']}/cancel")
    assert later["id"] > run_id


def test_cancelling_a_run_frees_its_worker_long_before_the_run_would_end(serving, imported):
    curator = signed_in(serving, "curator")
    run_id = curator.post(
        f"/api/datasets/{imported}/runs", json={**FAST_RUN, "epochs": 2000}
    ).json()["id"]
    running = wait_for(
        curator, run_id, lambda r: r["status"] == "running" and r["progress"]["done"] > 0
    )
    # Numbered among the seed's six LOSO folds, not within the task holding three of them.
    assert running["progress"]["stage"].startswith("seed 0, LOSO fold 1 of 6, epoch ")
    assert (running["progress"]["folds_done"], running["progress"]["folds_total"]) == (0, 6)

    cancelled = curator.post(f"/api/runs/{run_id}/cancel")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    # The worker is free again: a second run gets picked up well before the cancelled one
    # could have ended at the pace it had (measured here, so a busy machine is no matter).
    started = datetime.fromisoformat(running["started_at"]).replace(tzinfo=UTC)
    pace = (datetime.now(UTC) - started).total_seconds() / running["progress"]["done"]
    remaining = pace * (running["progress"]["total"] - running["progress"]["done"])
    second = curator.post(f"/api/datasets/{imported}/runs", json={**FAST_RUN, "epochs": 1})
    wait_for(curator, second.json()["id"], lambda r: r["status"] != "queued", remaining / 2)
    assert curator.post(f"/api/runs/{run_id}/cancel").status_code == 409


def test_only_curators_launch_runs(login, imported):
    response = login("annotator").post(f"/api/datasets/{imported}/runs", json=FAST_RUN)

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"method": "ilc", "epochs": 0}, "epochs"),
        ({"method": "magic"}, "method"),
        ({"method": "ilc", "alpha": -1}, "alpha"),
        ({"method": "idc"}, "marks_user"),
        ({"method": "ilc", "marks_user": "annotator"}, "marks_user"),
        ({"method": "ilc", "consensus": "any-noisy"}, "consensus"),
        ({"method": "idc", "consensus": "cleanlab", "marks_user": "annotator"}, "consensus"),
        ({"method": "ilc", "bogus": 1}, "bogus"),
        ({"method": "idc", "marks_user": "nobody"}, "marks_user"),
        ({"method": "ilc", "label_version_id": 999}, "label_version_id"),
        ({"method": "ilc", "protocol": "mine"}, "protocol"),
        ({"method": "idc", "warmup_epochs": 5, "epochs": 5}, "warmup_epochs"),
        ({"method": "ilc", "warmup_epochs": 2, "epochs": 5}, "warmup_epochs"),
        ({"method": "ltm", "q": 5}, "q"),
        ({"method": "ilc", "device": "cuda"}, "device"),
    ],
)
@pytest.mark.parametrize("route", ["runs", "runs/plan"])
def test_a_bad_launch_is_refused_naming_the_field(login, imported, body, field, route):
    if body.get("device") == "cuda" and torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    response = login("curator").post(f"/api/datasets/{imported}/{route}", json=body)

    assert response.status_code == 422
    assert response.json()["detail"]["field"] == field


def test_a_plan_shows_the_effective_parameters_before_anything_is_queued(login, imported):
    curator = login("curator")
    body = {"method": "idc+ilc", "epochs": 8, "seeds": 2, "marks_user": "annotator"}

    none_clean = curator.post(f"/api/datasets/{imported}/runs/plan", json=body)
    samples = curator.get(f"/api/datasets/{imported}/samples", params={"limit": 50}).json()
    by_label = {}
    for sample in samples["items"]:
        by_label.setdefault(sample["label"], []).append(sample["id"])
    annotator = login("annotator")
    annotator.post("/api/marks/bulk", json={"sample_ids": by_label["positive"], "verdict": "clean"})
    one_class = curator.post(f"/api/datasets/{imported}/runs/plan", json=body)
    every = [ids[0] for ids in by_label.values()]
    annotator.post("/api/marks/bulk", json={"sample_ids": every, "verdict": "clean"})
    planned = curator.post(f"/api/datasets/{imported}/runs/plan", json=body)

    assert none_clean.status_code == one_class.status_code == 422
    assert "none in negative, surprise" in one_class.json()["detail"]["message"]
    assert planned.status_code == 200, planned.text
    plan = planned.json()
    # IDC's warm-up of 50 of the paper's 200 epochs, scaled to 8; ILC's alpha.
    assert plan["method"]["warmup_epochs"] == 2 and plan["method"]["alpha"] == 2.5
    assert plan["folds"] == 6 and plan["seeds"] == 2
    assert plan["clean_per_class"]["positive"] == len(by_label["positive"])
    assert plan["clean_per_class"]["negative"] == 1
    assert plan["estimate_s"] is None  # no run has finished on this dataset yet
    assert curator.get("/api/runs").json() == []


def test_the_method_list_gives_each_method_the_parameters_it_takes(login):
    catalogue = login("annotator").get("/api/methods").json()

    methods = {m["name"]: m for m in catalogue["methods"]}
    assert tuple(methods) == METHOD_NAMES
    assert methods["qpercentile"]["q_default"] == 10 and methods["ilc"]["q_default"] is None
    assert methods["idc+ilc"]["warmup_share"] == 0.25 and methods["idc+ilc"]["needs_marks"]
    assert methods["mwn"]["needs_marks"] and not methods["ilc"]["needs_marks"]
    assert methods["ltm"]["alpha_trains"] and not methods["gce"]["alpha_trains"]
    assert catalogue["defaults"]["alpha"] == 2.5 and catalogue["defaults"]["epochs"] == 200


def test_results_of_an_unfinished_run_are_refused(login, imported):
    curator = login("curator")
    run_id = curator.post(f"/api/datasets/{imported}/runs", json=FAST_RUN).json()["id"]

    assert curator.get(f"/api/runs/{run_id}/results").status_code == 409
    assert curator.get(f"/api/runs/{run_id}").json()["status"] == "queued"
    assert curator.delete(f"/api/runs/{run_id}").status_code == 409


def test_a_server_restart_loses_no_run(settings, app, imported):
    with TestClient(app):
        curator = signed_in(app, "curator")
        running = curator.post(f"/api/datasets/{imported}/runs", json={**FAST_RUN, "epochs": 100})
        queued = curator.post(f"/api/datasets/{imported}/runs", json=FAST_RUN)
        run_id = running.json()["id"]
        wait_for(curator, run_id, lambda r: r["progress"]["done"] > 0)
    # The server stopped mid-run: its running part went back to the queue.
    with TestClient(create_app(settings)) as restarted:
        restarted.post("/api/login", json={"name": "curator", "password": PASSWORD})
        for launched in (running, queued):
            run = wait_for(
                restarted,
                launched.json()["id"],
                lambda r: r["status"] != "running" and r["status"] != "queued",
                timeout=240,
            )
            assert run["status"] == "succeeded", run
            assert all(p["attempts"] == 1 for p in run["parts"])


def test_a_run_records_the_protocol_it_was_launched_with_in_full(login, imported):
    curator = login("curator")

    run = curator.post(
        f"/api/datasets/{imported}/runs", json={**FAST_RUN, "protocol": "paper"}
    ).json()

    assert run["protocol"] == "paper"
    training = run["training"]
    assert training["double_softmax"] is True and training["scale_inputs"] is False
    assert training["model"]["hidden_channels"] == 28 and training["published_batches"] is True
    assert (training["epochs"], training["lr"], training["batch_size"]) == (
        FAST_RUN["epochs"],
        0.01,
        128,
    )
    assert run["flow"]["method"] == "tvl1" and run["flow"]["working_size"] == [170, 140]
