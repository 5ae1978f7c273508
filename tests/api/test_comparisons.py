from tests.api.helpers import FAST_RUN, follow, signed_in

TWO_SEEDS = {**FAST_RUN, "method": "baseline", "epochs": 2, "seeds": 2, "tasks_per_seed": 1}


def test_compared_runs_get_the_uf1_difference_with_its_interval_and_seed_test(serving, imported):
    curator = signed_in(serving, "curator")
    ids = [
        curator.post(f"/api/datasets/{imported}/runs", json=body).json()["id"]
        for body in (TWO_SEEDS, {**TWO_SEEDS, "method": "ltm", "protocol": "paper"})
    ]
    for run_id in ids:
        assert follow(curator, run_id)[-1][1]["status"] == "succeeded"
    unfinished = curator.post(f"/api/datasets/{imported}/runs", json=TWO_SEEDS).json()["id"]
    curator.post(f"/api/runs/{unfinished}/cancel")

    response = curator.get("/api/runs/compare", params={"ids": [*ids, unfinished]})

    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["id"] for r in body["runs"]] == [*ids, unfinished]
    measured, refused = body["differences"]
    runs = {r["id"]: r for r in body["runs"]}
    expected = (
        runs[ids[1]]["summary"]["composite"]["uf1_mean"]
        - runs[ids[0]]["summary"]["composite"]["uf1_mean"]
    )
    assert measured["reference_id"] == ids[0] and measured["run_id"] == ids[1]
    assert abs(measured["difference"] - expected) < 1e-9
    assert measured["ci_low"] <= measured["ci_high"]
    assert measured["paired_seeds"] == 2 and 0 <= measured["p_value"] <= 1
    assert measured["subjects"] >= 2
    # Another protocol: whatever the interval, the difference is not the method's.
    assert measured["confounds"] == ["protocol (meclean vs paper)"]
    assert measured["real"] is False
    assert measured["verdict"] == "not comparable: differs in protocol (meclean vs paper)"
    assert measured["caveats"][0] == (
        "a paired test over 2 seeds has one degree of freedom: weak evidence"
    )
    assert "subjects: the interval is coarse" in measured["caveats"][1]
    assert refused["difference"] is None and f"run {unfinished}" in refused["reason"]
    assert refused["verdict"] == "not computed"


def test_a_comparison_is_bounded_and_needs_a_sign_in(anonymous, login):
    annotator = login("annotator")

    assert anonymous.get("/api/runs/compare", params={"ids": [1]}).status_code == 401
    assert annotator.get("/api/runs/compare", params={"ids": list(range(21))}).status_code == 422
    assert annotator.get("/api/runs/compare", params={"ids": [999]}).status_code == 404
