import pytest

from meclean.db.migrations import upgrade
from meclean.db.models import User
from meclean.db.session import make_engine, session_factory, transaction


@pytest.fixture
def database_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'meclean.db'}"
    upgrade(url)
    return url


@pytest.fixture
def factory(database_url):
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def experts(factory) -> list[int]:
    with transaction(factory) as session:
        users = [User(name=n, role="annotator", password_hash="x") for n in ("ana", "bo")]
        session.add_all(users)
        session.flush()
        return [u.id for u in users]
