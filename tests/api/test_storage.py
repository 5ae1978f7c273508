"""A data directory that cannot be written gives a clear error, and nothing half-written."""

import pytest
from sqlalchemy import event


@pytest.fixture
def make_read_only(app, settings):
    """From the call on, every database connection refuses writes, as on a read-only or
    full disk."""
    if not settings.resolved_database_url().startswith("sqlite"):
        pytest.skip("SQLite's query_only stands in for a read-only disk")

    def refuse_writes(connection, _record) -> None:
        connection.execute("PRAGMA query_only = ON")

    def turn_on() -> None:
        app.state.engine.dispose()
        event.listen(app.state.engine, "connect", refuse_writes)

    yield turn_on
    if event.contains(app.state.engine, "connect", refuse_writes):
        event.remove(app.state.engine, "connect", refuse_writes)
    app.state.engine.dispose()


def test_a_mark_on_a_read_only_store_is_a_503_that_says_nothing_was_saved(
    login, imported, make_read_only
):
    client = login("annotator")
    make_read_only()

    response = client.put("/api/samples/1/mark", json={"verdict": "clean"})

    assert response.status_code == 503
    assert "nothing was saved" in response.json()["detail"]["message"]
    assert client.get("/api/samples/1").json()["my_mark_id"] is None
