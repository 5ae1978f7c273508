"""The same journey in Firefox: Debian's Firefox ESR, driven over WebDriver BiDi by Puppeteer.

Playwright's Firefox support needs its own patched build (not downloadable here) or a
Firefox newer than the ESR, so this journey is a Node script (tests/ui/firefox/journey.mjs).
Firefox runs on Xvfb's virtual screen, where Mesa gives it WebGL; headless, it has none.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.ui.helpers import ARTIFACTS, PASSWORD

JOURNEY = Path(__file__).with_name("firefox") / "journey.mjs"
FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")
XVFB_RUN = shutil.which("xvfb-run")


@pytest.fixture
def firefox() -> str:
    if FIREFOX is None or XVFB_RUN is None or not (JOURNEY.parent / "node_modules").exists():
        pytest.skip("Firefox, Xvfb or Puppeteer is missing; `make test` installs them")
    return FIREFOX


def test_an_expert_and_a_curator_get_through_the_app_in_firefox(server, firefox):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [XVFB_RUN, "-a", "node", str(JOURNEY), server, PASSWORD, str(ARTIFACTS), firefox],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every step passed" in result.stdout
