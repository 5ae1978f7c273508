"""An expert checks labels against their action units in Chromium: the review queue by AUs
before any run, the sample page's AUs in words, the grid's AU filters, the AU screen."""

import re

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import serve
from tests.ui.helpers import measure_the_motion, screenshot, sign_in


@pytest.fixture
def server(tmp_path, clean_composite):
    """Twelve subjects whose sheets code AUs: enough for other subjects to judge a label."""
    yield from serve(tmp_path, clean_composite)


def mislabel_a_smile(page) -> dict:
    """A curator relabels a CASME II sample whose AUs include 12 (and support positive) to
    negative, through the API; returns the sample."""
    found = page.request.get(
        "/api/datasets/1/samples",
        params={"source": "casme2", "label": "positive", "au": 12, "au_support": "supported"},
    ).json()["items"]
    sample = found[0]
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "meclean_csrf")
    changed = page.request.post(
        "/api/datasets/1/label-versions",
        data={"reason": "a wrong label", "changes": {str(sample["id"]): "negative"}},
        headers={"X-CSRF-Token": csrf},
    )
    assert changed.status == 201, changed.text()
    return sample


def test_an_expert_reviews_labels_by_their_aus_before_any_run(page):
    sign_in(page, "curator")
    sample = mislabel_a_smile(page)

    page.goto("/#/triage")
    expect(page.locator(".triage-signals")).to_contain_text("action units")
    expect(page.locator(".triage-runs")).to_have_count(0)  # no run yet
    expect(page.locator("#triage-item h2").first).to_contain_text(sample["name"])
    expect(page.locator("#triage-item h2").first).to_contain_text("flagged")
    row = page.locator("table.signals tr").filter(has_text="Action units")
    expect(row).to_contain_text("samples of other subjects")
    expect(row).to_contain_text("this sample is labelled negative")
    screenshot(page, "triage-by-action-units")

    measure_the_motion(page)  # the sample page's class means need the dataset's flow
    page.get_by_role("link", name="Open the sample page").click()
    section = page.locator("#sample-aus")
    expect(section).to_contain_text("lip corner puller")
    expect(section.locator(".au-verdict")).to_contain_text("Its AUs dispute its label")
    expect(section.locator(".au-verdict")).to_have_class(re.compile("disputed"))
    timing = page.locator("#sample-motion")
    expect(timing.locator("svg.motion path.motion-curve")).to_have_count(1)
    expect(timing.locator("svg.motion line.mark.annotated.apex")).to_have_count(1)
    expect(timing).to_contain_text("Apex from: sheet")


def test_the_grid_filters_by_au_and_by_what_the_aus_say_of_the_label(page):
    sign_in(page, "curator")
    sample = mislabel_a_smile(page)

    page.goto("/#/samples?au_support=disputed")
    card = page.locator("article.card").filter(has_text=sample["name"])
    expect(card.locator(".card-aus")).to_contain_text("disputes the label")
    expect(page.locator("article.card .card-aus.disputed")).to_have_count(
        page.locator("article.card").count()
    )

    page.goto("/#/samples")
    page.locator("select[name=au_support]").select_option("")
    page.locator("input[name=au]").fill("12")
    page.locator("input[name=au]").press("Enter")
    expect(page).to_have_url(re.compile(r"au=12"))
    lines = page.locator("article.card .card-aus")
    expect(lines.first).to_be_visible()
    for text in lines.all_inner_texts():
        assert re.search(r"\b[LRTBA]?12\b", text), text


def test_the_action_units_screen_shows_typical_aus_clashes_and_disputed_labels(page):
    sign_in(page, "curator")
    sample = mislabel_a_smile(page)
    page.goto("/#/action-units")

    casme2 = page.locator("section.au-source").filter(has_text="CASME II")
    expect(casme2.locator("ul.typical")).to_contain_text("AU12 lip corner puller")
    expect(page.locator("section.au-source").filter(has_text="SMIC")).to_contain_text(
        "codes no action units"
    )
    clash = casme2.locator("table.clashes tr").filter(has_text=sample["name"])
    expect(clash.get_by_role("link", name=re.compile(sample["name"]))).to_have_count(1)
    expect(clash.locator("td").nth(2)).not_to_contain_text("http")
    casme2.locator("a.disputed").click()
    expect(page).to_have_url(re.compile(r"au_support=disputed"))
