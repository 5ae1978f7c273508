"""Browser timings with 10,000 samples: first grid paint and projection plot ready.

Run: `.venv/bin/python benchmarks/ui.py --data-dir /tmp/meclean-10k` (the first time
about 35 minutes on 2 cores: it prepares the 10k dataset of `tenk.py` with a real 1-epoch
ILC run for the projection; later runs with the same --data-dir reuse it). Then it starts
`meclean serve` and loads each screen in headless Chromium (Debian's package), --repeats
times, each in a fresh browser context (empty cache, signed in) after one warm-up load
that fills the server's render cache, and prints medians. Baseline in the same run: a
static page of 60 <img> cards with the same renders, i.e. what the browser needs without
meclean's API and script; and Plotly.js alone loading and drawing 10,000 random points in
scattergl, the floor of the projection screen.
Targets: grid < 1.5 s, projection < 2 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright
from tenk import CURATOR, PASSWORD, prepare, serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def signed_in_context(browser, base: str, cookies: list[dict]):
    """A browser with an empty cache, already signed in."""
    context = browser.new_context(viewport={"width": 1366, "height": 800}, base_url=base)
    context.add_cookies(cookies)
    return context


def timed_loads(browser, base: str, cookies: list[dict], repeats: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {
        "grid": [],
        "projection": [],
        "baseline": [],
        "plotly baseline": [],
        "projection, return visit": [],
    }
    for _ in range(repeats):
        for name, screen, ready in (
            ("grid", "/#/samples", _grid_painted),
            ("projection", "/#/runs/1/projection", _projection_ready),
        ):
            context = signed_in_context(browser, base, cookies)
            page = context.new_page()
            start = time.perf_counter()
            page.goto(screen)
            ready(page)
            times[name].append(time.perf_counter() - start)
            if name == "grid":
                ids = page.eval_on_selector_all(".card", "cards => cards.map(c => c.dataset.id)")
            context.close()
        context = signed_in_context(browser, base, cookies)
        page = context.new_page()
        cards = "".join(
            f'<img src="/api/samples/{i}/render/triptych?size=150" height=120>' for i in ids
        )
        start = time.perf_counter()
        page.goto("/api/health")
        page.set_content(f"<!doctype html><body>{cards}</body>")
        page.wait_for_function("[...document.images].every(i => i.complete)")
        times["baseline"].append(time.perf_counter() - start)
        context.close()
        context = signed_in_context(browser, base, cookies)
        page = context.new_page()
        page.goto("/api/health")
        times["plotly baseline"].append(page.evaluate(PLOTLY_ALONE) / 1000)
        context.close()
        # An expert who opened the projection before: Chromium keeps Plotly.js in its HTTP
        # cache and, from the third load on, its compiled code (V8's code cache).
        context = signed_in_context(browser, base, cookies)
        page = context.new_page()
        for _ in range(3):
            page.goto("/api/health")
            start = time.perf_counter()
            page.goto("/#/runs/1/projection")
            _projection_ready(page)
        times["projection, return visit"].append(time.perf_counter() - start)
        context.close()
    return times


PLOTLY_ALONE = """async () => {
  const start = performance.now();
  await new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = "/vendor/plotly.min.js";
    script.onload = resolve;
    document.head.append(script);
  });
  const div = document.createElement("div");
  div.style.cssText = "width: 1000px; height: 560px";
  document.body.append(div);
  const traces = [0, 1, 2].map(() => {
    const x = Array.from({ length: 3381 }, Math.random);
    return { type: "scattergl", mode: "markers", x, y: x.map(Math.random) };
  });
  await Plotly.newPlot(div, traces, { dragmode: "lasso" });
  return performance.now() - start;
}"""


def _projection_ready(page) -> None:
    page.wait_for_selector("body[data-projection-ready]")


def _grid_painted(page) -> None:
    """The first page of cards is in the document and their visible images have loaded."""
    page.locator(".card").nth(59).wait_for()
    page.wait_for_function(
        """[...document.querySelectorAll('.card img')].filter(i => {
             const r = i.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0;
           }).every(i => i.complete && i.naturalWidth > 0)"""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/meclean-10k"))
    parser.add_argument("--scale", type=int, default=23)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    prepare(args.data_dir, args.scale, with_run=True)
    with serve(args.data_dir, MECLEAN_INPROCESS_WORKER="0") as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        login = httpx.post(f"{base}/api/login", json={"name": CURATOR, "password": PASSWORD})
        cookies = [{"name": k, "value": v, "url": base} for k, v in login.cookies.items()]
        timed_loads(browser, base, cookies, 1)  # renders land in the disk cache
        times = timed_loads(browser, base, cookies, args.repeats)
        browser.close()
    grid, projection = statistics.median(times["grid"]), statistics.median(times["projection"])
    baseline = statistics.median(times["baseline"])
    plotly_alone = statistics.median(times["plotly baseline"])
    print(f"10k-sample dataset, medians of {args.repeats} loads in headless Chromium")
    print(f"first grid paint (60 cards, images loaded): {grid:.2f} s (target < 1.5 s)")
    print(f"projection plot ready:                      {projection:.2f} s (target < 2 s)")
    print(f"baseline, the same 60 images on a bare page: {baseline:.2f} s")
    print(f"grid / baseline: {grid / baseline:.2f}")
    print(f"baseline, Plotly.js alone loading and plotting 10k random points: {plotly_alone:.2f} s")
    print(f"projection / Plotly alone: {projection / plotly_alone:.2f}")
    returning = statistics.median(times["projection, return visit"])
    print(f"projection plot ready, third visit in the same browser: {returning:.2f} s")


if __name__ == "__main__":
    main()
