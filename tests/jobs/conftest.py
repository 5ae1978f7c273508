import shutil

import pytest

from meclean.data.readers import ImportOptions, read_dataset
from meclean.db.datasets import store_import
from meclean.db.migrations import upgrade
from meclean.db.session import transaction
from meclean.jobs.queue import Jobs
from meclean.settings import Settings


@pytest.fixture
def jobs(tmp_path, tiny_composite, database_url):
    """Settings, database and queue of a data dir holding the tiny composite, not imported."""
    data_dir = tmp_path / "data"
    shutil.copytree(tiny_composite, data_dir / "composite")
    settings = Settings(data_dir=data_dir, database_url=database_url)
    upgrade(settings.resolved_database_url())
    jobs = Jobs(settings)
    yield jobs
    jobs.close()


@pytest.fixture
def dataset_id(jobs) -> int:
    """The tiny composite, imported; its features not computed yet."""
    root = jobs.settings.data_dir / "composite"
    with transaction(jobs.sessions) as session:
        report = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv"))
        return store_import(session, "tiny", "megc2019", root, report).id
