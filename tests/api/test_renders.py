import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from meclean.api.routers.renders import RENDER_SIZES
from meclean.data.feature_store import FeatureStore
from meclean.data.features import compute_features
from meclean.data.flow import FlowSettings
from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.render import BAR_HEIGHT
from meclean.db.datasets import store_import
from meclean.db.models import FeatureJob, Sample
from meclean.db.session import transaction
from tests.api.helpers import wait_until_finished

PNG = b"\x89PNG"


def decode(response):
    return cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_COLOR)


@pytest.mark.parametrize(
    "kind", ["onset", "apex", "vx", "vy", "strain", "triptych", "flow", "arrows"]
)
def test_every_sample_render_is_a_png_of_the_requested_height_rounded_up(login, imported, kind):
    response = login("annotator").get(f"/api/samples/1/render/{kind}", params={"size": 96})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(PNG)
    assert decode(response).shape[0] == 120


def test_a_client_asking_every_size_fills_the_render_cache_with_a_few(login, imported, settings):
    client = login("annotator")

    for size in range(32, 721, 13):
        assert client.get("/api/samples/1/render/onset", params={"size": size}).status_code == 200

    cached = list((settings.data_dir / "renders" / "samples").rglob("*.png"))
    assert len(cached) == len(RENDER_SIZES)


def test_a_frame_broken_after_import_is_named_by_its_render_and_the_next_features_job(
    serving, login, imported
):
    curator = login("curator")
    assert wait_until_finished(curator, imported)["status"] == "succeeded"
    with serving.state.sessions() as session:
        sample = session.scalars(select(Sample).order_by(Sample.id)).first()
    with open(sample.onset_path, "wb") as f:
        f.write(b"half a JPEG")

    render = curator.get(f"/api/samples/{sample.id}/render/onset")
    curator.post(f"/api/datasets/{imported}/features")
    job = wait_until_finished(curator, imported)

    assert render.status_code == 422 and sample.name in render.json()["detail"]["message"]
    assert job["status"] == "succeeded" and len(job["failed"]) == 1
    assert sample.subject in job["failed"][0] and "unreadable" in job["failed"][0]


def test_a_cached_render_is_revalidated_by_etag(login, imported, settings):
    client = login("annotator")
    first = client.get("/api/samples/1/render/flow")
    etag = first.headers["etag"]

    again = client.get("/api/samples/1/render/flow", headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert "max-age" in first.headers["cache-control"]
    assert list((settings.data_dir / "renders" / "samples").rglob("*.png"))


def test_render_sizes_are_bounded_and_unknown_samples_are_404(login, imported):
    client = login("annotator")
    assert client.get("/api/samples/1/render/flow", params={"size": 5000}).status_code == 422
    assert client.get("/api/samples/1/render/sparkles").status_code == 422
    assert client.get("/api/samples/999999/render/flow").status_code == 404


def test_class_means_render_per_group_and_refuse_unknown_groups(serving, login, imported):
    client = login("annotator")
    assert wait_until_finished(client, imported)["status"] == "succeeded"
    composite = client.get(f"/api/datasets/{imported}/class-means")
    smic = client.get(f"/api/datasets/{imported}/class-means", params={"group": "smic"})
    bad = client.get(f"/api/datasets/{imported}/class-means", params={"group": "ck+"})

    assert composite.status_code == smic.status_code == 200
    assert composite.content.startswith(PNG)
    assert decode(composite).shape[0] == 3 * 240 + BAR_HEIGHT  # a row per class, the scale
    assert bad.status_code == 422


def test_the_difference_of_two_versions_class_means_is_drawn_row_by_row(serving, login, imported):
    client, curator = login("annotator"), login("curator")
    assert wait_until_finished(client, imported)["status"] == "succeeded"
    sample = client.get("/api/samples/1").json()
    relabel = "surprise" if sample["label"] != "surprise" else "positive"
    version = curator.post(
        f"/api/datasets/{imported}/label-versions",
        json={"reason": "one relabel", "changes": {"1": relabel}},
    ).json()["id"]
    url = f"/api/datasets/{imported}/class-means"

    same = client.get(url, params={"version_id": version, "minus": version})
    moved = client.get(url, params={"version_id": version, "minus": 1})
    unknown = client.get(url, params={"version_id": version, "minus": 999})

    assert same.status_code == moved.status_code == 200
    assert decode(moved).shape[0] == 3 * 240 + BAR_HEIGHT
    flat = decode(same)[:240]
    assert flat.std() < decode(moved)[:720].std()  # no difference: one flat colour per panel
    assert unknown.status_code == 404 and unknown.json()["detail"]["field"] == "minus"
    # Side by side, each on the scale of both: the colour bars read alike.
    pair = [
        decode(client.get(url, params={"version_id": a, "scale_with": b}))
        for a, b in ((1, version), (version, 1))
    ]
    assert np.array_equal(pair[0][-BAR_HEIGHT:], pair[1][-BAR_HEIGHT:])


def test_class_means_leave_out_a_sample_whose_frames_cannot_be_read(app, login, imported):
    with app.state.sessions() as session:
        apex = session.scalars(select(Sample.apex_path).order_by(Sample.id)).first()
    with open(apex, "wb") as f:
        f.write(b"not an image")
    with TestClient(app):  # the in-process worker starts on the queued features job
        client = login("annotator")
        job = wait_until_finished(client, imported)
        means = client.get(f"/api/datasets/{imported}/class-means")

    assert job["status"] == "succeeded" and len(job["failed"]) == 1
    assert means.status_code == 200
    assert decode(means).shape[0] == 3 * 240 + BAR_HEIGHT


def test_class_means_of_a_dataset_whose_flow_the_cli_computed_render_at_once(login, app, settings):
    root = settings.data_dir / "composite"
    report = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv"))
    compute_features(report.samples, FlowSettings(), FeatureStore(settings.feature_dir), 1)
    with transaction(app.state.sessions) as session:  # as `meclean demo` stores it
        dataset_id = store_import(session, "cli", "megc2019", root, report).id

    response = login("annotator").get(f"/api/datasets/{dataset_id}/class-means")

    assert response.status_code == 200, response.text


def test_reading_class_means_of_a_dataset_stored_without_its_flow_queues_nothing(
    login, app, settings
):
    root = settings.data_dir / "composite"
    with transaction(app.state.sessions) as session:  # as before imports queued a job
        report = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv"))
        dataset_id = store_import(session, "cli", "megc2019", root, report).id
    annotator, curator = login("annotator"), login("curator")

    read = annotator.get(f"/api/datasets/{dataset_id}/class-means")
    read_by_curator = curator.get(f"/api/datasets/{dataset_id}/class-means")
    no_job = annotator.get(f"/api/datasets/{dataset_id}/features").json()
    started = curator.post(f"/api/datasets/{dataset_id}/features")
    again = annotator.get(f"/api/datasets/{dataset_id}/class-means")

    assert read.status_code == read_by_curator.status_code == again.status_code == 409
    assert "18 of 18 samples lack their flow" in read.json()["detail"]["message"]
    assert "a curator starts one" in read.json()["detail"]["message"]
    assert no_job is None, "a read queued no work, whoever read"
    assert started.status_code == 201
    assert "is queued to compute it" in again.json()["detail"]["message"]
    job = annotator.get(f"/api/datasets/{dataset_id}/features").json()
    assert (job["status"], job["total"]) == ("queued", 18)


def test_class_means_after_a_cancelled_job_say_a_curator_can_resume_it(login, imported):
    assert login("curator").post(f"/api/datasets/{imported}/features/cancel").status_code == 200

    response = login("annotator").get(f"/api/datasets/{imported}/class-means")

    assert response.status_code == 409
    assert "cancelled at 0 / 18" in response.json()["detail"]["message"]
    assert "resume" in response.json()["detail"]["message"]


def test_class_means_wait_for_a_running_features_job_instead_of_computing_beside_it(
    login, imported, app
):
    with transaction(app.state.sessions) as session:  # a worker is at it, 5 samples done
        session.execute(update(FeatureJob).values(status="running", done=5))

    response = login("annotator").get(f"/api/datasets/{imported}/class-means")

    assert response.status_code == 409
    message = response.json()["detail"]["message"]
    assert "18 of 18 samples lack their flow" in message and "(5 / 18" in message


def test_renders_on_the_dataset_s_shared_scale_carry_the_same_colour_bars(login, imported):
    client = login("annotator")
    url = "/api/samples/{}/render/triptych"
    own = [decode(client.get(url.format(i), params={"size": 240})) for i in (1, 2)]

    shared = [
        decode(client.get(url.format(i), params={"size": 240, "shared": True})) for i in (1, 2)
    ]

    bars = [image[-BAR_HEIGHT:] for image in own + shared]
    assert not np.array_equal(bars[0], bars[1])  # each sample on its own scale
    assert np.array_equal(bars[2], bars[3])  # one scale for both


def test_a_sample_s_clip_runs_from_onset_to_offset_frame_by_frame(login, imported):
    client = login("annotator")

    clip = client.get("/api/samples/1/clip").json()
    first = client.get("/api/samples/1/clip/0", params={"size": 120})
    past = client.get(f"/api/samples/1/clip/{clip['frames']}")

    assert clip["until"] == "offset"  # the synthetic releases give every sample its offset
    assert clip["frames"] > 2
    assert first.status_code == 200 and decode(first).shape[0] == 120
    onset = decode(client.get("/api/samples/1/render/onset", params={"size": 120}))
    assert np.array_equal(decode(first), onset)
    assert past.status_code == 404
    assert client.get("/api/samples/1/clip/100000").status_code == 422


def test_the_mean_flow_of_the_samples_coding_one_au_is_drawn_above_the_rest(
    serving, login, imported
):
    client = login("annotator")
    assert wait_until_finished(client, imported)["status"] == "succeeded"
    coded = [s for s in client.get(f"/api/datasets/{imported}/samples").json()["items"]]
    au = int(next(s["action_units"] for s in coded if s["action_units"]).split("+")[0].lstrip("LR"))

    means = client.get(f"/api/datasets/{imported}/au-means", params={"au": au})
    smic = client.get(f"/api/datasets/{imported}/au-means", params={"au": au, "group": "smic"})
    none = client.get(f"/api/datasets/{imported}/au-means", params={"au": 99})

    assert means.status_code == 200 and means.content.startswith(PNG)
    assert decode(means).shape[0] == 2 * 240 + BAR_HEIGHT  # with the AU, without it
    assert smic.status_code == 422  # SMIC-HS codes no AUs
    assert none.status_code == 422 and none.json()["detail"]["field"] == "au"


def test_a_samples_motion_peaks_near_its_apex_and_its_timing_is_checked(serving, login, imported):
    client = login("annotator")
    assert wait_until_finished(client, imported)["status"] == "succeeded"
    samples = client.get(f"/api/datasets/{imported}/samples").json()["items"]

    timings = [client.get(f"/api/samples/{s['id']}/motion").json() for s in samples]

    near = [abs(t["estimate"]["apex"] - t["apex"]) <= 2 for t in timings]
    assert sum(near) >= 0.9 * len(near)
    first = timings[0]
    assert first["frames"][0] == first["onset"] and len(first["frames"]) == len(first["motion"])
    assert first["motion"][0] == 0.0 and max(first["motion"]) > 0.15
    assert first["fps"] in (100.0, 200.0) and 0 <= first["estimate"]["confidence"] <= 1
    assert all(isinstance(t["checks"], list) for t in timings)
    assert client.get("/api/samples/999999/motion").status_code == 404


def test_the_datasets_doubtful_timings_are_listed_once_the_motion_is_measured(
    serving, login, imported
):
    client = login("annotator")
    assert wait_until_finished(client, imported)["status"] == "succeeded"

    found = client.get(f"/api/datasets/{imported}/timing").json()

    assert found["samples"] == 18
    for sample in found["doubtful"]:
        assert sample["checks"] and all(c["message"] for c in sample["checks"])
    assert sum(found["checked"].values()) == sum(len(s["checks"]) for s in found["doubtful"])


def test_timings_wait_for_the_features_job(login, imported):
    refused = login("annotator").get(f"/api/datasets/{imported}/timing")
    assert refused.status_code == 409 and "motion curve" in refused.json()["detail"]["message"]


def test_once_the_motion_is_measured_the_queue_ranks_by_timing_doubts_without_a_run(
    serving, login, imported
):
    client = login("annotator")
    assert wait_until_finished(client, imported)["status"] == "succeeded"

    queue = client.get(f"/api/datasets/{imported}/triage", params={"limit": 18}).json()
    timing = client.get(f"/api/datasets/{imported}/timing").json()

    assert queue["run_ids"] == [] and queue["signals"] == ["disagreement", "timing"]
    doubted = {s["sample_id"]: len(s["checks"]) for s in timing["doubtful"]}
    counts = [len(item["signals"]["timing"]) for item in queue["items"]]
    assert counts == sorted(counts, reverse=True)  # the most doubtful first
    for item in queue["items"]:
        assert len(item["signals"]["timing"]) == doubted.get(item["sample"]["id"], 0)
