"""Helpers for the browser tests: the test users' password, signing in, screenshots."""

from pathlib import Path

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
