from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from meclean.db.migrations import alembic_config, downgrade, upgrade
from meclean.db.models import Mark
from meclean.db.session import make_engine, session_factory, transaction


def tables(url):
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_round_trips(database_url):
    url = database_url

    upgrade(url)
    created = tables(url)
    downgrade(url)
    emptied = tables(url)
    upgrade(url)

    assert {"datasets", "samples", "marks", "label_versions", "runs"} <= created
    assert emptied == set()
    assert tables(url) == created


def row_counts(url) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in sorted(inspect(engine).get_table_names())
                if t != "alembic_version"
            }
    finally:
        engine.dispose()


def test_every_migration_keeps_a_populated_databases_rows(migrated_url, stored, experts):
    """Each step down and back up keeps every row of the tables it keeps (SQLite rebuilds
    altered tables by copy and drop: a drop must not cascade into the tables that point at
    them); a table the step drops comes back empty."""
    _, sample_ids = stored
    engine = make_engine(migrated_url)
    with transaction(session_factory(engine)) as session:
        session.add_all(Mark(sample_id=s, user_id=experts[0], verdict="noisy") for s in sample_ids)
    engine.dispose()
    before = row_counts(migrated_url)
    revisions = [
        r.revision
        for r in ScriptDirectory.from_config(alembic_config(migrated_url)).walk_revisions()
    ]

    expected = before
    for revision in revisions[1:]:  # newest first: down one step at a time, then back up
        downgrade(migrated_url, revision)
        kept = tables(migrated_url)
        upgrade(migrated_url)
        expected = {t: n if t in kept else 0 for t, n in expected.items()}
        assert row_counts(migrated_url) == expected, revision
    assert before["samples"] == len(sample_ids) and before["marks"] == len(sample_ids)
    assert before["sample_action_units"] > 0  # the synthetic sheets code AUs
    assert before["datasets"] == 1 and before["label_versions"] >= 1


def test_a_rebuild_left_half_done_by_an_earlier_failure_does_not_block_the_upgrade(
    migrated_url,
):
    if not migrated_url.startswith("sqlite"):
        return  # batch rebuilds are SQLite's; PostgreSQL alters tables in place
    downgrade(migrated_url, "0009")
    engine = make_engine(migrated_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE _alembic_tmp_datasets (id INTEGER)"))
    engine.dispose()

    upgrade(migrated_url)

    assert "_alembic_tmp_datasets" not in tables(migrated_url)


def test_the_models_and_the_migrations_agree(migrated_url):
    command.check(alembic_config(migrated_url))  # raises on any difference
