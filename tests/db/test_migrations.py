from sqlalchemy import inspect

from alembic import command
from meclean.db.migrations import alembic_config, downgrade, upgrade
from meclean.db.session import make_engine


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


def test_the_models_and_the_migrations_agree(migrated_url):
    command.check(alembic_config(migrated_url))  # raises on any difference
