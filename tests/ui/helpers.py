"""Helpers for the browser tests: the test users' password, signing in, screenshots, a
finished run."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect

PASSWORD = "correct horse battery"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def sign_in(page, name: str, screen: str = "/") -> None:
    """Sign in on the login form that ``screen`` shows first, and land on that screen."""
    page.goto(screen)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#whoami").filter(has_text=name).wait_for()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def launch_and_finish_a_run(page) -> None:
    """Launch a 3-epoch ILC run as the signed-in curator and wait on the runs screen until
    it has finished."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "meclean_csrf")
    launched = page.request.post(
        "/api/datasets/1/runs",
        data={"method": "ilc", "epochs": 3, "tasks_per_seed": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert launched.status == 201, launched.text()
    page.goto("/#/runs")
    expect(page.locator("#runs tbody tr .status").first).to_have_text("succeeded", timeout=240_000)


def measure_the_motion(page) -> None:
    """A curator starts the dataset's features job (flow and motion curves), unless one is
    already at it; the test waits for it to finish."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "meclean_csrf")
    started = page.request.post("/api/datasets/1/features", headers={"X-CSRF-Token": csrf})
    assert started.status in (200, 201, 409), started.text()  # 409: one is computing
    for _ in range(600):  # until the job says it is done: at most five minutes
        job = page.request.get("/api/datasets/1/features").json()
        if job["status"] not in ("queued", "running"):
            break
        page.wait_for_timeout(500)
    assert job["status"] == "succeeded", job


@contextmanager
def every_dialog_accepted(page) -> Iterator[list[str]]:
    """Accept every question the page asks inside the block; yields their texts."""
    questions: list[str] = []

    def answer_yes(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer_yes)
    try:
        yield questions
    finally:
        page.remove_listener("dialog", answer_yes)
