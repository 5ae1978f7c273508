"""Curators relabel in Chromium: on the sample page and in the review queue, asking before
replacing a label an expert judged clean; an expert says what a noisy label should be; the
Labels screen lists a version's decisions and undoes one."""

import re

import httpx
from playwright.sync_api import expect

from tests.ui.helpers import PASSWORD, every_dialog_accepted, measure_the_motion, sign_in


def signed_in_client(server: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=server)
    token = client.post("/api/login", json={"name": name, "password": PASSWORD})
    client.headers["X-CSRF-Token"] = token.json()["csrf_token"]
    return client


def flow_computed(server: str) -> None:
    """A curator has the dataset's flow computed (the sample page's class means need it)."""
    curator = signed_in_client(server, "curator")
    started = curator.post("/api/datasets/1/features")
    assert started.status_code in (201, 409), started.text  # 409: one is computing
    job = curator.get("/api/datasets/1/features").json()
    while job["status"] in ("queued", "running"):  # the job's own end, however long
        job = curator.get("/api/datasets/1/features").json()
    assert job["status"] == "succeeded", job


def test_an_expert_says_what_a_noisy_label_should_be(page, server):
    flow_computed(server)
    sign_in(page, "annotator", "/#/sample/1")
    mine = page.locator(".my-mark")
    label = page.locator("h1").inner_text().split("|")[0].strip()
    should_be = next(c for c in ("negative", "positive", "surprise") if c != label)

    mine.get_by_label("Should be").select_option(should_be)
    mine.get_by_role("button", name=re.compile(r"^Noisy")).click()

    expect(page.locator("#marks")).to_contain_text(f"noisy, should be {should_be}")
    expect(mine).to_contain_text(f"should be {should_be}")


def test_a_curator_relabels_a_sample_asks_over_a_clean_verdict_and_undoes_it(page, server):
    annotator = signed_in_client(server, "annotator")
    assert annotator.put("/api/samples/1/mark", json={"verdict": "clean"}).status_code == 200
    sign_in(page, "curator")
    measure_the_motion(page)
    page.goto("/#/sample/1")
    heading = page.locator("h1")
    before = heading.inner_text().split("|")[0].strip()
    form = page.locator("form.relabel")

    form.get_by_label("Relabel to").select_option(index=0)
    after = form.get_by_label("Relabel to").input_value()
    form.locator("input[name=relabel-reason]").fill("the flow is a smile")
    page.once("dialog", lambda dialog: dialog.dismiss())
    form.get_by_role("button", name="Relabel", exact=True).click()
    expect(page.locator("#toast")).to_contain_text("Nothing was relabelled")
    expect(heading).to_contain_text(before)  # dismissed: nothing changed

    page.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="Relabel", exact=True).click()
    expect(heading).to_contain_text(f"{after} |")
    expect(page.locator("#marks")).to_contain_text(f"clean (judged {before}; relabelled since)")
    page.goto("/#/labels")
    decisions = page.locator("#version-changes")
    expect(decisions).to_contain_text("Decisions in v2 (1)")
    expect(decisions).to_contain_text("the flow is a smile")
    expect(page.locator("#versions")).to_contain_text("open")

    decisions.get_by_role("button", name="Undo").click()
    expect(page.locator("#version-changes")).to_contain_text("Decisions in v2 (2)")
    assert page.request.get("/api/samples/1").json()["label"] == before
    page.errors[:] = [e for e in page.errors if "409" not in e]  # the clean verdict asked about


def test_a_curator_relabels_from_the_review_queue(page):
    sign_in(page, "curator")
    measure_the_motion(page)
    page.goto("/#/triage")
    heading = page.locator("#view h2").first
    expect(heading).to_be_visible()
    form = page.locator("form.relabel")
    after = form.get_by_label("Relabel to").input_value()

    form.locator("input[name=relabel-reason]").fill("AU12 with AU6 is a smile")
    form.get_by_role("button", name="Relabel", exact=True).click()

    expect(heading).to_contain_text(f"{after} |")
    expect(page.locator("#toast")).to_contain_text("in label version 2")
    form.get_by_role("button", name="Undo relabel").click()
    expect(page.locator("#toast")).to_contain_text("Undone:")
    expect(heading).not_to_contain_text(f"{after} |")


def test_the_help_screen_is_reachable_from_every_screen_and_explains_the_numbers(page):
    sign_in(page, "annotator")
    page.get_by_role("link", name="Help").click()

    expect(page.locator("h1")).to_have_text("Help")
    expect(page.locator("#view")).to_contain_text("Unweighted F1")
    expect(page.locator("#view")).to_contain_text("out-of-fold loss")
    expect(page.locator("#view a[href='/docs']")).to_be_visible()
    page.locator("#view a[href='#/samples']").click()
    page.keyboard.press("?")
    page.locator("#help").get_by_role("link", name=re.compile("More help")).click()
    expect(page.locator("h1")).to_have_text("Help")
    expect(page.locator("#help")).not_to_be_visible()


def test_a_curator_relabels_the_samples_the_grid_shows_asking_first_and_undoes_it(page):
    sign_in(page, "curator", "/#/samples?source=casme2")
    cards = page.locator("article.card")
    expect(cards.first).to_be_visible()
    shown = cards.count()
    with every_dialog_accepted(page) as questions:
        form = page.locator("form.relabel")
        form.get_by_label("Relabel to").select_option("surprise")
        form.locator("input[name=relabel-reason]").fill("every CASME II sample here is a surprise")
        form.get_by_role("button", name="Relabel", exact=True).click()

        expect(page.locator("#toast")).to_contain_text("surprise in label version 2")
        assert questions[0].startswith(f"Relabel the {shown} samples shown to surprise?")
        expect(cards.first).to_contain_text("surprise")
        form.get_by_role("button", name="Undo relabel").click()
        expect(page.locator("#toast")).to_contain_text("Undone:")
        casme2 = page.request.get("/api/datasets/1/samples", params={"source": "casme2"}).json()
        assert {s["label"] for s in casme2["items"]} != {"surprise"}
