"""Research outputs through the API: a run's per-sample results as CSV, its scores per
subject, and a dataset's features as NPZ."""

import csv
import io
import zipfile

import numpy as np

from tests.api.helpers import signed_in, wait_until_finished


def test_a_finished_run_gives_its_per_sample_results_and_per_subject_scores(finished_run, serving):
    annotator = signed_in(serving, "annotator")

    exported = annotator.get(f"/api/runs/{finished_run}/results.csv")
    subjects = annotator.get(f"/api/runs/{finished_run}/subjects").json()
    results = annotator.get(f"/api/runs/{finished_run}/results").json()

    assert exported.status_code == 200
    assert exported.headers["content-disposition"].endswith('-run-1-results.csv"')
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == len(results) == 18
    first = results[0]
    assert (rows[0]["filename"], rows[0]["prediction"], rows[0]["label"]) == (
        first["name"],
        first["prediction"],
        first["label"],
    )
    probabilities = [float(rows[0][f"p_{c}"]) for c in ("negative", "positive", "surprise")]
    assert abs(sum(probabilities) - 1) < 1e-3
    assert sum(s["samples"] for s in subjects) == 18
    assert all(0 <= s["uf1"] <= 1 and 0 <= s["uar"] <= 1 for s in subjects)
    assert subjects == sorted(subjects, key=lambda s: s["subject"])
    assert all("/" in s["subject"] for s in subjects)


def test_a_datasets_features_download_as_npz_with_their_samples(serving, imported):
    annotator = signed_in(serving, "annotator")
    wait_until_finished(annotator, imported)

    download = annotator.get(f"/api/datasets/{imported}/features.npz")

    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="demo-features.npz"'
    with np.load(io.BytesIO(download.content)) as npz:
        assert npz["features"].shape == (18, 3, 60, 60)
        assert npz["features"].dtype == np.float32
        assert len(npz["sample_id"]) == len(npz["label"]) == 18
        assert npz["missing"].shape == (0,) and int(npz["label_version"]) == 1
        assert set(npz["label"]) <= {"negative", "positive", "surprise"}
    assert zipfile.is_zipfile(io.BytesIO(download.content))


def test_outputs_of_an_unfinished_run_or_without_sign_in_are_refused(login, anonymous, imported):
    curator = login("curator")
    run_id = curator.post(f"/api/datasets/{imported}/runs", json={"method": "ltm"}).json()["id"]

    assert curator.get(f"/api/runs/{run_id}/results.csv").status_code == 409
    assert curator.get(f"/api/runs/{run_id}/subjects").status_code == 409
    assert anonymous.get(f"/api/datasets/{imported}/features.npz").status_code == 401
