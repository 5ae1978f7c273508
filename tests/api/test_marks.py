from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from meclean.db.models import Mark
from meclean.db.session import make_engine, session_factory


def samples_of(client, dataset_id, **params):
    return client.get(f"/api/datasets/{dataset_id}/samples", params=params).json()


def test_pages_follow_the_cursor_through_every_sample(login, imported):
    client = login("annotator")
    total = client.get(f"/api/datasets/{imported}").json()["samples"]
    seen, cursor = [], None
    while True:
        page = samples_of(client, imported, limit=4, **({"cursor": cursor} if cursor else {}))
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == total


def test_the_first_page_counts_every_sample_the_filters_match(login, imported):
    client = login("annotator")
    total = client.get(f"/api/datasets/{imported}").json()["samples"]
    marked = [s["id"] for s in samples_of(client, imported, limit=5)["items"]]
    client.post("/api/marks/bulk", json={"sample_ids": marked, "verdict": "noisy"})

    first = samples_of(client, imported, limit=2)
    unmarked = samples_of(client, imported, limit=2, verdict="unmarked")
    later = samples_of(client, imported, limit=2, cursor=first["next_cursor"])

    assert first["total"] == total and unmarked["total"] == total - 5
    assert later["total"] is None  # counted once, not on every page


def test_my_mark_shows_at_once_and_others_marks_stay_separate(login, imported):
    ana, bo = login("annotator"), login("annotator2")
    first = samples_of(ana, imported, limit=1)["items"][0]

    mine = ana.put(f"/api/samples/{first['id']}/mark", json={"verdict": "noisy"})
    theirs = bo.put(f"/api/samples/{first['id']}/mark", json={"verdict": "clean"})

    assert mine.status_code == theirs.status_code == 200
    seen_by_ana = ana.get(f"/api/samples/{first['id']}").json()
    assert seen_by_ana["my_mark"]["verdict"] == "noisy"
    assert {(m["user"], m["verdict"]) for m in seen_by_ana["marks"]} == {
        ("annotator", "noisy"),
        ("annotator2", "clean"),
    }
    assert seen_by_ana["agreement"] is False
    assert [s["id"] for s in samples_of(ana, imported, disagreement=True)["items"]] == [first["id"]]


def test_filtering_to_unmarked_hides_what_i_marked(login, imported):
    client = login("annotator")
    first = samples_of(client, imported, limit=1)["items"][0]
    client.put(f"/api/samples/{first['id']}/mark", json={"verdict": "clean"})

    unmarked = samples_of(client, imported, verdict="unmarked", limit=500)["items"]
    clean = samples_of(client, imported, verdict="clean")["items"]

    assert first["id"] not in {s["id"] for s in unmarked}
    assert [s["id"] for s in clean] == [first["id"]]


def test_a_stale_write_from_another_tab_gets_409_with_the_current_mark(login, imported):
    client = login("annotator")
    sample = samples_of(client, imported, limit=1)["items"][0]["id"]
    first = client.put(f"/api/samples/{sample}/mark", json={"verdict": "noisy"}).json()
    second = client.put(
        f"/api/samples/{sample}/mark", json={"verdict": "clean", "based_on": first["id"]}
    ).json()

    stale = client.put(
        f"/api/samples/{sample}/mark", json={"verdict": "unsure", "based_on": first["id"]}
    )

    assert stale.status_code == 409
    assert stale.json()["detail"]["current"]["id"] == second["id"]
    assert client.get(f"/api/samples/{sample}").json()["my_mark"]["verdict"] == "clean"


def test_bulk_marks_a_selection(login, imported):
    client = login("annotator")
    ids = [s["id"] for s in samples_of(client, imported, limit=3)["items"]]

    response = client.post("/api/marks/bulk", json={"sample_ids": ids, "verdict": "noisy"})

    assert response.json()["marked"] == 3 and len(response.json()["mark_ids"]) == 3
    assert {s["id"] for s in samples_of(client, imported, verdict="noisy")["items"]} == set(ids)


def test_a_bulk_mark_never_overwrites_my_other_verdicts_unasked_and_can_be_undone(login, imported):
    client = login("annotator")
    ids = [s["id"] for s in samples_of(client, imported, limit=4)["items"]]
    client.put(f"/api/samples/{ids[0]}/mark", json={"verdict": "clean"})
    client.put(f"/api/samples/{ids[1]}/mark", json={"verdict": "noisy"})

    refused = client.post("/api/marks/bulk", json={"sample_ids": ids, "verdict": "noisy"})
    verdicts = {s["id"]: s["my_mark"] for s in samples_of(client, imported, limit=4)["items"]}
    marked = client.post(
        "/api/marks/bulk", json={"sample_ids": ids, "verdict": "noisy", "overwrite": True}
    ).json()
    undone = client.post("/api/marks/bulk/undo", json={"mark_ids": marked["mark_ids"]})

    assert refused.status_code == 409
    assert refused.json()["detail"]["changed"] == {str(ids[0]): "clean"}
    assert verdicts[ids[0]]["verdict"] == "clean" and verdicts[ids[2]] is None
    assert marked["marked"] == 3  # the sample already marked noisy keeps its mark
    assert undone.status_code == 200, undone.text
    after = {s["id"]: s["my_mark"] for s in samples_of(client, imported, limit=4)["items"]}
    assert after[ids[0]]["verdict"] == "clean" and after[ids[1]]["verdict"] == "noisy"
    assert after[ids[2]] is None and after[ids[3]] is None
    again = client.post("/api/marks/bulk/undo", json={"mark_ids": marked["mark_ids"]})
    assert again.status_code == 409
    others = login("annotator2").post(
        "/api/marks/bulk/undo", json={"mark_ids": undone.json()["mark_ids"]}
    )
    assert others.status_code == 404


def test_many_experts_marking_at_once_lose_no_mark(login, imported):
    clients = [login("annotator"), login("annotator2"), login("curator"), login("admin")]
    ids = [s["id"] for s in samples_of(clients[0], imported, limit=500)["items"]]

    def mark_everything(client):
        return [
            client.put(f"/api/samples/{i}/mark", json={"verdict": "clean"}).status_code for i in ids
        ]

    with ThreadPoolExecutor(4) as pool:
        statuses = [s for batch in pool.map(mark_everything, clients) for s in batch]

    assert set(statuses) == {200}
    for sample in samples_of(clients[0], imported, limit=500)["items"]:
        assert len(sample["marks"]) == 4


def test_unknown_samples_are_404_and_bad_verdicts_422(login, imported):
    client = login("annotator")
    assert client.get("/api/samples/999999").status_code == 404
    assert client.put("/api/samples/999999/mark", json={"verdict": "clean"}).status_code == 404
    bad = client.put("/api/samples/1/mark", json={"verdict": "meh"})
    assert bad.status_code == 422
    assert bad.json()["detail"]["field"] == "verdict"


def test_a_sample_s_label_history_lists_only_the_versions_that_changed_it(login, imported):
    curator = login("curator")
    label = curator.get("/api/samples/1").json()["label"]
    other = "surprise" if label != "surprise" else "positive"
    for changes in ({"2": other}, {"1": other}, {"3": other}):
        curator.post(
            f"/api/datasets/{imported}/label-versions",
            json={"reason": "review", "changes": changes},
        )

    history = curator.get("/api/samples/1").json()["label_history"]

    assert [(h["version_id"], h["label"]) for h in history] == [(1, label), (3, other)]


def test_sample_detail_has_its_label_history(login, imported):
    detail = login("annotator").get("/api/samples/1").json()
    assert [h["version_id"] for h in detail["label_history"]] == [1]
    assert detail["label"] == detail["original_label"]


def test_retracting_my_mark_undoes_it_but_keeps_the_history(login, imported):
    client = login("annotator")
    first = samples_of(client, imported, limit=1)["items"][0]
    marked = client.put(f"/api/samples/{first['id']}/mark", json={"verdict": "noisy"}).json()

    retracted = client.put(
        f"/api/samples/{first['id']}/mark", json={"verdict": "retracted", "based_on": marked["id"]}
    )

    assert retracted.status_code == 200
    sample = client.get(f"/api/samples/{first['id']}").json()
    assert sample["my_mark"] is None and sample["marks"] == []
    assert sample["my_mark_id"] == retracted.json()["id"]
    unmarked = samples_of(client, imported, verdict="unmarked", limit=500)["items"]
    assert first["id"] in [s["id"] for s in unmarked]
    again = client.put(
        f"/api/samples/{first['id']}/mark", json={"verdict": "clean", "based_on": marked["id"]}
    )
    assert again.status_code == 409


def test_the_dataset_counts_my_marks_and_everyones(login, imported):
    ana, bo = login("annotator"), login("annotator2")
    items = samples_of(ana, imported, limit=3)["items"]
    ana.put(f"/api/samples/{items[0]['id']}/mark", json={"verdict": "clean"})
    ana.put(f"/api/samples/{items[1]['id']}/mark", json={"verdict": "noisy"})
    bo.put(f"/api/samples/{items[1]['id']}/mark", json={"verdict": "clean"})
    bo.put(f"/api/samples/{items[2]['id']}/mark", json={"verdict": "unsure"})

    bo.put(f"/api/samples/{items[0]['id']}/mark", json={"verdict": "noisy"})
    latest = bo.get(f"/api/samples/{items[0]['id']}").json()["my_mark_id"]
    bo.put(f"/api/samples/{items[0]['id']}/mark", json={"verdict": "retracted", "based_on": latest})

    dataset = ana.get(f"/api/datasets/{imported}").json()
    progress = ana.get(f"/api/datasets/{imported}/progress").json()

    assert dataset["my_verdicts"] == {"clean": 1, "noisy": 1}
    assert dataset["verdicts"] == {"clean": 2, "noisy": 1, "unsure": 1}
    assert dataset["marked"] == 3
    assert progress == {
        "samples": dataset["samples"],
        "verdicts": dataset["verdicts"],
        "marked": 3,
        "my_verdicts": dataset["my_verdicts"],
    }
    assert bo.get(f"/api/datasets/{imported}/progress").json()["my_verdicts"] == {
        "clean": 1,
        "unsure": 1,
    }


def test_a_sample_listed_twice_in_a_bulk_mark_is_marked_once(login, imported, settings):
    client = login("annotator")
    sample_id = samples_of(client, imported, limit=1)["items"][0]["id"]

    response = client.post(
        "/api/marks/bulk", json={"sample_ids": [sample_id] * 10_000, "verdict": "noisy"}
    )

    assert response.json()["marked"] == 1
    assert mark_rows(settings) == 1


def test_bulk_marks_racing_single_marks_answer_200_or_409_and_keep_every_acknowledged_mark(
    login, imported, settings
):
    tabs = [login("annotator"), login("annotator")]
    ids = [s["id"] for s in samples_of(tabs[0], imported, limit=500)["items"]]

    def bulk() -> list[tuple[int, int]]:
        answers = []
        for verdict in ("noisy", "unsure") * 3:
            body = {"sample_ids": ids, "verdict": verdict, "overwrite": True}
            answer = tabs[0].post("/api/marks/bulk", json=body)
            answers.append((answer.status_code, answer.json().get("marked", 0)))
        return answers

    def singles() -> list[tuple[int, int]]:
        answers = []
        for _ in range(3):
            for i in ids:
                based_on = tabs[1].get(f"/api/samples/{i}").json()["my_mark_id"]
                answer = tabs[1].put(
                    f"/api/samples/{i}/mark", json={"verdict": "clean", "based_on": based_on}
                )
                answers.append((answer.status_code, 1))
        return answers

    with ThreadPoolExecutor(2) as pool:
        answers = [a for batch in pool.map(lambda f: f(), [bulk, singles]) for a in batch]

    assert {status for status, _ in answers} <= {200, 409}
    assert mark_rows(settings) == sum(n for status, n in answers if status == 200)


def mark_rows(settings) -> int:
    engine = make_engine(settings.resolved_database_url())
    try:
        with session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(Mark))
    finally:
        engine.dispose()


def test_the_vocabulary_names_the_classes_and_verdicts_the_api_accepts(login, imported, anonymous):
    client = login("annotator")
    words = client.get("/api/vocabulary").json()
    sample = samples_of(client, imported, limit=1)["items"][0]["id"]

    for verdict in words["verdicts"]:
        assert client.get(
            f"/api/datasets/{imported}/samples", params={"verdict": verdict}
        ).is_success
    for label in words["classes"]:
        assert client.get(f"/api/datasets/{imported}/samples", params={"label": label}).is_success
    assert client.put(
        f"/api/samples/{sample}/mark", json={"verdict": words["verdicts"][0]}
    ).is_success
    assert set(words["decided"]) < set(words["verdicts"])
    filtered = client.get(
        f"/api/datasets/{imported}/samples", params={"verdict": words["retraction"]}
    )
    assert filtered.status_code == 422  # a retraction is no verdict to list samples by
    assert anonymous.get("/api/vocabulary").status_code == 401
