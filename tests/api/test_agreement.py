import pytest

from meclean.db.models import MAX_ID
from tests.api.helpers import FAST_RUN, follow


def sample_ids(client, dataset_id, n):
    page = client.get(f"/api/datasets/{dataset_id}/samples", params={"limit": n}).json()
    return [s["id"] for s in page["items"]]


def mark(client, sample_id, verdict, based_on=None) -> int:
    response = client.put(
        f"/api/samples/{sample_id}/mark", json={"verdict": verdict, "based_on": based_on}
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def disagreeing(client, dataset_id):
    page = client.get(f"/api/datasets/{dataset_id}/samples", params={"disagreement": True})
    return [s["id"] for s in page.json()["items"]]


def set_blind(client, dataset_id, blind: bool):
    response = client.patch(f"/api/datasets/{dataset_id}", json={"blind_marking": blind})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_curator_turns_blind_marking_on_and_off(login, imported):
    curator = login("curator")

    before = curator.get(f"/api/datasets/{imported}").json()["blind_marking"]
    on = set_blind(curator, imported, True)
    seen_by_annotator = login("annotator").get(f"/api/datasets/{imported}").json()
    off = set_blind(curator, imported, False)

    assert before is False
    assert on["blind_marking"] is True and on["id"] == imported and on["samples"] > 0
    assert seen_by_annotator["blind_marking"] is True
    assert off["blind_marking"] is False


def test_while_blind_i_see_others_verdicts_only_after_giving_mine(login, imported):
    curator, ana, bo = login("curator"), login("annotator"), login("annotator2")
    first, second = sample_ids(ana, imported, 2)
    mark(bo, first, "noisy")
    mark(curator, first, "clean")
    mark(bo, second, "clean")
    assert disagreeing(ana, imported) == [first]  # open marking: everyone's verdicts show

    set_blind(curator, imported, True)
    hidden = ana.get(f"/api/samples/{first}").json()
    hidden_in_grid = disagreeing(ana, imported)
    progress = ana.get(f"/api/datasets/{imported}/progress").json()
    mine = mark(ana, first, "clean")
    shown = ana.get(f"/api/samples/{first}").json()
    shown_in_grid = disagreeing(ana, imported)
    mark(ana, first, "retracted", based_on=mine)
    retracted = ana.get(f"/api/samples/{first}").json()

    assert hidden["marks"] == [] and hidden["agreement"] is None
    assert hidden["marks_withheld"] is True and hidden["my_mark"] is None
    assert hidden_in_grid == []
    # Totals over the dataset stay: they tell nothing about one sample.
    assert progress["verdicts"] == {"noisy": 1, "clean": 2}
    assert {(m["user"], m["verdict"]) for m in shown["marks"]} == {
        ("annotator", "clean"),
        ("annotator2", "noisy"),
        ("curator", "clean"),
    }
    assert shown["agreement"] is False and shown["marks_withheld"] is False
    assert shown_in_grid == [first]
    # Once seen, verdicts stay seen: taking my mark back does not hide them again.
    assert len(retracted["marks"]) == 2 and retracted["marks_withheld"] is False
    assert retracted["my_mark_id"] is not None  # what my next mark is based on
    # Curators run the study: they see every verdict, marked or not.
    assert len(curator.get(f"/api/samples/{second}").json()["marks"]) == 1
    assert disagreeing(curator, imported) == [first]

    # Nor does the marks export tell an annotator what others said while blind.
    export = f"/api/datasets/{imported}/marks.csv"
    assert ana.get(export).status_code == 403
    assert ana.get(export, params={"user": "annotator2"}).status_code == 403
    assert ana.get(export, params={"user": "annotator"}).status_code == 200
    assert curator.get(export).status_code == 200

    set_blind(curator, imported, False)
    assert len(ana.get(f"/api/samples/{first}").json()["marks"]) == 2
    assert ana.get(export, params={"user": "annotator2"}).status_code == 200


def test_agreement_between_experts_matches_a_hand_computation(login, imported):
    curator, ana, bo = login("curator"), login("annotator"), login("annotator2")
    ids = sample_ids(ana, imported, 7)
    for sample, a, b in zip(
        ids,
        ["clean", "clean", "noisy", "noisy", "clean", "unsure"],
        ["clean", "noisy", "noisy", "noisy", "clean", "clean"],
        strict=False,
    ):
        mark(ana, sample, a)
        mark(bo, sample, b)
    mark(curator, ids[0], "clean")
    mark(curator, ids[1], "noisy")
    mark(curator, ids[6], "noisy")  # nobody else marked it: no pair, not in Fleiss
    mark(curator, ids[2], "retracted", based_on=mark(curator, ids[2], "clean"))

    result = curator.get(f"/api/datasets/{imported}/agreement").json()

    assert result["categories"] == ["clean", "noisy", "unsure"]
    assert result["experts"] == [
        {"name": "annotator", "marked": 6},
        {"name": "annotator2", "marked": 6},
        {"name": "curator", "marked": 3},
    ]
    pairs = {(p["first"], p["second"]): p for p in result["pairs"]}
    assert list(pairs) == [
        ("annotator", "annotator2"),
        ("annotator", "curator"),
        ("annotator2", "curator"),
    ]
    # P_o = 4/6, P_e = (3*3 + 2*3 + 1*0) / 36 = 15/36: kappa = 3/7.
    both = pairs["annotator", "annotator2"]
    assert both["shared"] == 6
    assert both["confusion"] == [[2, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert both["percent"] == pytest.approx(400 / 6)
    assert both["kappa"] == pytest.approx(3 / 7)
    # Two shared samples: annotator clean, clean; curator clean, noisy. P_o = P_e = 1/2.
    assert pairs["annotator", "curator"]["kappa"] == pytest.approx(0)
    assert pairs["annotator", "curator"]["percent"] == 50
    assert pairs["annotator2", "curator"]["kappa"] == pytest.approx(1)
    # Samples 0-5: P_i = 1, 1/3, 1, 1, 1, 0 (P-bar 13/18); p = 7/14, 6/14, 1/14 (P_e 43/98).
    assert result["fleiss"]["samples"] == 6
    assert result["fleiss"]["kappa"] == pytest.approx(50 / 99)
    assert result["fleiss"]["reason"] is None


def test_agreement_without_two_experts_says_why_it_has_no_kappa(login, imported):
    curator = login("curator")
    for sample in sample_ids(curator, imported, 3):
        mark(curator, sample, "clean")

    result = curator.get(f"/api/datasets/{imported}/agreement").json()

    assert result["experts"] == [{"name": "curator", "marked": 3}]
    assert result["pairs"] == []
    assert result["fleiss"] == {
        "kappa": None,
        "samples": 0,
        "reason": "no sample was marked by two experts",
    }


def test_annotators_may_neither_read_agreement_nor_change_blind_marking(login, imported):
    annotator = login("annotator")

    read = annotator.get(f"/api/datasets/{imported}/agreement")
    change = annotator.patch(f"/api/datasets/{imported}", json={"blind_marking": True})

    assert read.status_code == change.status_code == 403
    assert login("curator").get(f"/api/datasets/{imported}").json()["blind_marking"] is False


def test_unknown_datasets_and_settings_are_refused(login, imported):
    curator = login("curator")

    assert curator.get("/api/datasets/999999/agreement").status_code == 404
    assert curator.patch("/api/datasets/999999", json={"blind_marking": True}).status_code == 404
    assert curator.get(f"/api/datasets/{MAX_ID + 1}/agreement").status_code == 422
    misspelt = curator.patch(f"/api/datasets/{imported}", json={"blind": True})
    assert misspelt.status_code == 422
    wrong_type = curator.patch(f"/api/datasets/{imported}", json={"blind_marking": "maybe"})
    assert wrong_type.status_code == 422
    assert wrong_type.json()["detail"]["field"].endswith("blind_marking")


def test_cleanlab_consensus_needs_a_finished_run_to_weigh_the_experts_against(login, imported):
    body = {"method": "idc", "epochs": 4, "consensus": "cleanlab"}

    planned = login("curator").post(f"/api/datasets/{imported}/runs/plan", json=body)

    assert planned.status_code == 422 and planned.json()["detail"]["field"] == "consensus"
    assert login("curator").get(f"/api/datasets/{imported}/agreement").json()["weighed"] is None


def test_idc_takes_its_clean_set_from_the_experts_weighed_by_cleanlab(
    login, imported, finished_run
):
    curator, ana, bo = login("curator"), login("annotator"), login("annotator2")
    ids = sample_ids(ana, imported, 18)
    ana.post("/api/marks/bulk", json={"sample_ids": ids, "verdict": "clean"})
    bo.post("/api/marks/bulk", json={"sample_ids": ids[:6], "verdict": "noisy"})
    bo.post("/api/marks/bulk", json={"sample_ids": ids[6:], "verdict": "clean"})

    agreement = curator.get(f"/api/datasets/{imported}/agreement").json()
    body = {"method": "idc+ilc", "epochs": 4, "consensus": "cleanlab"}
    planned = curator.post(f"/api/datasets/{imported}/runs/plan", json=body)

    weighed = agreement["weighed"]
    assert weighed["run_id"] == finished_run and weighed["samples"] == 18
    assert [e["name"] for e in weighed["experts"]] == ["annotator", "annotator2"]
    assert all(0 <= e["quality"] <= 1 for e in weighed["experts"])
    assert planned.status_code == 200, planned.text
    assert sum(planned.json()["clean_per_class"].values()) == 18 - weighed["noisy"]


def test_cleanlab_weighs_the_experts_against_the_finished_run_the_curator_names(
    login, imported, finished_run
):
    curator, ana, bo = login("curator"), login("annotator"), login("annotator2")
    baseline = curator.post(
        f"/api/datasets/{imported}/runs", json={**FAST_RUN, "method": "baseline"}
    ).json()["id"]
    assert follow(curator, baseline)[-1][1]["status"] == "succeeded"
    ids = sample_ids(ana, imported, 18)
    ana.post("/api/marks/bulk", json={"sample_ids": ids, "verdict": "clean"})
    bo.post("/api/marks/bulk", json={"sample_ids": ids[:6], "verdict": "noisy"})
    bo.post("/api/marks/bulk", json={"sample_ids": ids[6:], "verdict": "clean"})
    default = curator.get(f"/api/datasets/{imported}/agreement").json()["weighed"]["run_id"]
    named = finished_run if default == baseline else baseline

    agreement = curator.get(f"/api/datasets/{imported}/agreement", params={"run_id": named})
    body = {"method": "idc", "epochs": 4, "consensus": "cleanlab", "consensus_run_id": named}
    planned = curator.post(f"/api/datasets/{imported}/runs/plan", json=body)
    launched = curator.post(f"/api/datasets/{imported}/runs", json=body)
    assert launched.status_code == 201, launched.text
    launched = launched.json()
    curator.post(f"/api/runs/{launched['id']}/cancel")

    assert agreement.status_code == 200 and agreement.json()["weighed"]["run_id"] == named
    assert planned.status_code == 200 and planned.json()["consensus_run_id"] == named
    assert launched["clean_set_from"] == f"all experts weighed by cleanlab against run {named}"


def test_the_run_to_weigh_the_experts_against_is_a_finished_run_of_the_dataset_for_cleanlab(
    login, imported
):
    curator = login("curator")
    queued = curator.post(f"/api/datasets/{imported}/runs", json=FAST_RUN).json()["id"]

    def plan(**body):
        response = curator.post(f"/api/datasets/{imported}/runs/plan", json=body)
        assert response.status_code == 422, response.text
        return response.json()["detail"]

    def weigh(run_id):
        response = curator.get(f"/api/datasets/{imported}/agreement", params={"run_id": run_id})
        assert response.status_code == 422, response.text
        return response.json()["detail"]

    idc = {"method": "idc", "epochs": 4}
    unknown = plan(**idc, consensus="cleanlab", consensus_run_id=999999)
    unfinished = plan(**idc, consensus="cleanlab", consensus_run_id=queued)
    by_majority = plan(**idc, consensus="majority", consensus_run_id=queued)
    without_marks = plan(method="ilc", epochs=4, consensus_run_id=queued)
    too_big = plan(**idc, consensus="cleanlab", consensus_run_id=MAX_ID + 1)

    assert unknown == {"message": "no run 999999 in this dataset", "field": "consensus_run_id"}
    assert unfinished["field"] == "consensus_run_id" and "is queued" in unfinished["message"]
    assert by_majority["field"] == without_marks["field"] == "consensus_run_id"
    assert "for cleanlab" in by_majority["message"]
    assert "trains on no marks" in without_marks["message"]
    assert too_big["field"].endswith("consensus_run_id")
    assert weigh(queued)["field"] == weigh(999999)["field"] == "run_id"
    assert "is queued" in weigh(queued)["message"]


def test_cleanlab_says_it_needs_two_experts_when_only_one_gave_clean_or_noisy_verdicts(
    login, imported, finished_run
):
    curator, ana, bo = login("curator"), login("annotator"), login("annotator2")
    ids = sample_ids(ana, imported, 18)
    ana.post("/api/marks/bulk", json={"sample_ids": ids, "verdict": "clean"})
    bo.post("/api/marks/bulk", json={"sample_ids": ids, "verdict": "unsure"})

    agreement = curator.get(f"/api/datasets/{imported}/agreement")
    body = {"method": "idc", "epochs": 4, "consensus": "cleanlab"}
    planned = curator.post(f"/api/datasets/{imported}/runs/plan", json=body)

    assert agreement.status_code == 200 and agreement.json()["weighed"] is None
    assert "two experts or more" in agreement.json()["weighed_reason"]
    assert "(1 so far)" in agreement.json()["weighed_reason"]
    assert planned.status_code == 422 and planned.json()["detail"]["field"] == "consensus"
    assert "two experts or more" in planned.json()["detail"]["message"]
