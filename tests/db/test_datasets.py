from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from meclean.data.readers import ImportOptions, read_dataset
from meclean.db.datasets import DatasetExists, store_import
from meclean.db.models import Dataset, Sample, SampleLabel
from meclean.db.session import transaction


@pytest.fixture(scope="module")
def report(tiny_composite):
    return read_dataset(
        "megc2019", tiny_composite, ImportOptions(roster=tiny_composite / "roster.csv")
    )


def count(factory, model):
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_an_import_stores_every_sample_and_a_current_label_version(factory, report, tiny_composite):
    with transaction(factory) as session:
        dataset = store_import(session, "demo", "megc2019", tiny_composite, report)
        dataset_id = dataset.id

    with factory() as session:
        stored = session.get(Dataset, dataset_id)
        labels = session.scalars(
            select(SampleLabel.label).where(
                SampleLabel.version_id == stored.current_label_version_id
            )
        ).all()
    assert count(factory, Sample) == len(report.samples)
    assert sorted(labels) == sorted(s.label for s in report.samples)


def test_a_failing_import_leaves_nothing_behind(factory, report, tiny_composite):
    doubled = replace(report, samples=[*report.samples, report.samples[0]])

    with pytest.raises(IntegrityError), transaction(factory) as session:
        store_import(session, "broken", "megc2019", tiny_composite, doubled)

    assert count(factory, Dataset) == 0
    assert count(factory, Sample) == 0


def test_a_second_dataset_of_the_same_name_is_refused(factory, report, tiny_composite):
    with transaction(factory) as session:
        store_import(session, "demo", "megc2019", tiny_composite, report)
    with pytest.raises(DatasetExists), transaction(factory) as session:
        store_import(session, "demo", "megc2019", tiny_composite, report)
    assert count(factory, Dataset) == 1
