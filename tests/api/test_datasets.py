from tests.api.conftest import import_demo


def test_a_curator_imports_a_folder_and_gets_the_summary(login, settings, imported):
    datasets = login("annotator").get("/api/datasets").json()

    (demo,) = datasets
    assert demo["id"] == imported and demo["samples"] > 0
    assert sum(demo["labels"].values()) == demo["samples"]
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


def test_a_broken_import_leaves_no_dataset_and_says_why(login, settings):
    folder = settings.data_dir / "empty"
    folder.mkdir()
    client = login("curator")

    response = client.post(
        "/api/datasets/import", json={"name": "x", "layout": "casme2", "path": str(folder)}
    )

    assert response.status_code == 422
    assert "no annotation sheet" in response.json()["detail"]["message"]
    assert client.get("/api/datasets").json() == []


def test_importing_the_same_name_twice_is_a_conflict(login, settings, imported):
    response = import_demo(login("curator"), settings)
    assert response.status_code == 409
    assert response.json()["detail"]["field"] == "name"


def test_an_unknown_dataset_is_404(login):
    response = login("annotator").get("/api/datasets/99")
    assert response.status_code == 404
    assert response.json()["detail"]["field"] == "dataset_id"
