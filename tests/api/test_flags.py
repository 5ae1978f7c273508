"""A run's flags against the experts' verdicts, and two runs compared sample by sample."""

from tests.api.helpers import FAST_RUN, follow, signed_in


def flagged(result: dict) -> bool:
    return result["high_loss"] or result["label_issue"] or result["flag_rate"] >= 0.5


def test_a_runs_flags_are_scored_against_the_experts_noisy_verdicts(
    serving, imported, finished_run
):
    annotator = signed_in(serving, "annotator")
    results = annotator.get(f"/api/runs/{finished_run}/results").json()
    hit, miss = [r for r in results if flagged(r)], [r for r in results if not flagged(r)]
    assert len(hit) >= 3 and miss, "the run must flag some samples and not others"
    verdicts = {hit[0]["sample_id"]: "noisy", hit[1]["sample_id"]: "noisy"}
    verdicts |= {hit[2]["sample_id"]: "clean", miss[0]["sample_id"]: "noisy"}
    for sample_id, verdict in verdicts.items():
        annotator.put(f"/api/samples/{sample_id}/mark", json={"verdict": verdict, "based_on": None})

    report = annotator.get(f"/api/runs/{finished_run}/flags").json()

    # Four judged samples: three noisy, three flagged, two both.
    overall = report["overall"]
    assert (overall["judged"], overall["noisy"], overall["flagged"], overall["both"]) == (
        4,
        3,
        3,
        2,
    )
    assert overall["precision"] == overall["recall"] == round(2 / 3, 4) and overall["few"]
    assert sum(a["judged"] for a in report["by_source"].values()) == 4
    assert report["disagreements_total"] == 2
    first, second = report["disagreements"]
    assert (first["sample_id"], first["flagged"], first["experts"]) == (
        hit[2]["sample_id"],
        True,
        "clean",
    )
    assert (second["sample_id"], second["experts"]) == (miss[0]["sample_id"], "noisy")
    by_subject = report["flag_rate_by_subject"]
    assert sum(g["samples"] for g in by_subject.values()) == 18
    assert sum(g["flagged"] for g in by_subject.values()) == len(hit)
    assert all(g["few"] for g in by_subject.values())  # three samples a subject

    # Marking blind, another annotator is scored only on the samples they marked.
    signed_in(serving, "curator").patch(f"/api/datasets/{imported}", json={"blind_marking": True})
    other = signed_in(serving, "annotator2").get(f"/api/runs/{finished_run}/flags").json()
    assert other["overall"]["judged"] == 0 and other["disagreements"] == []
    assert annotator.get(f"/api/runs/{finished_run}/flags").json()["overall"]["judged"] == 4


def test_two_runs_are_compared_sample_by_sample(serving, imported, finished_run):
    curator = signed_in(serving, "curator")
    body = {**FAST_RUN, "method": "baseline"}
    other = curator.post(f"/api/datasets/{imported}/runs", json=body).json()["id"]
    assert follow(curator, other)[-1][1]["status"] == "succeeded"
    first, second = (
        {r["sample_id"]: r for r in curator.get(f"/api/runs/{i}/results").json()}
        for i in (finished_run, other)
    )

    changed = curator.get("/api/runs/compare/samples", params={"a": finished_run, "b": other})

    assert changed.status_code == 200, changed.text
    report = changed.json()
    predictions = [s for s in first if first[s]["prediction"] != second[s]["prediction"]]
    flags = [s for s in first if flagged(first[s]) != flagged(second[s])]
    assert report["samples"] == 18
    assert report["prediction_changed"] == len(predictions)
    assert report["flag_changed"] == len(flags)
    listed = {c["sample_id"] for c in report["changes"]}
    assert set(predictions) | set(flags) <= listed
    assert set(report["uf1_change"]) >= {"composite"}
    assert report["caveats"] == []
    missing = curator.get("/api/runs/compare/samples", params={"a": finished_run, "b": 999})
    assert missing.status_code == 404
