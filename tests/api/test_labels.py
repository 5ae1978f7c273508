import pytest


def test_a_curator_makes_a_version_from_changes_and_everyone_sees_the_diff(login, imported):
    curator, annotator = login("curator"), login("annotator")
    sample = annotator.get("/api/samples/1").json()
    new_label = "surprise" if sample["label"] != "surprise" else "positive"

    created = curator.post(
        f"/api/datasets/{imported}/label-versions",
        json={"reason": "accepted relabels", "changes": {"1": new_label}},
    )

    assert created.status_code == 201, created.text
    version = created.json()
    versions = annotator.get(f"/api/datasets/{imported}/label-versions").json()
    assert [(v["id"], v["current"]) for v in versions] == [(1, False), (version["id"], True)]
    diff = annotator.get(
        f"/api/datasets/{imported}/label-versions/diff", params={"old": 1, "new": version["id"]}
    ).json()
    name = f"{sample['source']}/{sample['subject']}/{sample['name']}"
    assert diff == [{"sample_id": 1, "name": name, "before": sample["label"], "after": new_label}]
    assert annotator.get("/api/samples/1").json()["label"] == new_label


def test_an_annotator_cannot_create_a_version(login, imported):
    response = login("annotator").post(
        f"/api/datasets/{imported}/label-versions", json={"reason": "x", "changes": {}}
    )
    assert response.status_code == 403


def test_a_version_round_trips_through_its_roster_csv(login, imported):
    client = login("curator")
    exported = client.get(f"/api/datasets/{imported}/label-versions/1/csv")
    assert exported.headers["content-disposition"] == 'attachment; filename="demo-labels-v1.csv"'
    assert exported.text.startswith("dataset,subject,filename,label")
    header, first, *rest = exported.text.splitlines()
    *key, label, action_units = first.split(",")
    assert header.endswith(",action_units") and action_units  # the synthetic sheets code AUs
    relabelled = ",".join([*key, "surprise" if label != "surprise" else "positive", action_units])

    unchanged = client.post(
        f"/api/datasets/{imported}/label-versions",
        json={"reason": "the same labels", "csv": exported.text},
    )
    created = client.post(
        f"/api/datasets/{imported}/label-versions",
        # As Excel saves "CSV UTF-8": a byte-order mark, CRLF line ends.
        json={
            "reason": "from a colleague",
            "csv": "\ufeff" + "\r\n".join([header, relabelled, *rest]),
        },
    )

    assert unchanged.status_code == 422
    assert "no label changes" in unchanged.json()["detail"]["message"]
    assert created.status_code == 201, created.text
    diff = client.get(
        f"/api/datasets/{imported}/label-versions/diff",
        params={"old": 1, "new": created.json()["id"]},
    ).json()
    assert [(c["before"], c["after"]) for c in diff] == [(label, relabelled.split(",")[3])]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["casme2,sub01"], "row 2: 2 fields, the header has 4"),
        (["{a},positive", "{a},surprise"], "rows 2 and 3 give"),
        (["{a},happy"], "row 2, field 'label'"),
    ],
)
def test_a_csv_with_short_conflicting_or_unknown_rows_is_refused_naming_them(
    login, imported, rows, message
):
    client = login("curator")
    first = client.get(f"/api/datasets/{imported}/label-versions/1/csv").text.splitlines()[1]
    key = ",".join(first.split(",")[:3])
    text = "\n".join(["dataset,subject,filename,label", *(r.format(a=key) for r in rows)])

    response = client.post(
        f"/api/datasets/{imported}/label-versions", json={"reason": "x", "csv": text}
    )

    assert response.status_code == 422
    assert message in response.json()["detail"]["message"]


def test_a_bad_csv_is_refused_naming_its_row(login, imported):
    response = login("curator").post(
        f"/api/datasets/{imported}/label-versions",
        json={"reason": "x", "csv": "dataset,subject,filename,label\ncasme2,sub01,NOPE,positive\n"},
    )
    assert response.status_code == 422
    assert "row 2" in response.json()["detail"]["message"]


def test_marks_export_as_idc_grades(login, imported):
    annotator = login("annotator")
    annotator.put("/api/samples/1/mark", json={"verdict": "clean", "typical": True})
    annotator.put("/api/samples/2/mark", json={"verdict": "noisy"})

    exported = annotator.get(f"/api/datasets/{imported}/marks.csv", params={"user": "annotator"})

    disposition = 'attachment; filename="demo-idc-grades-annotator.csv"'
    assert exported.headers["content-disposition"] == disposition
    rows = exported.text.strip().splitlines()
    assert rows[0] == "dataset,subject,filename,grade,action_units"
    assert sorted(r.split(",")[3] for r in rows[1:]) == ["0", "2"]
    assert all(r.split(",")[4] for r in rows[1:])  # each with its AUs


def test_a_curator_lists_the_experts_who_marked_a_dataset_to_train_idc_on_one(login, imported):
    annotator, other = login("annotator"), login("annotator2")
    annotator.put("/api/samples/1/mark", json={"verdict": "clean"})
    annotator.put("/api/samples/2/mark", json={"verdict": "noisy"})
    first = other.put("/api/samples/1/mark", json={"verdict": "noisy"}).json()["id"]
    other.put("/api/samples/1/mark", json={"verdict": "retracted", "based_on": first})
    curator = login("curator")

    experts = curator.get(f"/api/datasets/{imported}/experts")
    chosen = curator.get(f"/api/datasets/{imported}/marks.csv", params={"user": "annotator"})

    assert experts.json() == [{"name": "annotator", "samples": 2}]  # a retraction is no verdict
    assert chosen.status_code == 200 and len(chosen.text.strip().splitlines()) == 3
    assert annotator.get(f"/api/datasets/{imported}/experts").status_code == 403
    # IDC on that expert's marks alone: one clean sample, so the plan says what is missing.
    plan = curator.post(
        f"/api/datasets/{imported}/runs/plan",
        json={"method": "idc", "epochs": 2, "marks_user": "annotator"},
    )
    assert plan.status_code == 422 and plan.json()["detail"]["field"] == "marks_user"
    assert "clean set: negative 1, positive 0, surprise 0" in plan.json()["detail"]["message"]
    paper = curator.post(
        f"/api/datasets/{imported}/runs/plan",
        json={"method": "ltm", "epochs": 2, "protocol": "paper"},
    )
    assert paper.json()["protocol"] == "paper"
