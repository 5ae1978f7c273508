"""A run's own page in Chromium: a curator stops a run from it, asking first."""

import re

import httpx
from playwright.sync_api import expect

from tests.ui.helpers import PASSWORD, launch_and_finish_a_run, sign_in


def test_a_curator_cancels_a_run_from_its_page_after_confirming(page):
    sign_in(page, "curator")
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "meclean_csrf")
    launched = page.request.post(
        "/api/datasets/1/runs",
        data={"method": "baseline", "epochs": 200, "seeds": 3, "tasks_per_seed": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert launched.status == 201, launched.text()
    run_id = launched.json()["id"]
    page.goto(f"/#/runs/{run_id}")
    cancel = page.get_by_role("button", name="Cancel the run")

    page.once("dialog", lambda dialog: dialog.dismiss())
    cancel.click()
    expect(page.locator("#run-live .status")).not_to_have_class("status cancelled")
    page.once("dialog", lambda dialog: dialog.accept())
    cancel.click()

    expect(page.locator("#run-live .status")).to_have_class("status cancelled")
    expect(page.get_by_role("button", name="Cancel the run")).to_have_count(0)
    assert page.request.get(f"/api/runs/{run_id}").json()["status"] == "cancelled"


def test_an_annotator_has_no_cancel_on_a_run_page(page, server):
    curator = httpx.Client(base_url=server)
    token = curator.post("/api/login", json={"name": "curator", "password": PASSWORD})
    curator.headers["X-CSRF-Token"] = token.json()["csrf_token"]
    body = {"method": "baseline", "epochs": 200, "seeds": 3, "tasks_per_seed": 1}
    run_id = curator.post("/api/datasets/1/runs", json=body).json()["id"]

    sign_in(page, "annotator", f"/#/runs/{run_id}")

    expect(page.locator("#run-live")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel the run")).to_have_count(0)
    assert curator.post(f"/api/runs/{run_id}/cancel").status_code == 200


def test_a_curator_picks_one_annotators_marks_for_idc_and_can_download_them(page, server):
    annotator = httpx.Client(base_url=server)
    token = annotator.post("/api/login", json={"name": "annotator", "password": PASSWORD})
    annotator.headers["X-CSRF-Token"] = token.json()["csrf_token"]
    assert annotator.put("/api/samples/1/mark", json={"verdict": "clean"}).status_code == 200

    sign_in(page, "curator", "/#/runs")
    form = page.locator("#launch-form")
    form.get_by_label("Method").select_option("idc")
    form.get_by_label("IDC marks from").select_option("annotator")

    expect(form.get_by_label("IDC marks from")).to_contain_text("annotator (1 sample)")
    expect(form.locator("#marks-download")).to_have_attribute(
        "href", "/api/datasets/1/marks.csv?user=annotator"
    )
    expect(form.locator("#run-plan")).to_contain_text("Cannot run: idc needs samples marked clean")
    expect(form.locator("#run-plan")).to_contain_text("(IDC marks from)")
    page.errors[:] = [e for e in page.errors if "422" not in e]  # the plan's refusal


def test_a_finished_runs_page_gives_its_protocol_as_a_table_and_scores_per_subject(page):
    sign_in(page, "curator")
    launch_and_finish_a_run(page)
    page.goto("/#/runs/1")

    protocol = page.locator("details.protocol")
    protocol.locator("summary").click()
    rows = protocol.locator("table.protocol-table tr")
    expect(rows.filter(has=page.locator("th", has_text=re.compile("^method$")))).to_contain_text(
        "ilc"
    )
    expect(rows.filter(has=page.locator("th", has_text=re.compile("^epochs$")))).to_contain_text(
        "3"
    )
    subjects = page.locator("#run-subjects")
    subjects.locator("summary").click()

    expect(subjects.locator("table.subjects tr")).to_have_count(7)  # 6 subjects and a header
    expect(page.locator("a[download]", has_text="every sample's result")).to_have_attribute(
        "href", "/api/runs/1/results.csv"
    )
