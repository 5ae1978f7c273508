"""A curator imports a dataset from the app in Chromium: the form, the live progress of the
queued import, its report, and the new dataset in the picker."""

import re

from playwright.sync_api import expect

from tests.ui.helpers import sign_in


def test_a_curator_imports_a_folder_watches_it_and_reads_its_report(page, tmp_path):
    root = tmp_path / "data" / "composite"
    sign_in(page, "curator")
    page.get_by_role("link", name="Import").click()
    form = page.locator("form.import-form")

    form.locator("input[name=name]").fill("tiny again")
    form.locator("select[name=layout]").select_option("megc2019")
    form.locator("input[name=path]").fill(str(root))
    form.locator("input[name=roster]").fill(str(root / "roster.csv"))
    form.get_by_role("button", name="Import").click()

    row = page.locator("table.imports tr[data-status=succeeded]", has_text="tiny again")
    expect(row).to_have_count(1, timeout=120_000)
    report = page.locator("section.import-report")
    expect(report).to_contain_text("tiny again: imported")
    expect(report.locator(".import-summary")).to_contain_text(re.compile(r"18 samples imported"))
    expect(page.locator("#dataset-picker option:checked")).to_have_text("tiny again")


def test_an_import_outside_the_import_roots_is_refused_in_the_form(page):
    sign_in(page, "curator", "/#/import")
    form = page.locator("form.import-form")

    form.locator("input[name=name]").fill("elsewhere")
    form.locator("input[name=path]").fill("/etc")
    form.get_by_role("button", name="Import").click()

    expect(form.locator(".error")).to_contain_text("path: path is outside the import roots")
    expect(page.locator("table.imports tr[data-import-id]")).to_have_count(0)
    page.errors[:] = [e for e in page.errors if "403" not in e]  # the refusal staged here


def test_an_annotator_sees_no_import(page):
    sign_in(page, "annotator")
    expect(page.get_by_role("link", name="Samples")).to_be_visible()
    expect(page.get_by_role("link", name="Import")).to_be_hidden()
