"""Imports run on the queue: the request only checks the paths and the name; the job reads
the sheets, finds the faces, reports its progress and keeps its report."""

from meclean.jobs.imports import execute_import


def demo_body(settings, name: str = "demo") -> dict:
    composite = settings.data_dir / "composite"
    return {
        "name": name,
        "layout": "megc2019",
        "path": str(composite),
        "roster": str(composite / "roster.csv"),
    }


def test_an_import_is_queued_then_read_by_a_worker_with_progress_and_a_report(app, login, settings):
    curator = login("curator")

    queued = curator.post("/api/datasets/import", json=demo_body(settings))

    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert (job["status"], job["phase"], job["active"]) == ("queued", "waiting for a worker", True)
    assert job["dataset_id"] is None and job["report"] is None
    assert curator.get("/api/datasets").json() == []  # nothing stored before it is read
    assert login("annotator").get(f"/api/imports/{job['id']}").status_code == 403

    execute_import(app.state.jobs, job["id"])

    done = curator.get(f"/api/imports/{job['id']}").json()
    assert (done["status"], done["phase"], done["active"]) == ("succeeded", "imported", False)
    assert done["total"] == done["report"]["imported"] == done["done"] > 0  # a face per sample
    assert sum(done["report"]["face_counts"].values()) == done["total"]
    assert (
        done["features_job_id"]
        == curator.get(f"/api/datasets/{done['dataset_id']}/features").json()["id"]
    )
    assert [j["id"] for j in curator.get("/api/imports").json()] == [job["id"]]


def test_a_cancelled_import_stores_nothing_and_frees_its_name(app, login, settings):
    curator = login("curator")
    job = curator.post("/api/datasets/import", json=demo_body(settings)).json()

    cancelled = curator.post(f"/api/imports/{job['id']}/cancel")
    execute_import(app.state.jobs, job["id"])  # the worker finds it cancelled

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert curator.get(f"/api/imports/{job['id']}").json()["status"] == "cancelled"
    assert curator.get("/api/datasets").json() == []
    assert curator.post(f"/api/imports/{job['id']}/cancel").status_code == 409
    again = curator.post("/api/datasets/import", json=demo_body(settings))
    assert again.status_code == 202, again.text


def test_a_name_being_imported_is_taken_until_its_import_ends(login, settings):
    curator = login("curator")
    first = curator.post("/api/datasets/import", json=demo_body(settings))

    second = curator.post("/api/datasets/import", json=demo_body(settings))

    assert first.status_code == 202
    assert second.status_code == 409
    assert second.json()["detail"]["field"] == "name"
    assert "being imported" in second.json()["detail"]["message"]


def test_an_unknown_import_is_404(login):
    assert login("curator").get("/api/imports/4242").status_code == 404
    assert login("curator").post("/api/imports/4242/cancel").status_code == 404


def test_curators_read_the_import_roots_their_paths_must_lie_under(login, settings):
    roots = login("curator").get("/api/imports/roots")

    assert roots.status_code == 200
    assert roots.json() == [str(settings.data_dir.resolve())]
    assert login("annotator").get("/api/imports/roots").status_code == 403
