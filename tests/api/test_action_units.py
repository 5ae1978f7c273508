"""The AUs through the HTTP API: on samples, in exports and filters, and as the review
queue's evidence before any run."""

import shutil

import pytest

from tests.api.helpers import import_through_api


@pytest.fixture
def coded(login, settings, clean_composite) -> int:
    """Twelve subjects without label noise, whose sheets code AUs (with coding errors)."""
    root = settings.data_dir / "clean"
    shutil.copytree(clean_composite, root)
    job = import_through_api(
        login("curator"),
        {
            "name": "clean",
            "layout": "megc2019",
            "path": str(root),
            "roster": str(root / "roster.csv"),
        },
    )
    summary = job["report"]
    assert summary["action_units"]["smic"] == {
        "coded": 0,
        "samples": summary["action_units"]["smic"]["samples"],
    }
    assert (
        summary["action_units"]["casme2"]["coded"] == summary["action_units"]["casme2"]["samples"]
    )
    return job["dataset_id"]


def samples(client, dataset_id, **params):
    return client.get(f"/api/datasets/{dataset_id}/samples", params={"limit": 500, **params}).json()


def smiling(client, dataset_id):
    """A CASME II sample labelled positive whose AUs include 12, and its AUs."""
    page = samples(client, dataset_id, source="casme2", label="positive", au=12)["items"]
    return next(s for s in page if s["au_support"] is not None and s["au_support"] > 0.5)


def test_the_queue_ranks_by_the_aus_alone_before_any_run(login, coded):
    curator = login("curator")
    sample = smiling(curator, coded)
    curator.post(
        f"/api/datasets/{coded}/label-versions",
        json={"reason": "a wrong label", "changes": {str(sample["id"]): "negative"}},
    )

    queue = curator.get(f"/api/datasets/{coded}/triage", params={"limit": 5}).json()

    assert queue["run_ids"] == [] and queue["signals"] == ["disagreement", "au_evidence"]
    ranked = [item["sample"]["id"] for item in queue["items"]]
    assert sample["id"] in ranked[:3]
    item = next(i for i in queue["items"] if i["sample"]["id"] == sample["id"])
    assert item["flagged"] and item["sample"]["au_disputed"]
    assert item["signals"]["loss"] is None and item["signals"]["au_support"] < 0.2
    assert "samples of other subjects" in item["signals"]["au_reason"]
    assert item["signals"]["au_reason"].endswith("this sample is labelled negative")
    assert item["sample"]["au_verdict"] == "disputed"
    assert item["sample"]["au_likeliest"] == "positive"


def test_a_relabel_changes_the_evidence_of_that_sample(login, coded):
    curator = login("curator")
    sample = smiling(curator, coded)
    before = sample["au_support"]

    curator.post(
        f"/api/datasets/{coded}/label-versions",
        json={"reason": "a wrong label", "changes": {str(sample["id"]): "negative"}},
    )
    after = curator.get(f"/api/samples/{sample['id']}").json()

    assert after["label"] == "negative" and after["au_support"] < before
    assert after["au_likeliest"] == "positive" and "AU" in after["au_reason"]
    assert after["au_verdict"] in ("contested", "disputed")
    assert any("lip corner puller" in au for au in after["action_unit_codings"][0])


def test_the_queue_refuses_a_signal_it_has_nothing_for(login, coded):
    refused = login("annotator").get(f"/api/datasets/{coded}/triage", params={"signal": "loss"})
    assert refused.status_code == 422 and refused.json()["detail"]["field"] == "signal"
    by_aus = login("annotator").get(
        f"/api/datasets/{coded}/triage", params={"signal": "au_evidence"}
    )
    assert by_aus.json()["signals"] == ["au_evidence"]


def test_samples_carry_their_aus_and_filter_by_au_and_by_support(login, coded):
    client = login("annotator")
    every = samples(client, coded)["items"]
    assert {s["au_verdict"] for s in every} <= {"supported", "contested", "disputed", None}
    with_12 = samples(client, coded, au=12)["items"]
    disputed = samples(client, coded, au_support="disputed")["items"]
    verdicts = {
        verdict: {s["id"] for s in samples(client, coded, au_support=verdict)["items"]}
        for verdict in ("supported", "contested", "disputed", "unjudged")
    }
    assert sum(len(v) for v in verdicts.values()) == len(every)  # each sample in one
    unjudged = samples(client, coded, au_support="unjudged")["items"]

    assert with_12 and all("12" in s["action_units"] for s in with_12)
    assert all(s["au_disputed"] for s in disputed)
    assert {s["source"] for s in unjudged} >= {"smic"}
    assert all(s["action_units"] is None for s in every if s["source"] == "smic")
    assert samples(client, coded, au=100).get("detail")  # no AU 100 in FACS: refused


def test_the_dataset_screen_shows_typical_aus_clashes_and_disputes_per_source(login, coded):
    curator = login("curator")
    sample = smiling(curator, coded)
    curator.post(
        f"/api/datasets/{coded}/label-versions",
        json={"reason": "a wrong label", "changes": {str(sample["id"]): "negative"}},
    )

    found = login("annotator").get(f"/api/datasets/{coded}/action-units").json()

    by_source = {s["source"]: s for s in found["sources"]}
    assert by_source["smic"]["coded"] == 0 and by_source["smic"]["judged"] == 0
    casme2 = by_source["casme2"]
    assert casme2["disputed"] >= 1 and 0 < casme2["judged"] <= casme2["coded"]
    assert 12 in [t["au"] for t in casme2["typical"]["positive"]]
    assert next(t for t in casme2["typical"]["positive"] if t["au"] == 12)["name"] == (
        "lip corner puller"
    )
    clash = next(c for c in casme2["clashes"] if sample["id"] in c["samples"])
    assert clash["labels"]["negative"] >= 1 and len(clash["labels"]) > 1
    assert len(clash["names"]) == len(clash["samples"])
