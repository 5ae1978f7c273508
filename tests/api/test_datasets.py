import os

from tests.api.helpers import import_through_api
from tests.data.helpers import in_a_room, make_manifest, portrait
from tests.data.readers.official import build_official_tree
from tests.helpers import write_csv, write_frames


def test_a_curator_imports_a_folder_and_gets_the_summary(login, settings, imported):
    datasets = login("annotator").get("/api/datasets").json()

    (demo,) = datasets
    assert demo["id"] == imported and demo["samples"] > 0
    assert sum(demo["labels"].values()) == demo["samples"]
    assert demo["classes"] == ["negative", "positive", "surprise"]
    assert set(demo["sources"]) == {"casme2", "samm", "smic"}
    assert sum(demo["sources"].values()) == demo["samples"]
    assert demo["verdicts"] == {}


def test_import_paths_outside_the_import_roots_are_refused(login, settings, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (settings.data_dir / "escape").symlink_to(outside)
    client = login("curator")
    for path in (
        "/etc",
        str(settings.data_dir / ".." / "elsewhere"),
        str(settings.data_dir / "escape"),
    ):
        response = client.post(
            "/api/datasets/import", json={"name": "x", "layout": "casme2", "path": path}
        )
        assert response.status_code == 403, path
        assert response.json()["detail"]["field"] == "path"


def test_frames_a_manifest_points_outside_the_import_roots_are_refused_alike(
    login, settings, tmp_path
):
    outside = tmp_path / "secret"
    write_frames(outside / "clip", ["f0.png", "f1.png"])
    lab = settings.data_dir / "lab"
    write_frames(lab / "clips" / "ok", ["f0.png", "f1.png"])
    (lab / "linked").symlink_to(outside)
    manifest = write_csv(
        lab / "manifest.csv",
        [
            ["subject", "label", "onset", "apex"],
            ["p1", "positive", "clips/ok/f0.png", "clips/ok/f1.png"],
            ["p2", "positive", "../../secret/clip/f0.png", "../../secret/clip/f1.png"],
            ["p3", "positive", f"{outside}/clip/f0.png", f"{outside}/clip/f1.png"],
            ["p4", "positive", "linked/clip/f0.png", "linked/clip/f1.png"],
            ["p5", "positive", f"{outside}/nothing.png", f"{outside}/nothing2.png"],
        ],
    )

    job = import_through_api(
        login("curator"), {"name": "lab", "layout": "manifest", "path": str(manifest)}
    )

    summary = job["report"]
    assert summary["imported"] == 1
    reasons = {s["sample"].split("/")[0]: s["message"] for s in summary["skipped"]}
    assert set(reasons) == {"p2", "p3", "p4", "p5"}
    # An existing and a missing file outside get the same answer: nothing is revealed.
    assert all(m.endswith("is outside the import roots") for m in reasons.values())


def test_a_sheet_linked_from_outside_the_import_roots_is_not_read(login, settings, tmp_path):
    casme2 = settings.data_dir / "composite" / "CASME2"
    (sheet,) = casme2.glob("*.xlsx")
    outside = tmp_path / "secret.xlsx"
    sheet.rename(outside)
    sheet.symlink_to(outside)

    job = import_through_api(
        login("curator"), {"name": "x", "layout": "casme2", "path": str(casme2)}, "failed"
    )

    assert "no annotation sheet" in job["error"] and job["error_field"] == "path"


def test_pipes_folders_and_unusable_names_are_refused_and_never_block(login, settings):
    composite = settings.data_dir / "composite"
    os.mkfifo(settings.data_dir / "pipe.csv")
    client = login("curator")
    for roster, reason in (
        (settings.data_dir / "pipe.csv", "not a regular file"),
        (composite, "is a folder"),
        (settings.data_dir / ("a" * 300), "not a usable path"),
    ):
        body = {"name": "x", "layout": "megc2019", "path": str(composite), "roster": str(roster)}
        response = client.post("/api/datasets/import", json=body)

        assert response.status_code == 422, response.text
        assert response.json()["detail"]["field"] == "roster"
        assert reason in response.json()["detail"]["message"]


def test_a_frame_that_is_a_pipe_skips_its_sample_instead_of_blocking(login, settings):
    lab = settings.data_dir / "lab"
    write_frames(lab / "clips" / "ok", ["f0.png", "f1.png"])
    (lab / "clips" / "pipe").mkdir()
    os.mkfifo(lab / "clips" / "pipe" / "f0.png")
    write_frames(lab / "clips" / "pipe", ["f1.png"])
    manifest = write_csv(
        lab / "manifest.csv",
        [
            ["subject", "label", "onset", "apex"],
            ["p1", "positive", "clips/ok/f0.png", "clips/ok/f1.png"],
            ["p2", "positive", "clips/pipe/f0.png", "clips/pipe/f1.png"],
        ],
    )

    job = import_through_api(
        login("curator"), {"name": "lab", "layout": "manifest", "path": str(manifest)}
    )

    (skipped,) = job["report"]["skipped"]
    assert "not a regular file" in skipped["message"]


def test_a_roster_in_the_windows_code_page_is_read(login, settings):
    composite = settings.data_dir / "composite"
    roster = settings.data_dir / "roster-cp1252.csv"
    text = (composite / "roster.csv").read_text()
    roster.write_bytes(("Notes: négatif\n" + text).encode("cp1252"))
    body = {"name": "x", "layout": "megc2019", "path": str(composite), "roster": str(roster)}

    job = import_through_api(login("curator"), body)

    assert job["report"]["imported"] > 0


def test_a_broken_import_leaves_no_dataset_and_says_why(login, settings):
    folder = settings.data_dir / "empty"
    folder.mkdir()
    client = login("curator")

    job = import_through_api(
        client, {"name": "x", "layout": "casme2", "path": str(folder)}, "failed"
    )

    assert "no annotation sheet" in job["error"] and job["report"] is None
    assert client.get("/api/datasets").json() == []


def test_importing_the_same_name_twice_is_a_conflict(login, settings, imported):
    composite = settings.data_dir / "composite"
    body = {"name": "demo", "layout": "megc2019", "path": str(composite)}
    response = login("curator").post("/api/datasets/import", json=body)
    assert response.status_code == 409
    assert response.json()["detail"]["field"] == "name"


def test_an_unknown_dataset_is_404(login):
    response = login("annotator").get("/api/datasets/99")
    assert response.status_code == 404
    assert response.json()["detail"]["field"] == "dataset_id"


def test_an_import_of_the_official_releases_lists_corrections_warnings_and_frames(login, settings):
    root = build_official_tree(settings.data_dir / "releases")
    client = login("curator")

    job = import_through_api(client, {"name": "megc", "layout": "megc2019", "path": str(root)})

    summary = job["report"]
    assert summary["imported"] == 442 and summary["skipped"] == []
    assert len(summary["corrections"]) == 16
    assert {"sample": "028/028_4_1", "field": "Apex Frame"}.items() <= next(
        c for c in summary["corrections"] if c["sample"] == "028/028_4_1"
    ).items()
    assert {w["sample"] for w in summary["warnings"]} == {"sub04/EP12_01f", "sub24/EP02_07"}
    assert summary["frames"]["smic"].endswith("SMIC/SMIC_all_raw/HS")


def test_an_import_that_would_import_nothing_stores_nothing_and_says_why(login, settings):
    folder = settings.data_dir / "only-others"
    write_frames(folder / "Cropped" / "sub01" / "EP08_03", ["reg_img1.jpg", "reg_img2.jpg"])
    write_csv(
        folder / "CASME2-coding.csv",
        [
            ["Subject", "Filename", "OnsetFrame", "ApexFrame", "OffsetFrame", "Estimated Emotion"],
            [1, "EP08_03", 1, 2, 2, "others"],
        ],
    )
    client = login("curator")

    job = import_through_api(
        client, {"name": "x", "layout": "casme2", "path": str(folder)}, "failed"
    )

    assert "nothing to import" in job["error"]
    assert client.get("/api/datasets").json() == []


def test_the_composites_dataset_folders_may_be_given_and_unknown_options_are_refused(
    login, settings
):
    root = build_official_tree(settings.data_dir / "releases")
    (root / "SAMM").rename(settings.data_dir / "samm-elsewhere")
    client = login("curator")
    body = {"name": "megc", "layout": "megc2019", "path": str(root)}

    misspelt = client.post("/api/datasets/import", json={**body, "part": {"samm": "x"}})
    job = import_through_api(
        client, {**body, "parts": {"samm": str(settings.data_dir / "samm-elsewhere")}}
    )

    assert misspelt.status_code == 422
    assert job["report"]["imported"] == 442


def test_an_import_of_raw_frames_crops_each_face_and_says_how(login, settings):
    raw = in_a_room(portrait())
    manifest = make_manifest(settings.data_dir / "lab", {"raw": raw, "empty": raw * 0 + 90})
    client = login("curator")

    job = import_through_api(client, {"name": "lab", "layout": "manifest", "path": str(manifest)})

    summary = job["report"]
    assert job["phase"] == "imported" and job["done"] == job["total"] == 2
    (cropped,) = summary["faces"]
    assert cropped["sample"] == "custom/p1/raw" and "level the eyes" in cropped["message"]
    assert summary["face_counts"] == {"cropped to the face": 1, "no face found (kept whole)": 1}
    samples = client.get(f"/api/datasets/{job['dataset_id']}/samples").json()["items"]
    ids = {s["name"]: s["id"] for s in samples}
    assert client.get(f"/api/samples/{ids['raw']}").json()["face"] == cropped["message"]
    assert client.get(f"/api/samples/{ids['empty']}").json()["face"] is None
    render = client.get(f"/api/samples/{ids['raw']}/render/apex", params={"size": 120})
    assert render.status_code == 200 and render.headers["content-type"] == "image/png"
