import pytest

from meclean.db.labels import (
    LabelError,
    changes_from_csv,
    create_version,
    diff_versions,
    labels_of,
    roster_csv,
)
from meclean.db.session import transaction
from tests.db.helpers import dataset_of


def test_a_new_version_applies_changes_to_the_current_one_and_becomes_current(factory, stored):
    dataset_id, ids = stored
    with transaction(factory) as session:
        dataset = dataset_of(session, dataset_id)
        first = dataset.current_label_version_id
        before = labels_of(session, first)
        flipped = "surprise" if before[ids[0]] != "surprise" else "positive"
        version = create_version(session, dataset, {ids[0]: flipped}, "accepted relabels")

    with factory() as session:
        assert dataset_of(session, dataset_id).current_label_version_id == version.id
        assert version.parent_id == first
        (change,) = diff_versions(session, first, version.id)
    assert (change.sample_id, change.before, change.after) == (ids[0], before[ids[0]], flipped)


def test_unknown_classes_and_samples_are_refused_and_nothing_changes(factory, stored):
    dataset_id, ids = stored
    with pytest.raises(LabelError, match="not one of"), transaction(factory) as session:
        create_version(session, dataset_of(session, dataset_id), {ids[0]: "joy"}, "typo")
    with pytest.raises(LabelError, match="not in dataset"), transaction(factory) as session:
        create_version(session, dataset_of(session, dataset_id), {10**6: "positive"}, "?")
    with factory() as session:
        current = dataset_of(session, dataset_id).current_label_version_id
    assert current == 1


def test_a_version_exported_as_roster_csv_reads_back_as_the_same_labels(factory, stored):
    dataset_id, _ = stored
    with factory() as session:
        dataset = dataset_of(session, dataset_id)
        exported = roster_csv(session, dataset.current_label_version_id)
        changes = changes_from_csv(session, dataset, exported)
        assert changes == labels_of(session, dataset.current_label_version_id)
    assert exported.splitlines()[0] == "dataset,subject,filename,label,action_units"


def test_a_csv_row_naming_an_unknown_sample_is_reported_with_its_row(factory, stored):
    dataset_id, _ = stored
    text = "dataset,subject,filename,label\ncasme2,sub99,EP01,positive\n"
    with factory() as session, pytest.raises(LabelError, match="row 2: no sample"):
        changes_from_csv(session, dataset_of(session, dataset_id), text)
