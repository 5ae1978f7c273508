"""Property tests of the label CSVs experts upload and export: any text is a clean answer
(changes or a LabelError naming the problem), and an export reads back as written."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meclean.db.labels import LabelError, changes_from_csv, create_version, roster_csv
from meclean.db.models import Dataset
from meclean.db.spreadsheets import csv_text, unquoted_cell

HEADER = "dataset,subject,filename,label"
cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(text=st.text(max_size=400))
def test_any_text_is_changes_or_a_label_error(factory, stored, text):
    with factory() as session:
        dataset = session.get(Dataset, stored[0])
        for candidate in (text, f"{HEADER}\n{text}", "\ufeff" + text):
            try:
                changes = changes_from_csv(session, dataset, candidate)
            except LabelError as error:
                assert str(error)
            else:
                assert set(changes.values()) <= {"negative", "positive", "surprise"}


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=4, max_size=4), max_size=8))
def test_rows_of_any_cells_are_changes_or_a_label_error_naming_a_row(factory, stored, rows):
    with factory() as session:
        dataset = session.get(Dataset, stored[0])
        text = csv_text(HEADER.split(","), rows)
        try:
            changes_from_csv(session, dataset, text)
        except LabelError as error:
            assert "row" in str(error) or "no label changes" in str(error) or not rows


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=5), max_size=10))
def test_an_export_reads_back_as_the_cells_it_was_given(rows):
    text = csv_text(["a", "b", "c", "d", "e"][: max((len(r) for r in rows), default=1)], rows)

    read = list(csv.reader(io.StringIO(text)))[1:]

    assert [[unquoted_cell(c) for c in r] for r in read] == [
        [c if c else "" for c in r] for r in rows
    ]


def test_an_exported_version_round_trips_through_changes_unchanged(factory, stored):
    with factory() as session:
        dataset = session.get(Dataset, stored[0])
        exported = roster_csv(session, dataset.current_label_version_id)
        changes = changes_from_csv(session, dataset, exported)
    assert len(changes) == len(stored[1])
    with pytest.raises(LabelError, match="no label changes"):  # noqa: SIM117
        with factory() as session, session.begin():
            create_version(session, session.get(Dataset, stored[0]), changes, "same")
