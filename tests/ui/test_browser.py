"""What experts do in the browser, clicked through in Chromium."""

import re
from pathlib import Path

from playwright.sync_api import expect

from meclean.data.feature_store import FeatureStore
from meclean.data.features import compute_features
from meclean.data.flow import FlowSettings
from meclean.data.readers import read_dataset
from meclean.db.datasets import store_import
from meclean.db.session import make_engine, session_factory, transaction
from tests.helpers import write_csv
from tests.ui.helpers import every_dialog_accepted, screenshot, sign_in

FIRST_POINT = Path(__file__).with_name("first_point.js")


def renders_loaded(page, count: int) -> None:
    """Wait for the grid's ``count`` renders. Each computes its sample's flow, which the
    class means need in full: they are refused (409) while any is missing."""
    page.wait_for_function(
        "n => [...document.querySelectorAll('.card img')]"
        ".filter((img) => img.complete && img.naturalWidth > 0).length === n",
        arg=count,
        timeout=120_000,
    )


def test_an_expert_marks_by_keyboard_and_finds_the_marks_after_a_reload(page):
    page.goto("/")
    screenshot(page, "login")
    sign_in(page, "annotator")
    cards = page.locator(".card")
    expect(cards).to_have_count(18)
    expect(page.locator("#my-progress")).to_contain_text("Me: 0 / 18")
    renders_loaded(page, 18)

    page.keyboard.press("c")
    page.keyboard.press("n")
    page.keyboard.press("t")

    expect(page.locator("#my-progress")).to_have_text(
        "Me: 3 / 18 marked (2 clean, 1 noisy, 0 unsure)"
    )
    expect(cards.nth(0).locator(".badge.mine")).to_have_text("clean")
    expect(cards.nth(1).locator(".badge.mine")).to_have_text("noisy")
    expect(cards.nth(2).locator(".badge.mine")).to_have_text("clean ★")
    page.keyboard.press("z")
    expect(page.locator("#my-progress")).to_have_text(
        "Me: 2 / 18 marked (1 clean, 1 noisy, 0 unsure)"
    )
    # With the mouse, on the card itself.
    cards.nth(3).get_by_role("button", name="Unsure").click()
    expect(cards.nth(3).locator(".badge.mine")).to_have_text("unsure")
    expect(page.locator("#my-progress")).to_contain_text("1 unsure")
    cards.nth(3).get_by_role("button", name="Unsure").focus()
    page.keyboard.press("z")
    expect(cards.nth(3).locator(".badge.mine")).to_have_text("unmarked")
    expect(page.locator(".grid-status")).to_have_text("18 of 18 samples shown")
    page.get_by_label("one colour scale").check()
    expect(cards.nth(0).locator("img")).to_have_attribute("src", re.compile(r"shared=true"))
    renders_loaded(page, 18)
    screenshot(page, "grid")

    page.reload()
    expect(cards.nth(0).locator(".badge.mine")).to_have_text("clean")
    expect(cards.nth(1).locator(".badge.mine")).to_have_text("noisy")
    expect(cards.nth(2).locator(".badge.mine")).to_have_text("unmarked")

    page.get_by_role("combobox").filter(has_text="Any verdict of mine").select_option("unmarked")
    expect(cards).to_have_count(16)
    expect(page).to_have_url(re.compile(r"#/samples\?verdict=unmarked&shared=true$"))
    title = cards.nth(5).locator("h3").inner_text()
    following = cards.nth(6).locator("h3").inner_text()
    cards.nth(5).click()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_alt_text(re.compile("^Optical strain of"))).to_be_visible()
    page.wait_for_load_state("networkidle")
    screenshot(page, "sample")
    # z here takes back only a mark on this sample, never one made on another unseen.
    page.keyboard.press("z")
    expect(page.locator("#toast")).to_have_text("No mark of yours on this sample to undo")
    expect(page.locator("#my-progress")).to_contain_text("Me: 2 / 18")
    # The movement plays, onset to offset.
    clip = page.locator("#clip")
    clip.get_by_role("button", name="Play").click()
    expect(clip.get_by_role("slider")).not_to_have_value("0")
    clip.get_by_role("button", name="Pause").click()
    # The help lists this screen's keys; the next sample of the grid is a key away, and
    # a mark made here shows in the experts' marks at once.
    page.keyboard.press("?")
    expect(page.locator("#help-keys")).to_contain_text("next sample of the grid")
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("heading", level=1)).to_have_text(following)
    expect(page.locator(".stepper")).to_contain_text("7 of 16")
    page.keyboard.press("u")
    expect(page.locator("#marks")).to_contain_text("annotator")
    expect(page.locator("#marks")).to_contain_text("unsure")
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    # Back in the grid: the same filters, and the focus on the sample left last.
    page.get_by_role("link", name="← Samples").click()
    expect(page).to_have_url(re.compile(r"#/samples\?verdict=unmarked&shared=true$"))
    expect(page.locator(".card:focus h3")).to_have_text(title)

    page.get_by_role("link", name="Class means").click()
    expect(page.get_by_role("heading", name="Class means")).to_be_visible()
    expect(page.locator(".side-by-side img")).to_have_count(2)
    page.wait_for_load_state("networkidle")
    screenshot(page, "class-means")


def lasso_everything(page) -> None:
    box = page.locator("#projection .nsewdrag").first.bounding_box()
    left, top = box["x"] + 2, box["y"] + 2
    right, bottom = box["x"] + box["width"] - 2, box["y"] + box["height"] - 2
    page.mouse.move(left, top)
    page.mouse.down()
    for x, y in ((right, top), (right, bottom), (left, bottom), (left, top + 5)):
        page.mouse.move(x, y, steps=8)
    page.mouse.up()


def hover_first_point(page) -> None:
    """Move the mouse onto the first point of the first class, where Plotly draws it."""
    x, y = page.evaluate(FIRST_POINT.read_text())
    page.mouse.move(x, y)


def test_a_curator_runs_ilc_watches_it_finish_and_accepts_its_relabels(page):
    sign_in(page, "curator")
    page.get_by_role("link", name="Runs").click()
    form = page.locator("#launch-form")
    # The form says what the server would run, or why it cannot, before anything is queued.
    form.get_by_label("Method").select_option("idc+ilc")
    expect(form.locator("#run-plan")).to_contain_text(
        "Cannot run: idc+ilc needs samples marked clean"
    )
    expect(form.get_by_role("button", name="Launch")).to_be_disabled()
    # The form offers only the parameters of the chosen method, with their defaults.
    expect(form.get_by_label("IDC marks from")).to_be_visible()
    expect(form.get_by_label("Warm-up epochs")).to_have_attribute("placeholder", "default 50")
    form.get_by_label("Method").select_option("ilc")
    expect(form.get_by_label("Warm-up epochs")).to_be_hidden()
    expect(form.get_by_label("IDC marks from")).to_be_hidden()
    form.get_by_label(re.compile("LTM/ILC")).fill("0")
    form.get_by_label("Epochs", exact=True).fill("4")
    expect(form.locator("#run-plan")).to_contain_text(
        "Runs ilc (alpha 0) under the meclean protocol on label version 1: "
        "6 LOSO folds \N{MULTIPLICATION SIGN} 1 seed "
        "\N{MULTIPLICATION SIGN} 4 epochs"
    )
    form.get_by_role("button", name="Launch").click()

    row = page.locator("#runs tbody tr").first
    expect(row.locator(".status")).to_have_text("running", timeout=60_000)
    screenshot(page, "runs")
    # The run's own page follows it live, in LOSO folds, to the end.
    row.get_by_role("link", name="1", exact=True).click()
    expect(page.locator(".parameters")).to_contain_text("Parameters: ilc (alpha 0); 4 epochs")
    live = page.locator("#run-live")
    expect(live).to_contain_text(re.compile(r"\d of 6 LOSO folds trained"))
    expect(live.locator(".status")).to_have_text("Status: succeeded", timeout=180_000)
    expect(page.get_by_role("link", name="Open the projection review")).to_be_visible()
    page.get_by_role("link", name="← Runs").click()
    expect(row.locator(".status")).to_have_text("succeeded")
    expect(row.locator("progress")).to_have_attribute("value", "100")

    row.get_by_role("link", name="Projection").click()
    page.wait_for_selector("body[data-projection-ready]")
    # Three classes, the review states of the proposals with their counts, then the final
    # model's high loss, each named for what it is.
    legend = page.locator("#projection .legendtext")
    expect(legend).to_have_text(
        [
            "negative",
            "positive",
            "surprise",
            re.compile(r"relabel pending \(\d+\)"),
            "relabel accepted (0)",
            "relabel rejected (0)",
            "high loss of the final model",
        ]
    )
    hover_first_point(page)
    expect(page.locator(".hover-card img")).to_be_visible()
    expect(page.locator(".hover-card .probabilities")).to_contain_text(
        re.compile(r"negative \d\.\d\d, positive \d\.\d\d, surprise \d\.\d\d")
    )
    lasso_everything(page)
    expect(page.locator("#selection h2")).to_contain_text("18 selected")
    screenshot(page, "projection")

    # One proposal accepted on its own: the list keeps the label it replaced, the plot's
    # legend and the counts follow; then the decision is taken back.
    first = page.locator("#selection li", has=page.locator(".review.pending")).first
    sample = first.get_attribute("data-sample")
    given = first.locator(".labels").inner_text().split("→")[0].strip()
    first.get_by_role("button", name="Accept").click()
    expect(page.locator("#toast")).to_contain_text("Accepted 1 relabel into label version 2")
    item = page.locator(f'#selection li[data-sample="{sample}"]')
    expect(item.locator(".review")).to_have_text("accepted")
    expect(item.locator(".labels")).to_contain_text(f"{given} →")
    expect(item.locator(".probabilities")).to_contain_text("flag rate")
    expect(page.locator("#review-counts")).to_contain_text("1 accepted")
    expect(legend.nth(4)).to_have_text("relabel accepted (1)")
    item.get_by_role("button", name="Undo").click()
    # Decisions of one sitting join one label version.
    expect(page.locator("#toast")).to_contain_text("labels restored in version 2")
    expect(item.locator(".review")).to_have_text("pending")
    expect(page.locator("#review-counts")).to_contain_text("0 accepted")

    page.get_by_role("button", name=re.compile(r"Accept \d+ relabels?$")).click()
    expect(page.locator("#toast")).to_contain_text("into label version 2")
    versions = page.request.get("/api/datasets/1/label-versions").json()
    assert len(versions) == 2 and versions[-1]["current"] and versions[-1]["open"]
    assert "proposed by run 1" in versions[-1]["reason"]
    expect(page.locator("#selection .review.accepted").first).to_be_visible()
    screenshot(page, "projection-reviewed")

    # A bulk mark that would replace the expert's own marks asks first, and can be undone.
    page.get_by_role("button", name="Mark clean").click()
    expect(page.locator("#toast")).to_have_text("Marked 18 samples clean")
    expect(page.locator("#selection li .verdicts").first).to_contain_text("curator: clean")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Mark noisy").click()
    expect(page.locator("#toast")).to_have_text("Nothing was marked")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Mark noisy").click()
    expect(page.locator("#toast")).to_have_text("Marked 18 samples noisy")
    page.get_by_role("button", name="Undo marks").click()
    expect(page.locator("#toast")).to_have_text("Undid the marks on 18 samples")
    marks = page.request.get("/api/datasets/1/samples", params={"limit": 50}).json()["items"]
    assert {s["my_mark"]["verdict"] for s in marks} == {"clean"}

    # A curator relabels the selection directly: asked first, asked again over the clean
    # verdicts just given; the decision joins the sitting's version, and is undone.
    with every_dialog_accepted(page) as questions:
        relabel = page.locator("#selection form.relabel")
        relabel.get_by_label("Relabel to").select_option("surprise")
        relabel.locator("input[name=relabel-reason]").fill("the whole cluster moves like surprise")
        relabel.get_by_role("button", name="Relabel", exact=True).click()
        expect(page.locator("#toast")).to_contain_text(
            re.compile(r"Relabelled \d+ samples? surprise in label version 2")
        )
        assert questions[0] == "Relabel 18 samples surprise?"
        assert "clean by curator" in questions[1]
        relabel.get_by_role("button", name="Undo relabel").click()
        expect(page.locator("#toast")).to_contain_text("Undone:")
    # The conflicts asked about, and the plan refused while IDC had no clean set.
    page.errors[:] = [e for e in page.errors if "409" not in e and "422" not in e]

    # A sample opened from the list comes back to the same selection; its page steps
    # through the selection.
    page.locator("#selection li a").first.click()
    expect(page.locator(".stepper")).to_contain_text("1 of 18")
    page.get_by_role("link", name="← Projection").click()
    page.wait_for_selector("body[data-projection-ready]")
    expect(page.locator("#selection h2")).to_contain_text("18 selected")

    # Opened by its address, the screen loads Plotly.js from index.html and draws again.
    page.reload()
    page.wait_for_selector("body[data-projection-ready]")
    expect(page.locator("#projection .legendtext")).to_have_count(7)
    expect(page.locator("#projection .gl-canvas-context")).to_have_count(1)
    expect(page.locator("#no-webgl")).to_be_hidden()

    # A browser without WebGL (some VMs and remote desktops) gets the points drawn as SVG.
    page.add_init_script(
        "const getContext = HTMLCanvasElement.prototype.getContext;"
        "HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {"
        "  return kind.startsWith('webgl') || kind === 'experimental-webgl'"
        "    ? null : getContext.call(this, kind, ...rest); };"
    )
    page.reload()
    page.wait_for_selector("body[data-projection-ready]")
    expect(page.locator("#no-webgl")).to_be_visible()
    # The high-loss crosses are the first trace, drawn under the points.
    flagged = page.evaluate("document.getElementById('projection').data[0].x.length")
    expect(page.locator("#projection .scatterlayer .point")).to_have_count(18 + flagged)
    hover_first_point(page)
    expect(page.locator(".hover-card .probabilities")).to_be_visible()


def test_a_curator_compares_two_runs_and_reads_whether_their_difference_is_real(page):
    sign_in(page, "curator", "/#/runs")
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "meclean_csrf")
    for method in ("baseline", "ltm"):
        launched = page.request.post(
            "/api/datasets/1/runs",
            data={"method": method, "epochs": 2, "seeds": 2, "tasks_per_seed": 1},
            headers={"X-CSRF-Token": csrf},
        )
        assert launched.status == 201, launched.text()
    # The second run's projection, asked for before it has finished, waits for it live.
    page.goto("/#/runs/2/projection")
    expect(page.locator("#projection-wait")).to_contain_text(
        re.compile(r"Run 2 is (queued|running)")
    )
    page.wait_for_selector("body[data-projection-ready='2']", timeout=240_000)
    page.goto("/#/runs")
    runs = page.locator("#runs tbody tr")
    for row in (runs.nth(0), runs.nth(1)):
        expect(row.locator(".status")).to_have_text("succeeded", timeout=180_000)

    page.get_by_label("compare run 1").check()
    page.get_by_label("compare run 2").check()

    table = page.locator("#comparison table.compare")
    expect(table.locator("th").last).to_have_text("Composite UF1 vs run 1")
    expect(table.locator("tr[data-run='1'] td").last).to_have_text("reference")
    expect(table.locator("tr[data-run='2'] .difference")).to_have_text(
        re.compile(
            r"[+-]\d\.\d{4} \[[+-]\d\.\d{4}, [+-]\d\.\d{4}\], p = \d\.\d{3} over 2 seeds: "
            r"(real|within noise)"
        )
    )
    # Two finished runs are also compared sample by sample.
    changes = page.locator("#sample-changes")
    expect(changes).to_contain_text("Run 1 → run 2, sample by sample")
    expect(changes).to_contain_text(re.compile(r"Of 18 samples: \d+ changed prediction"))
    subjects = page.locator("#compare-subjects")
    subjects.locator("summary").click()
    expect(subjects.locator("tr")).to_have_count(7)  # 6 subjects and a header
    expect(subjects.locator("th").nth(2)).to_have_text("Run 2")
    screenshot(page, "comparison")

    # A run's page sets its flags against the experts' verdicts (none yet) and by group.
    page.goto("/#/runs/2")
    flags = page.locator("#flags")
    expect(flags).to_contain_text("of 0 judged samples, the experts call 0 noisy")
    expect(flags.locator(".group-flags").first).to_contain_text("negative")


def test_an_annotator_has_no_launch_form_and_the_api_refuses_the_launch(page):
    sign_in(page, "annotator")
    page.get_by_role("link", name="Runs").click()
    expect(page.get_by_role("heading", name="Runs")).to_be_visible()
    expect(page.locator("#launch-form")).to_have_count(0)

    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "meclean_csrf")
    response = page.request.post(
        "/api/datasets/1/runs", data={"method": "ilc"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status == 403


def test_a_mark_that_fails_to_save_stays_visible_and_is_retried(page):
    sign_in(page, "annotator")
    failed = []

    def fail_once(route):
        if failed:
            route.continue_()
        else:
            failed.append(route.request.url)
            route.fulfill(status=503, content_type="application/json", body='{"detail": "busy"}')

    page.route("**/api/samples/*/mark", fail_once)
    first = page.locator(".card").first
    first.wait_for()

    page.keyboard.press("n")

    expect(page.locator("#toast")).to_contain_text("retrying")
    expect(page.locator(".card.unsaved")).to_have_count(1)
    expect(page.locator(".card.unsaved")).to_have_count(0, timeout=10_000)
    expect(page.locator("#my-progress")).to_contain_text("Me: 1 / 18")
    page.reload()
    expect(first.locator(".badge.mine")).to_have_text("noisy")
    page.errors[:] = [e for e in page.errors if "503" not in e]  # the failure staged here


def test_a_curator_follows_the_flow_being_computed_stops_and_resumes_it(page):
    # On the runs screen, where no render computes a flow beside the job.
    sign_in(page, "curator", "/#/runs")
    csrf = {
        "X-CSRF-Token": next(
            c["value"] for c in page.context.cookies() if c["name"] == "meclean_csrf"
        )
    }
    # Started and stopped at once (18 flows take seconds), so the screen opens on a stopped job.
    assert page.request.post("/api/datasets/1/features", headers=csrf).ok
    assert page.request.post("/api/datasets/1/features/cancel", headers=csrf).ok

    page.reload()
    status = page.locator("#features-status")
    expect(status).to_contain_text(re.compile(r"Flow cancelled at \d+ / 18"))
    status.get_by_role("button", name="Resume").click()
    expect(status).to_contain_text(re.compile(r"Computing flow\s+\d+ / 18"))
    status.get_by_role("button", name="Stop").click()
    expect(status).to_contain_text(re.compile(r"Flow cancelled at \d+ / 18"))
    status.get_by_role("button", name="Resume").click()
    expect(status.locator("progress")).to_be_visible()
    expect(status).to_have_text("", timeout=60_000)


def test_class_means_wait_for_the_flow_with_progress_and_then_appear(page):
    # The tiny dataset was stored as before imports queued a features job: no flow, and
    # no job. Reading the screen queues nothing; a curator starts the job from it.
    sign_in(page, "annotator", "/#/class-means")
    expect(page.locator(".image-error").first).to_contain_text("lack their flow")
    expect(page.locator("#compute-flow")).to_contain_text("a curator starts it")
    page.get_by_role("button", name="Log out").click()
    sign_in(page, "curator", "/#/class-means")
    page.get_by_role("button", name="Compute the flow").click()

    expect(page.locator("#features-status")).to_contain_text("Computing flow")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.side-by-side img')]
                   .filter((img) => img.complete && img.naturalWidth > 0).length === 2""",
        timeout=60_000,
    )
    expect(page.locator(".image-error")).to_have_count(0)
    expect(page.locator("#features-status")).to_have_text("")
    page.errors[:] = [e for e in page.errors if "409" not in e]  # the refusals staged here


def test_filters_and_class_mean_groups_follow_the_datasets_the_api_reports(page, tmp_path):
    """A dataset of other sources (a lab's manifest) gets its own filter and group choices."""
    frames = sorted((tmp_path / "data" / "composite" / "SAMM").glob("*/*/"))[:2]
    rows = [["dataset", "subject", "label", "onset", "apex"]]
    for i, folder in enumerate(frames):
        images = sorted(folder.glob("*.jpg"))
        rows.append(["lab-a" if i else "lab-b", f"p{i}", "positive", images[0], images[-1]])
    manifest = write_csv(tmp_path / "lab.csv", rows)
    report = read_dataset("manifest", manifest)
    # Its flow computed beforehand, as a finished features job would leave it.
    compute_features(report.samples, FlowSettings(), FeatureStore(tmp_path / "data" / "features"))
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'meclean.db'}")
    with transaction(session_factory(engine)) as session:
        store_import(session, "lab", "manifest", manifest, report)
    engine.dispose()

    sign_in(page, "annotator")
    renders_loaded(page, 18)  # the tiny dataset's flow, for its class means further on
    page.locator("#dataset-picker").select_option(label="lab")

    sources = page.get_by_role("combobox").filter(has_text="All datasets").locator("option")
    expect(sources).to_have_text(["All datasets", "lab-a", "lab-b"])
    page.get_by_role("link", name="Class means").click()
    groups = page.locator("select[name=group] option")
    expect(groups).to_have_text(["Composite", "lab-a", "lab-b"])
    page.locator("#dataset-picker").select_option(label="tiny")
    expect(groups).to_have_text(["Composite", "CASME II", "SAMM", "SMIC-HS"])


def test_a_screen_still_loading_when_the_expert_moves_on_does_not_draw_over_the_next(page):
    sign_in(page, "admin", "/#/labels")
    held = []
    runs_list = re.compile(r"/api/runs\?dataset_id=")
    page.route(runs_list, lambda route: held.append(route))  # held: the runs screen waits
    with page.expect_request(runs_list):
        page.get_by_role("link", name="Runs").click()
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("form", name="Add an expert")).to_be_visible()
    assert len(held) == 1

    # The runs screen gets its list now and draws (its launch form asks for a plan as it is).
    with page.expect_request(re.compile(r"/api/datasets/\d+/runs/plan")):
        held[0].continue_()
    expect(page.get_by_role("form", name="Add an expert")).to_be_visible()
    expect(page.locator("#view h1")).to_have_text("Users")


def test_keys_pressed_after_leaving_a_sample_page_still_loading_mark_only_the_screen_shown(page):
    sign_in(page, "annotator")
    renders_loaded(page, 18)  # every flow computed: the sample page's class means draw
    held = []
    clip = re.compile(r"/api/samples/12/clip$")
    page.route(clip, lambda route: held.append(route))  # the sample page waits for its clip
    with page.expect_request(clip):
        page.goto("/#/sample/12")
    page.get_by_role("link", name="Samples").click()
    expect(page.locator(".card")).to_have_count(18)
    marked = []
    page.on("request", lambda r: marked.append(r.url) if r.url.endswith("/mark") else None)

    with page.expect_response(lambda r: r.url.endswith("/mark") and "/samples/12/" not in r.url):
        page.keyboard.press("n")  # the grid's sample; marks are saved in order
    held[0].continue_()

    assert len(marked) == 1 and "/samples/12/" not in marked[0]
    page.keyboard.press("?")
    expect(page.locator("#help-keys")).to_contain_text("row above / below")


def test_an_admin_adds_an_expert_who_chooses_their_own_password_at_first_sign_in(page):
    sign_in(page, "admin", "/#/runs")  # a screen without renders in flight at logout
    page.get_by_role("link", name="Users").click()
    adding = page.get_by_role("form", name="Add an expert")
    adding.get_by_label("Name").fill("dana")
    adding.get_by_label("Role").select_option("annotator")
    adding.get_by_role("button", name="Add").click()
    expect(page.locator("#users tr[data-user=dana]")).to_contain_text("active")
    generated = page.locator("#one-time-password code").inner_text()
    # Forgotten at once: the admin resets it, and only the new one-time password works.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#users tr[data-user=dana]").get_by_role("button", name="Reset password").click()
    expect(page.locator("#one-time-password code")).not_to_have_text(generated)
    generated = page.locator("#one-time-password code").inner_text()
    page.get_by_role("button", name="Log out").click()
    page.locator("form.login").wait_for()

    page.get_by_label("Name").fill("dana")
    page.get_by_label("Password").fill(generated)
    page.get_by_role("button", name="Sign in").click()
    form = page.get_by_role("form", name="Choose your password")
    form.get_by_label("Generated password").fill(generated)
    form.get_by_label("New password", exact=True).fill("dana's own words")
    form.get_by_label("New password again").fill("dana's own words")
    form.get_by_role("button", name="Save and continue").click()

    expect(page.locator("#whoami")).to_have_text("dana (annotator)")
    expect(page.locator("#topbar")).to_be_visible()
    expect(page.get_by_role("link", name="Users")).to_be_hidden()
    # Later, from the account screen.
    page.locator("#whoami").click()
    account = page.get_by_role("form", name="Change my password")
    account.get_by_label("Current password").fill("dana's own words")
    account.get_by_label("New password", exact=True).fill("dana's newer words")
    account.get_by_label("New password again").fill("dana's newer words")
    account.get_by_role("button", name="Change password").click()
    expect(page.locator("#toast")).to_have_text("Password changed")


def test_a_curator_reads_who_changed_which_labels_and_downloads_the_versions(page):
    sign_in(page, "curator", "/#/runs")
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "meclean_csrf")
    sample = page.request.get("/api/samples/3").json()
    relabel = "surprise" if sample["label"] != "surprise" else "positive"
    page.request.post(
        "/api/datasets/1/label-versions",
        data={"reason": "expert review of EP", "changes": {"3": relabel}},
        headers={"X-CSRF-Token": csrf},
    )

    page.get_by_role("link", name="Labels").click()

    rows = page.locator("#versions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("(current)")
    expect(rows.first).to_contain_text("expert review of EP")
    expect(page.locator("#version-diff h2")).to_have_text("1 label differs between v1 and v2")
    change = page.locator("#version-diff li[data-sample='3']")
    expect(change).to_contain_text(f"{sample['name']} {sample['label']} → {relabel}")
    with page.expect_download() as download:
        rows.first.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "tiny-labels-v2.csv"
    with page.expect_download() as grades:
        page.locator("#grades-download").click()
    assert grades.value.suggested_filename == "tiny-idc-grades-all-majority.csv"
    # Class means of the two versions side by side, and their difference.
    page.get_by_role("link", name="Class means").click()
    figures = page.locator(".side-by-side figure")
    expect(figures).to_have_count(3)
    expect(figures.nth(2)).to_contain_text("Difference: version 2 minus version 1")
    # The tiny dataset was stored without a features job: its flow is computed on asking.
    page.get_by_role("button", name="Compute the flow").click()
    loaded = "[...document.querySelectorAll('.side-by-side img')]"
    drawn = f"{loaded}.length === 3 && {loaded}.every((i) => i.complete && i.naturalWidth)"
    page.wait_for_function(drawn, timeout=120_000)
    screenshot(page, "class-means-difference")
    # Asked for before and while the dataset's flow was computed: retried until drawn.
    page.errors[:] = [e for e in page.errors if "409" not in e]


def test_the_api_documentation_works_offline_for_a_signed_in_expert(page):
    sign_in(page, "annotator", "/#/runs")

    page.goto("/docs")

    expect(page.locator(".opblock-summary-path[data-path='/api/runs/compare']")).to_be_visible()
