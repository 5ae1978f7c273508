import shutil

import pytest
from fastapi.testclient import TestClient

from meclean.api.app import create_app
from meclean.api.deps import CSRF_HEADER
from meclean.db.migrations import upgrade
from meclean.db.session import make_engine, session_factory, transaction
from meclean.db.users import create_user
from meclean.settings import Settings
from tests.api.helpers import FAST_RUN, PASSWORD, follow, import_demo, signed_in


@pytest.fixture
def settings(tmp_path, tiny_composite, database_url) -> Settings:
    data_dir = tmp_path / "data"
    shutil.copytree(tiny_composite, data_dir / "composite")
    settings = Settings(data_dir=data_dir, database_url=database_url)
    upgrade(settings.resolved_database_url())
    engine = make_engine(settings.resolved_database_url())
    with transaction(session_factory(engine)) as session:
        for role in ("annotator", "curator", "admin"):
            create_user(session, role, role, PASSWORD)
        create_user(session, "annotator2", "annotator", PASSWORD)
    engine.dispose()
    return settings


@pytest.fixture
def app(settings):
    app = create_app(settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def serving(app):
    """The app with its lifespan running: watchdog and in-process queue consumer."""
    with TestClient(app):
        yield app


@pytest.fixture
def anonymous(app) -> TestClient:
    return TestClient(app)


@pytest.fixture
def login(app):
    """A client signed in as ``name``, sending the CSRF header as the browser app does."""

    def signed_in(name: str) -> TestClient:
        client = TestClient(app)
        response = client.post("/api/login", json={"name": name, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.headers[CSRF_HEADER] = response.json()["csrf_token"]
        return client

    return signed_in


@pytest.fixture
def imported(login, settings) -> int:
    """The tiny composite imported by a curator; returns the dataset id."""
    return import_demo(login("curator"), settings)["dataset_id"]


@pytest.fixture
def finished_run(serving, imported) -> int:
    """A short ILC run on the imported dataset, finished."""
    curator = signed_in(serving, "curator")
    run_id = curator.post(f"/api/datasets/{imported}/runs", json=FAST_RUN).json()["id"]
    assert follow(curator, run_id)[-1][1]["status"] == "succeeded"
    return run_id
