"""What experts type and what a release names stays text, and is kept: a note edited after
a verdict, names that look like HTML on the projection."""

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select, update

from meclean.data.feature_store import FeatureStore
from meclean.data.features import compute_features
from meclean.data.flow import FlowSettings
from meclean.data.readers import ImportOptions, read_dataset
from meclean.db.models import Sample
from meclean.db.session import make_engine, session_factory, transaction
from tests.ui.helpers import launch_and_finish_a_run, sign_in

LINK = '<a href="https://example.org/">x</a>'


def flow_computed(data_dir: Path) -> None:
    """The tiny dataset's flow, as a finished features job leaves it: the sample page then
    draws its class means."""
    root = data_dir / "composite"
    report = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv"))
    compute_features(report.samples, FlowSettings(), FeatureStore(data_dir / "features"))


def test_a_note_edited_after_the_verdict_is_saved_and_survives_a_reload(page, tmp_path):
    flow_computed(tmp_path / "data")
    sign_in(page, "annotator", "/#/sample/1")
    page.get_by_role("button", name="Clean (c)").click()
    expect(page.locator(".my-mark")).to_contain_text("My verdict: clean")
    note = page.get_by_placeholder("Note (optional)")
    status = page.locator("#note-status")

    note.fill("two movements: brows, then the mouth")
    expect(status).to_contain_text("Note not saved yet")
    note.blur()
    expect(status).to_have_text("Note saved.")
    page.reload()

    expect(note).to_have_value("two movements: brows, then the mouth")
    expect(page.locator("#marks")).to_contain_text("two movements: brows, then the mouth")


def test_a_note_without_a_verdict_says_it_is_not_saved(page, tmp_path):
    flow_computed(tmp_path / "data")
    sign_in(page, "annotator", "/#/sample/2")
    note = page.get_by_placeholder("Note (optional)")

    note.fill("looks like a blink")
    note.blur()

    expect(page.locator("#note-status")).to_contain_text(
        "Not saved: a note is saved with a verdict"
    )


def test_names_that_look_like_html_stay_text_on_the_projection(page, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'meclean.db'}")
    with transaction(session_factory(engine)) as session:
        subject = session.scalars(select(Sample.subject).order_by(Sample.id)).first()
        session.execute(update(Sample).where(Sample.subject == subject).values(subject=LINK))
        session.execute(update(Sample).where(Sample.id == 2).values(name="<b>bold</b>"))
    engine.dispose()
    sign_in(page, "curator", "/#/runs")
    launch_and_finish_a_run(page)

    page.goto("/#/runs/1/projection")
    page.wait_for_selector("body[data-projection-ready='1']")
    page.get_by_label("Colour by").select_option("subject")
    legend = page.locator("#projection .legendtext")

    expect(legend.filter(has_text=re.compile(re.escape(LINK) + "$"))).to_have_count(1)
    expect(page.locator("#projection a")).to_have_count(0)
    bold = page.locator("#projection").evaluate(
        "plot => plot.data.flatMap(t => t.text ?? []).filter(s => String(s).includes('bold'))"
    )
    assert bold and all("&lt;b&gt;bold&lt;/b&gt;" in text for text in bold)
