"""Review next: the queue of suspicious labels and why a run flagged a sample."""

from tests.api.helpers import signed_in


def queue(client, dataset_id: int, **params) -> dict:
    response = client.get(f"/api/datasets/{dataset_id}/triage", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_queue_orders_every_sample_by_suspicion_and_counts_my_progress(
    serving, imported, finished_run
):
    annotator = signed_in(serving, "annotator")

    first = queue(annotator, imported, limit=500)
    scores = [item["score"] for item in first["items"]]
    results = annotator.get(f"/api/runs/{finished_run}/results").json()
    flagged = sum(r["high_loss"] or r["label_issue"] or r["flag_rate"] >= 0.5 for r in results)

    assert first["run_ids"] == [finished_run] and first["total"] == len(results) == 18
    assert scores == sorted(scores, reverse=True)
    assert [item["position"] for item in first["items"]] == list(range(18))
    assert first["flagged"] == flagged == first["flagged_unreviewed"]
    assert (first["reviewed"], first["next_unreviewed"]) == (0, 0)

    top = first["items"][0]["sample"]["id"]
    annotator.put(f"/api/samples/{top}/mark", json={"verdict": "noisy", "based_on": None})
    after = queue(annotator, imported, offset=1, limit=2)

    assert after["reviewed"] == 1 and after["next_unreviewed"] == 1
    assert [i["position"] for i in after["items"]] == [1, 2]
    assert after["items"][0]["sample"]["id"] == first["items"][1]["sample"]["id"]


def test_experts_who_disagree_raise_a_sample_in_the_queue(serving, imported, finished_run):
    annotator, curator = signed_in(serving, "annotator"), signed_in(serving, "curator")
    before = {i["sample"]["id"]: i for i in queue(annotator, imported, limit=500)["items"]}
    last = min(before.values(), key=lambda item: item["score"])["sample"]["id"]

    annotator.put(f"/api/samples/{last}/mark", json={"verdict": "clean", "based_on": None})
    curator.put(f"/api/samples/{last}/mark", json={"verdict": "noisy", "based_on": None})
    after = {i["sample"]["id"]: i for i in queue(annotator, imported, limit=500)["items"]}

    assert after[last]["signals"]["disagreement"] is True
    assert after[last]["score"] > before[last]["score"]
    only = queue(annotator, imported, disagreement=True)
    assert [i["sample"]["id"] for i in only["items"]] == [last]
    assert (only["total"], only["reviewed"], only["next_unreviewed"]) == (1, 1, None)

    # Marking blind, an expert who has not marked the sample learns nothing from the queue.
    curator.patch(f"/api/datasets/{imported}", json={"blind_marking": True})
    other = signed_in(serving, "annotator2")
    unseen = {i["sample"]["id"]: i for i in queue(other, imported, limit=500)["items"]}
    assert unseen[last]["signals"]["disagreement"] is False
    seen = {i["sample"]["id"]: i for i in queue(annotator, imported, limit=500)["items"]}
    assert seen[last]["signals"]["disagreement"] is True  # the annotator gave their verdict


def test_why_flagged_puts_a_samples_loss_in_context_with_its_neighbours(
    serving, imported, finished_run
):
    annotator = signed_in(serving, "annotator")
    item = queue(annotator, imported, limit=1)["items"][0]
    sample_id = item["sample"]["id"]

    why = annotator.get(f"/api/runs/{finished_run}/samples/{sample_id}/why").json()

    result = next(
        r
        for r in annotator.get(f"/api/runs/{finished_run}/results").json()
        if r["sample_id"] == sample_id
    )
    assert why["prediction"] == result["prediction"] and why["given"] == result["label"]
    assert 0 <= why["loss_above_in_class"] <= 1 and 0 <= why["loss_above_in_subject"] <= 1
    assert why["current_label"] == why["given"]
    assert why["subject_size"] == 3
    # Its training loss in each of the run's 4 epochs (FAST_RUN), beside its class's median.
    assert len(why["loss_curve"]) == len(why["class_loss_curve"]) == 4
    assert all(loss > 0 for loss in why["loss_curve"] + why["class_loss_curve"])
    distances = [n["distance"] for n in why["neighbours"]]
    assert len(distances) == 6 and distances == sorted(distances)
    assert sample_id not in [n["sample_id"] for n in why["neighbours"]]
    # Three samples a subject and a handful per class: the flag is hedged, on both counts.
    assert any("has only 3 samples" in c for c in why["caveats"])
    assert any(f"are labelled {why['given']}" in c for c in why["caveats"])
    assert item["caveats"]


def test_the_queue_needs_a_finished_run_of_its_own_dataset(login, imported):
    annotator = login("annotator")

    none_yet = annotator.get(f"/api/datasets/{imported}/triage")
    assert none_yet.status_code == 409 and "launch a run" in none_yet.json()["detail"]["message"]
    foreign = annotator.get(f"/api/datasets/{imported}/triage", params={"run_id": 999})
    assert foreign.status_code == 422 and foreign.json()["detail"]["field"] == "run_id"
    too_many = annotator.get(f"/api/datasets/{imported}/triage", params={"run_id": range(1, 8)})
    assert too_many.status_code == 422
    assert annotator.get("/api/runs/999/samples/1/why").status_code == 404
