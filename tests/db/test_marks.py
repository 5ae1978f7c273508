from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from meclean.db.marks import StaleMark, grades, grades_csv, latest_mark, latest_marks, set_mark
from meclean.db.models import Mark
from meclean.db.session import transaction


@pytest.fixture
def sample_ids(stored) -> list[int]:
    return stored[1]


def test_each_expert_keeps_a_history_and_the_latest_mark_is_theirs(factory, experts, sample_ids):
    ana, bo = experts
    s = sample_ids[0]
    with transaction(factory) as session:
        first = set_mark(session, s, ana, "noisy")
        set_mark(session, s, ana, "clean", typical=True, based_on=first.id)
        set_mark(session, s, bo, "unsure")

    with factory() as session:
        latest = {(m.user_id, m.verdict, m.typical) for m in latest_marks(session, [s])}
        history = session.scalars(select(Mark.verdict).where(Mark.user_id == ana)).all()
    assert latest == {(ana, "clean", True), (bo, "unsure", False)}
    assert history == ["noisy", "clean"]


def test_a_write_based_on_an_old_mark_is_stale_and_reports_the_current_one(
    factory, experts, sample_ids
):
    ana, _ = experts
    s = sample_ids[0]
    with transaction(factory) as session:
        first = set_mark(session, s, ana, "noisy")
        second = set_mark(session, s, ana, "clean", based_on=first.id)

    with pytest.raises(StaleMark) as stale, transaction(factory) as session:
        set_mark(session, s, ana, "unsure", based_on=first.id)
    assert stale.value.current.id == second.id


def test_many_experts_marking_at_once_lose_nothing(factory, experts, sample_ids):
    def mark_all(user_id: int) -> None:
        for s in sample_ids:
            while True:  # as the browser does: on a stale write, read the mark again and retry
                try:
                    with transaction(factory) as session:
                        current = latest_mark(session, s, user_id)
                        set_mark(session, s, user_id, "clean", based_on=current and current.id)
                    break
                except StaleMark:
                    continue

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(mark_all, [*experts, *experts]))

    with factory() as session:
        latest = latest_marks(session)
        total = len(session.scalars(select(Mark.id)).all())
    assert len(latest) == 2 * len(sample_ids)
    assert total == 4 * len(sample_ids)  # every write landed, each on the one before it
    assert {m.supersedes for m in latest} != {0}


def test_grades_follow_one_expert_or_the_experts_consensus(factory, experts, stored):
    ana, bo = experts
    dataset_id, (s1, s2, s3, s4, *_) = stored
    with transaction(factory) as session:
        set_mark(session, s1, ana, "clean", typical=True)
        set_mark(session, s1, bo, "clean", typical=True)
        set_mark(session, s2, ana, "clean")
        set_mark(session, s2, bo, "noisy")
        set_mark(session, s3, ana, "unsure")
        set_mark(session, s4, ana, "noisy")

    with factory() as session:
        assert grades(session, dataset_id, user_id=ana) == {s1: 2, s2: 1, s4: 0}
        assert grades(session, dataset_id, rule="majority") == {s1: 2, s4: 0}
        assert grades(session, dataset_id, rule="any-noisy") == {s1: 2, s2: 0, s4: 0}
        csv_text = grades_csv(session, dataset_id, grades(session, dataset_id, user_id=ana))
    assert csv_text.splitlines()[0] == "dataset,subject,filename,grade,action_units"
    assert len(csv_text.splitlines()) == 4
