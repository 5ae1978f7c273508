"""Review next, clicked through in Chromium: the queue, why a sample was flagged, marking
by keyboard."""

import re

from playwright.sync_api import expect

from tests.ui.helpers import launch_and_finish_a_run, screenshot, sign_in


def test_an_expert_reviews_the_most_suspicious_samples_first_by_keyboard(page):
    sign_in(page, "curator", "/#/runs")
    launch_and_finish_a_run(page)
    # Left while its queue loads, the screen does not take the address back.
    held = []
    queue = re.compile(r"/triage\?.*with_order=true")
    page.route(queue, lambda route: held.append(route))
    with page.expect_request(queue):
        page.get_by_role("link", name="Review next").click()
    page.get_by_role("link", name="Labels").click()
    with page.expect_response(queue):
        held[0].continue_()
    page.unroute(queue)
    expect(page.locator("#versions")).to_be_visible()
    assert page.url.endswith("#/labels")

    page.get_by_role("link", name="Review next").click()
    status = page.locator("#triage-status")
    expect(status).to_contain_text("Sample 1 of 18 in the queue · 0 samples reviewed by me")
    expect(page.get_by_label(re.compile(r"run 1 \(ilc, 3 epochs, UF1 \d\.\d{3}\)"))).to_be_checked()
    why = page.locator("#why")
    expect(why).to_contain_text(re.compile(r"Given (negative|positive|surprise), predicted"))
    expect(why.locator(".neighbours img")).to_have_count(6)
    curves = why.get_by_role("img", name=re.compile(r"^Training loss over 3 epochs"))
    three_points = re.compile(r"^M[\d.,]+(L[\d.,]+){2}$")
    expect(curves.locator("path.this-sample")).to_have_attribute("d", three_points)
    expect(curves.locator("path.class-median")).to_have_count(1)
    expect(page.locator(".caveats")).to_contain_text("has only 3 samples")
    first = page.locator("#triage-item h2").first.inner_text()
    screenshot(page, "review-next")

    page.keyboard.press("n")
    expect(status).to_contain_text("Sample 2 of 18")
    expect(status).to_contain_text("1 sample reviewed by me")
    expect(page.locator("#triage-item h2").first).not_to_have_text(first)
    assert "at=1" in page.url

    # z takes the mark back and returns to the sample it was on.
    page.keyboard.press("z")
    expect(status).to_contain_text("Sample 1 of 18")
    expect(page.locator("#triage-item h2").first).to_have_text(first)
    expect(page.locator("#triage-item .my-mark")).to_have_text("My verdict: unmarked")
    expect(status).to_contain_text("0 samples reviewed by me")

    # The disagreement queue: no expert disagrees with another yet.
    page.get_by_label("Only samples the experts disagree on").check()
    expect(page.locator("#triage-item")).to_have_text("No sample the experts disagree on.")
    assert "disagreement=true" in page.url


def test_a_curator_moves_the_high_loss_threshold_and_colours_the_projection_by_subject(page):
    sign_in(page, "curator", "/#/runs")
    launch_and_finish_a_run(page)
    page.goto("/#/runs/1/projection")
    page.wait_for_selector("body[data-projection-ready='1']")
    count = page.locator("#alpha-count")
    stored = int(count.inner_text().split()[0])
    expect(count).to_contain_text("above mean + 2.5 std of the final model's losses")

    # alpha 0: every loss above the mean is high; no sample lies above mean + 5 std of 18.
    page.locator("#alpha-slider").fill("0")
    expect(count).to_contain_text(f"std of the final model's losses (the run drew {stored} at")
    at_zero = int(count.inner_text().split()[0])
    assert at_zero >= stored and at_zero > 0
    legend = page.locator("#projection .legendtext")
    expect(legend.filter(has_text="high loss at \N{GREEK SMALL LETTER ALPHA} = 0")).to_have_count(1)
    page.locator("#alpha-slider").fill("5")
    expect(count).to_contain_text("0 samples above mean + 5 std")

    page.get_by_label("Colour by").select_option("subject")
    expect(legend.filter(has_text=re.compile(r"^(casme2|samm|smic)/"))).to_have_count(6)
    screenshot(page, "projection-by-subject")
