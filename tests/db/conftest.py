import pytest
from sqlalchemy import select

from meclean.data.readers import ImportOptions, read_dataset
from meclean.db.datasets import store_import
from meclean.db.migrations import upgrade
from meclean.db.models import Sample, User
from meclean.db.session import make_engine, session_factory, transaction


@pytest.fixture
def migrated_url(database_url) -> str:
    upgrade(database_url)
    return database_url


@pytest.fixture
def factory(migrated_url):
    engine = make_engine(migrated_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def experts(factory) -> list[int]:
    with transaction(factory) as session:
        users = [User(name=n, role="annotator", password_hash="x") for n in ("ana", "bo")]
        session.add_all(users)
        session.flush()
        return [u.id for u in users]


@pytest.fixture
def stored(factory, tiny_composite) -> tuple[int, list[int]]:
    """The tiny synthetic composite, stored: (dataset id, sample ids)."""
    report = read_dataset(
        "megc2019", tiny_composite, ImportOptions(roster=tiny_composite / "roster.csv")
    )
    with transaction(factory) as session:
        dataset = store_import(session, "demo", "megc2019", tiny_composite, report)
        dataset_id = dataset.id
    with factory() as session:
        ids = list(session.scalars(select(Sample.id).order_by(Sample.id)))
    return dataset_id, ids
