"""The Agreement screen and blind marking, clicked through in Chromium."""

import httpx
from playwright.sync_api import expect

from tests.ui.helpers import PASSWORD, launch_and_finish_a_run, screenshot, sign_in


def expert(server: str, name: str) -> httpx.Client:
    """An API client signed in as ``name``, for marks the test needs made beforehand."""
    client = httpx.Client(base_url=server)
    response = client.post("/api/login", json={"name": name, "password": PASSWORD})
    response.raise_for_status()
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def mark_all(client: httpx.Client, samples: list[int], verdicts: str) -> None:
    """``verdicts``: one letter per sample, c clean, n noisy, '.' left unmarked."""
    words = {"c": "clean", "n": "noisy"}
    for sample, letter in zip(samples, verdicts, strict=True):
        if letter in words:
            response = client.put(f"/api/samples/{sample}/mark", json={"verdict": words[letter]})
            response.raise_for_status()


def test_a_curator_reads_the_experts_agreement_and_marks_the_dataset_blind(page, server):
    curator, annotator, admin = (expert(server, n) for n in ("curator", "annotator", "admin"))
    page_of_samples = annotator.get("/api/datasets/1/samples", params={"limit": 5}).json()
    samples = [s["id"] for s in page_of_samples["items"]]
    mark_all(annotator, samples, "ccnn.")
    mark_all(admin, samples, "cnnnc")
    mark_all(curator, samples, "c...n")

    sign_in(page, "curator", "/#/agreement")

    # Five samples with two or more verdicts: P-bar 3/5, P_e 61/121, kappa 0.193.
    expect(page.locator("#fleiss-kappa")).to_have_text("0.19, slight agreement")
    expect(page.locator("#fleiss")).to_contain_text("on 5 samples marked by at least two")
    expect(page.locator("#fleiss")).to_contain_text("admin (5 samples), annotator (4 samples)")
    expect(page.locator("#pairs tbody tr")).to_have_count(3)
    both = page.locator("#pairs tr[data-pair='admin|annotator']")
    expect(both).to_contain_text("75.0 %")
    expect(both).to_contain_text("0.50, moderate agreement")
    expect(page.locator("#pairs tr[data-pair='annotator|curator']")).to_contain_text(
        "not defined: fewer than two samples marked by both"
    )
    expect(page.locator("table.pair-confusion")).to_have_count(3)
    confusion = page.locator("table.pair-confusion[data-pair='admin|annotator']")
    expect(confusion.get_by_role("link")).to_have_attribute("href", "#/samples?disagreement=true")
    expect(page.locator("#weighed")).to_contain_text("no run of this dataset has finished yet")
    screenshot(page, "agreement")

    page.get_by_label("Blind marking").check()
    expect(page.locator("#toast")).to_have_text("Blind marking is on")
    assert curator.get("/api/datasets/1").json()["blind_marking"] is True
    page.get_by_role("button", name="Log out").click()
    page.locator("form.login").wait_for()

    # The last sample has the curator's and the admin's differing verdicts, not mine.
    sign_in(page, "annotator", "/#/samples?disagreement=true")
    expect(page.locator(".card")).to_have_count(1)
    expect(page.get_by_role("link", name="Agreement")).to_be_hidden()
    curator.patch("/api/datasets/1", json={"blind_marking": False}).raise_for_status()
    page.reload()
    expect(page.locator(".card")).to_have_count(2)
    page.goto("/#/agreement")
    expect(page.locator("#view")).to_contain_text("Agreement is for curators")


def test_a_curator_chooses_the_run_cleanlab_weighs_the_experts_against(page, server):
    annotator, admin = expert(server, "annotator"), expert(server, "admin")
    page_of_samples = annotator.get("/api/datasets/1/samples", params={"limit": 18}).json()
    samples = [s["id"] for s in page_of_samples["items"]]
    mark_all(annotator, samples, "c" * 18)
    mark_all(admin, samples, "nnn" + "c" * 15)
    sign_in(page, "curator", "/#/runs")
    launch_and_finish_a_run(page)

    form = page.get_by_role("form", name="Launch a run")
    form.get_by_label("Method").select_option("idc")
    against = form.get_by_label("Weighed against")
    expect(against).to_be_hidden()
    form.get_by_label("Consensus").select_option("cleanlab")
    expect(against).to_be_visible()

    def plan_naming_run_1(request) -> bool:
        return "/runs/plan" in request.url and request.post_data_json.get("consensus_run_id") == 1

    with page.expect_request(plan_naming_run_1):
        against.select_option("1")
    expect(form.locator("#run-plan")).to_contain_text("experts weighed by cleanlab against run 1")

    page.get_by_role("link", name="Agreement").click()
    expect(page.get_by_label("run to weigh the experts against")).to_have_value("1")
    expect(page.locator("#weighed")).to_contain_text("Against run 1's out-of-fold probabilities")
