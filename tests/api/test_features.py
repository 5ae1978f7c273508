"""An import queues the computation of its samples' flow; experts follow it, curators stop it."""

from tests.api.helpers import import_demo, wait_until_finished


def test_an_import_queues_its_flow_and_the_worker_computes_every_sample(serving, login, settings):
    summary = import_demo(login("curator"), settings)

    job = wait_until_finished(login("annotator"), summary["dataset_id"])

    assert job["id"] == summary["features_job_id"]
    assert (job["status"], job["done"], job["total"], job["failed"]) == ("succeeded", 18, 18, [])
    # Per sample, its flow and its motion curve from onset to offset.
    assert len(list(settings.feature_dir.rglob("*.npy"))) == 2 * 18


def test_a_curator_cancels_the_job_and_queues_a_new_one(login, imported):
    curator = login("curator")
    queued = curator.get(f"/api/datasets/{imported}/features").json()
    assert queued["status"] == "queued"  # no worker runs in this app

    again = curator.post(f"/api/datasets/{imported}/features")
    assert again.status_code == 409

    cancelled = curator.post(f"/api/datasets/{imported}/features/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert curator.post(f"/api/datasets/{imported}/features/cancel").status_code == 409

    fresh = curator.post(f"/api/datasets/{imported}/features")
    assert fresh.status_code == 201 and fresh.json()["status"] == "queued"
    assert curator.get(f"/api/datasets/{imported}/features").json()["id"] == fresh.json()["id"]


def test_annotators_may_follow_the_job_but_not_start_or_stop_it(login, imported):
    annotator = login("annotator")
    assert annotator.get(f"/api/datasets/{imported}/features").status_code == 200
    assert annotator.post(f"/api/datasets/{imported}/features").status_code == 403
    assert annotator.post(f"/api/datasets/{imported}/features/cancel").status_code == 403
