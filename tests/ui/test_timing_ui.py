"""An expert checks the annotated timing in Chromium: the sample page's motion curve and
the Timing screen's doubtful samples."""

import re

from playwright.sync_api import expect

from tests.ui.helpers import measure_the_motion, sign_in


def test_the_timing_screen_lists_doubtful_samples_and_the_sample_page_draws_the_motion(page):
    sign_in(page, "curator")
    measure_the_motion(page)

    page.goto("/#/timing")
    summary = page.locator("#view p").first
    expect(summary).to_contain_text(re.compile(r"of 18 with a doubtful timing"))

    page.goto("/#/samples")
    page.locator("article.card").first.dblclick()
    timing = page.locator("#sample-motion")
    expect(timing.locator("svg.motion path.motion-curve")).to_have_count(1)
    expect(timing).to_contain_text(re.compile(r"peaking at"))


def test_a_curator_moves_the_apex_on_the_sample_page_and_undoes_it(page):
    sign_in(page, "curator")
    measure_the_motion(page)  # the page's class means need the dataset's flow
    page.goto("/#/sample/1")
    form = page.locator("form.timing-edit")
    apex = form.locator("input[name=apex]")
    expect(apex).not_to_have_value("")
    before = int(apex.input_value())

    apex.focus()
    apex.press("ArrowDown")  # a frame earlier, by the keyboard
    form.locator("input[name=reason]").fill("the apex is a frame earlier")
    form.get_by_role("button", name="Save the timing").click()

    history = page.locator("#sample-motion ol.timing-history li")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text(f"apex {before} → {before - 1}")
    expect(history.first).to_contain_text("the apex is a frame earlier")
    expect(page.locator("#sample-motion")).to_contain_text("Apex from: expert")

    page.goto("/#/timing")
    changed = page.locator("section.timing-changes")
    expect(changed).to_contain_text("1 sample changed")
    expect(changed.locator("a[download]")).to_have_attribute("href", "/api/datasets/1/timing.csv")

    page.goto("/#/sample/1")
    history.first.get_by_role("button", name="Undo").click()
    expect(history).to_have_count(2)
    expect(page.locator("form.timing-edit input[name=apex]")).to_have_value(str(before))


def test_a_curator_accepts_the_motions_apexes_in_bulk_asking_first_and_undoes_them(page):
    sign_in(page, "curator")
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "meclean_csrf")
    motion = page.request.get("/api/samples/1/motion").json()
    later = [f for f in motion["frames"] if f > motion["onset"]]
    far = max(later, key=lambda f: abs(f - motion["estimate"]["apex"]))
    moved = page.request.post(  # an apex as far from the motion's peak as the clip allows
        "/api/samples/1/timing",
        data={"onset": motion["onset"], "apex": far, "offset": motion["offset"],
              "reason": "a wrong apex, for the test", "based_on": 0},
        headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert moved.status == 200, moved.text()
    measure_the_motion(page)
    page.goto("/#/timing")
    row = page.locator("table.timing tr").filter(has_text="far from the motion's peak").first
    row.locator("input[type=checkbox]").check()
    expect(page.locator(".bulk-estimates .ticked")).to_have_text("1 ticked")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Accept the motion's apex for the ticked").click()

    undo = page.get_by_role("button", name="Undo the last bulk change (1 sample)")
    expect(undo).to_be_visible()
    accepted = page.request.get("/api/samples/1/motion").json()
    assert accepted["apex"] == accepted["estimate"]["apex"] != far
    undo.click()
    expect(page.locator("section.timing-changes")).to_contain_text("1 sample changed")
    assert page.request.get("/api/samples/1/motion").json()["apex"] == far
