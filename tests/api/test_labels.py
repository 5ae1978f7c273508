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
    assert diff == [{"sample_id": 1, "before": sample["label"], "after": new_label}]
    assert annotator.get("/api/samples/1").json()["label"] == new_label


def test_an_annotator_cannot_create_a_version(login, imported):
    response = login("annotator").post(
        f"/api/datasets/{imported}/label-versions", json={"reason": "x", "changes": {}}
    )
    assert response.status_code == 403


def test_a_version_round_trips_through_its_roster_csv(login, imported):
    client = login("curator")
    exported = client.get(f"/api/datasets/{imported}/label-versions/1/csv")
    assert exported.text.startswith("dataset,subject,filename,label")

    created = client.post(
        f"/api/datasets/{imported}/label-versions",
        json={"reason": "from a colleague's CSV", "csv": exported.text},
    )

    assert created.status_code == 201
    diff = client.get(
        f"/api/datasets/{imported}/label-versions/diff",
        params={"old": 1, "new": created.json()["id"]},
    )
    assert diff.json() == []


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

    text = annotator.get(f"/api/datasets/{imported}/marks.csv", params={"user": "annotator"}).text

    rows = text.strip().splitlines()
    assert rows[0] == "dataset,subject,filename,grade"
    assert sorted(r.rsplit(",", 1)[1] for r in rows[1:]) == ["0", "2"]
