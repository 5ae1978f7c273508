"""Curators relabel directly, one sitting makes one label version with its list of changes,
each change undoable; verdicts name the label they judged, and a clean one is overridden
only on purpose."""

from tests.api.helpers import FAST_RUN


def relabel(client, dataset_id, ids, label, reason="looks like it", **extra):
    body = {"sample_ids": ids, "label": label, "reason": reason, **extra}
    return client.post(f"/api/datasets/{dataset_id}/relabel", json=body)


def other_label(client, sample_id):
    label = client.get(f"/api/samples/{sample_id}").json()["label"]
    return next(c for c in ("negative", "positive", "surprise") if c != label), label


def test_a_curators_decisions_in_one_sitting_make_one_version_with_its_changes(login, imported):
    curator = login("curator")
    first, was_first = other_label(curator, 1)
    second, was_second = other_label(curator, 2)

    one = relabel(curator, imported, [1], first, "the AUs say so")
    two = relabel(curator, imported, [2], second, "the flow says so")

    assert one.status_code == 200, one.text
    assert one.json()["label_version_id"] == two.json()["label_version_id"] == 2
    changes = curator.get(f"/api/datasets/{imported}/label-versions/2/changes").json()
    assert [(c["sample_id"], c["before"], c["after"], c["reason"], c["user"]) for c in changes] == [
        (1, was_first, first, "the AUs say so", "curator"),
        (2, was_second, second, "the flow says so", "curator"),
    ]
    versions = curator.get(f"/api/datasets/{imported}/label-versions").json()
    assert [(v["id"], v["current"], v["open"]) for v in versions] == [
        (1, False, False),
        (2, True, True),
    ]
    assert versions[1]["reason"] == "the AUs say so; the flow says so"
    assert curator.get("/api/samples/1").json()["label"] == first


def test_a_change_is_undone_per_sample_and_not_over_a_later_one(login, imported):
    curator = login("curator")
    first, was = other_label(curator, 1)
    second, was_second = other_label(curator, 2)
    one = relabel(curator, imported, [1], first).json()
    two = relabel(curator, imported, [2], second).json()

    undone = curator.post(
        f"/api/datasets/{imported}/label-changes/undo",
        json={"change_ids": [one["changes"][0]["id"]]},
    )
    third = next(c for c in ("negative", "positive", "surprise") if c not in (second, was_second))
    relabel(curator, imported, [2], third)
    refused = curator.post(
        f"/api/datasets/{imported}/label-changes/undo",
        json={"change_ids": [two["changes"][0]["id"]]},
    )

    assert undone.status_code == 200, undone.text
    assert curator.get("/api/samples/1").json()["label"] == was
    assert undone.json()["label_version_id"] == one["label_version_id"]  # same sitting
    assert refused.status_code == 409 and refused.json()["detail"]["field"] == "change_ids"
    assert curator.get("/api/samples/2").json()["label"] == third


def test_a_label_an_expert_judged_clean_is_replaced_only_on_purpose(login, imported):
    annotator, curator = login("annotator"), login("curator")
    annotator.put("/api/samples/1/mark", json={"verdict": "clean"})
    label, _ = other_label(curator, 1)

    refused = relabel(curator, imported, [1, 2], label)
    forced = relabel(curator, imported, [1, 2], label, override_clean=True)

    assert refused.status_code == 409
    assert refused.json()["detail"]["field"] == "override_clean"
    assert refused.json()["detail"]["clean"] == {"1": ["annotator"]}
    assert forced.status_code == 200, forced.text
    (mark,) = curator.get("/api/samples/1").json()["marks"]
    assert mark["verdict"] == "clean" and mark["on_another_label"] is True
    assert mark["judged_label"] != label


def test_a_verdict_names_the_label_it_judged_and_a_noisy_one_what_it_should_be(login, imported):
    annotator, curator = login("annotator"), login("curator")
    label = curator.get("/api/samples/1").json()["label"]
    should_be, _ = other_label(curator, 1)

    noisy = annotator.put("/api/samples/1/mark", json={"verdict": "noisy", "should_be": should_be})
    clean = annotator.put("/api/samples/2/mark", json={"verdict": "clean", "should_be": should_be})
    same = annotator.put(
        "/api/samples/3/mark",
        json={"verdict": "noisy", "should_be": curator.get("/api/samples/3").json()["label"]},
    )

    assert noisy.status_code == 200, noisy.text
    assert (noisy.json()["judged_label"], noisy.json()["should_be"]) == (label, should_be)
    assert clean.status_code == 422 and clean.json()["detail"]["field"] == "should_be"
    assert same.status_code == 422 and "already" in same.json()["detail"]["message"]
    (mark,) = curator.get("/api/samples/1").json()["marks"]
    assert (mark["should_be"], mark["on_another_label"]) == (should_be, False)


def test_a_run_launched_on_an_open_version_closes_it(serving, login, imported):
    curator = login("curator")
    label, _ = other_label(curator, 1)
    assert relabel(curator, imported, [1], label).json()["label_version_id"] == 2
    launched = curator.post(f"/api/datasets/{imported}/runs", json={**FAST_RUN, "epochs": 1})
    assert launched.status_code == 201, launched.text
    curator.post(f"/api/runs/{launched.json()['id']}/cancel")

    later, _ = other_label(curator, 2)
    assert relabel(curator, imported, [2], later).json()["label_version_id"] == 3


def test_another_curators_decision_starts_its_own_version_and_closes_the_first(login, imported):
    curator, admin = login("curator"), login("admin")
    first, _ = other_label(curator, 1)
    second, _ = other_label(curator, 2)
    assert relabel(curator, imported, [1], first).json()["label_version_id"] == 2

    assert relabel(admin, imported, [2], second).json()["label_version_id"] == 3
    third, _ = other_label(curator, 3)
    assert relabel(curator, imported, [3], third).json()["label_version_id"] == 4
    closed = curator.post(f"/api/datasets/{imported}/label-versions/4/close")
    fourth, _ = other_label(curator, 4)
    assert closed.status_code == 204
    assert relabel(curator, imported, [4], fourth).json()["label_version_id"] == 5


def test_annotators_cannot_relabel_and_bad_requests_name_their_field(login, imported):
    annotator, curator = login("annotator"), login("curator")
    label = curator.get("/api/samples/1").json()["label"]

    assert relabel(annotator, imported, [1], "surprise").status_code == 403
    same = relabel(curator, imported, [1], label)
    unknown = relabel(curator, imported, [424242], "surprise")
    no_reason = relabel(curator, imported, [1], "surprise", reason="")

    assert same.status_code == 422 and same.json()["detail"]["field"] == "label"
    assert unknown.status_code == 404 and unknown.json()["detail"]["field"] == "sample_ids"
    assert no_reason.status_code == 422
    assert curator.get(f"/api/datasets/{imported}/label-versions").json()[-1]["id"] == 1


def test_the_projection_lists_each_samples_expert_verdicts_with_the_label_judged(
    finished_run, serving
):
    from tests.api.helpers import signed_in

    annotator, curator = signed_in(serving, "annotator"), signed_in(serving, "curator")
    label = curator.get("/api/samples/1").json()["label"]
    should_be = next(c for c in ("negative", "positive", "surprise") if c != label)
    annotator.put("/api/samples/1/mark", json={"verdict": "noisy", "should_be": should_be})

    projection = curator.get(f"/api/runs/{finished_run}/projection").json()

    verdicts = dict(zip(projection["sample_id"], projection["verdicts"], strict=True))
    assert verdicts[1] == [
        {"user": "annotator", "verdict": "noisy", "judged_label": label, "should_be": should_be}
    ]
    assert verdicts[2] == []


def test_a_verdict_on_a_replaced_label_no_longer_grades_the_sample_for_idc(login, imported):
    annotator, curator = login("annotator"), login("curator")
    annotator.put("/api/samples/1/mark", json={"verdict": "clean"})
    annotator.put("/api/samples/2/mark", json={"verdict": "clean"})
    label, _ = other_label(curator, 1)
    assert relabel(curator, imported, [1], label, override_clean=True).status_code == 200

    grades = curator.get(f"/api/datasets/{imported}/marks.csv", params={"user": "annotator"})

    graded = [row.split(",") for row in grades.text.strip().splitlines()[1:]]
    names = {curator.get(f"/api/samples/{i}").json()["name"]: i for i in (1, 2)}
    assert [names.get(row[2]) for row in graded] == [2]  # sample 1's clean judged another label


def test_a_runs_decisions_are_taken_back_on_its_projection_not_as_label_changes(
    finished_run, serving
):
    from tests.api.helpers import signed_in

    curator = signed_in(serving, "curator")
    results = curator.get(f"/api/runs/{finished_run}/results").json()
    proposed = [r["sample_id"] for r in results if r["proposed_label"]][:1]
    accepted = curator.post(
        f"/api/runs/{finished_run}/relabels", json={"sample_ids": proposed, "accept": True}
    ).json()
    version = accepted["label_version_id"]
    (change,) = curator.get(f"/api/datasets/1/label-versions/{version}/changes").json()

    undone = curator.post("/api/datasets/1/label-changes/undo", json={"change_ids": [change["id"]]})
    rejected = curator.post(
        f"/api/runs/{finished_run}/relabels", json={"sample_ids": proposed, "accept": False}
    )

    assert change["run_id"] == finished_run and change["undoable"] is False
    assert undone.status_code == 409 and f"run {finished_run}" in undone.json()["detail"]["message"]
    assert rejected.status_code == 409  # the acceptance is taken back first
    review = curator.get(f"/api/runs/{finished_run}/projection").json()
    by_sample = dict(zip(review["sample_id"], review["review"], strict=True))
    assert by_sample[proposed[0]] == "accepted"


def test_a_samples_history_gives_its_own_reason_in_a_version_of_many_decisions(login, imported):
    curator = login("curator")
    first, _ = other_label(curator, 1)
    second, _ = other_label(curator, 2)
    relabel(curator, imported, [1], first, "its AUs")
    relabel(curator, imported, [2], second, "its flow")

    history = curator.get("/api/samples/2").json()["label_history"]

    assert (history[-1]["version_id"], history[-1]["reason"]) == (2, "its flow")
