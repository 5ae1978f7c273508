"""Browser timings with 10,000 samples: first grid paint and projection plot ready.

Run: `.venv/bin/python benchmarks/ui.py --data-dir /tmp/meclean-ui-bench` (the first time
about 35 minutes on 2 cores: it generates the synthetic roster 23 times over, computes its
TV-L1 features, trains a real 1-epoch ILC run through the queue for the projection, with
the copies of each subject grouped into the roster's 68 subjects (see `grouped_manifest`);
later runs with the same --data-dir reuse all of it). Then it starts `meclean serve` and loads
each screen in headless Chromium (Debian's package), --repeats times, each in a fresh
browser context (empty cache, signed in) after one warm-up load that fills the server's
render cache, and prints medians. Baseline in the same run: a static page of 60 <img> cards with
the same renders, i.e. what the browser needs without meclean's API and script; and
Plotly.js alone loading and drawing 10,000 random points in scattergl, the floor of the
projection screen.
Targets: grid < 1.5 s, projection < 2 s.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from meclean.data.feature_store import FeatureStore
from meclean.data.features import compute_features
from meclean.data.flow import FlowSettings
from meclean.data.readers import read_dataset
from meclean.data.synth.generator import generate
from meclean.data.synth.plan import SynthConfig
from meclean.db.datasets import store_import
from meclean.db.migrations import upgrade
from meclean.db.models import Run
from meclean.db.session import make_engine, session_factory, transaction
from meclean.db.users import create_user
from meclean.jobs.queue import Jobs
from meclean.jobs.runs import RunRequest, launch_run, queued_parts
from meclean.settings import Settings

PASSWORD = "benchmark password"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def grouped_manifest(root: Path, groups: int) -> Path:
    """The scaled roster as a manifest whose copies of a subject share one subject id.

    The roster scaled 23 times has 1,564 subjects, and LOSO over them (1,564 folds of
    10,000 samples) takes hours here; grouped back into the roster's 68 subjects, each
    with about 150 samples, one epoch takes minutes. Frames and labels are unchanged.
    """
    report = read_dataset("megc2019", root, roster=root / "roster.csv")
    by_dataset: dict[str, list[str]] = {}
    for s in report.samples:
        subjects = by_dataset.setdefault(s.dataset, [])
        if s.subject not in subjects:
            subjects.append(s.subject)
    per_dataset = {d: max(1, round(len(v) * groups / 1564)) for d, v in by_dataset.items()}
    manifest = root / "grouped.csv"
    with manifest.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["dataset", "subject", "name", "label", "emotion", "onset", "apex"])
        for s in report.samples:
            group = by_dataset[s.dataset].index(s.subject) % per_dataset[s.dataset]
            writer.writerow(
                [
                    s.dataset,
                    f"{s.dataset}{group:02d}",
                    f"{s.subject}_{s.name}",
                    s.label,
                    s.emotion,
                    s.onset_path.relative_to(root),
                    s.apex_path.relative_to(root),
                ]
            )
    return manifest


def prepare(data_dir: Path, scale: int) -> None:
    """The dataset, its features and one finished run, unless already there."""
    settings = Settings(data_dir=data_dir)
    root = data_dir / "composite"
    if not (root / "roster.csv").exists():
        print(f"generating the roster x{scale} ...", flush=True)
        generate(root, SynthConfig(seed=0, scale=scale), workers=os.cpu_count() or 2)
    url = settings.resolved_database_url()
    upgrade(url)
    sessions = session_factory(make_engine(url))
    with sessions() as session:
        done = session.query(Run).filter(Run.status == "succeeded").count()
    if done:
        return
    report = read_dataset("manifest", grouped_manifest(root, 68))
    print(f"features of {len(report.samples)} samples ...", flush=True)
    compute_features(
        report.samples, FlowSettings(), FeatureStore(settings.feature_dir), os.cpu_count() or 2
    )
    with transaction(sessions) as session:
        dataset = store_import(session, "bench", "manifest", root, report)
        create_user(session, "curator", "curator", PASSWORD)
        run = launch_run(session, dataset, RunRequest(method="ilc", epochs=1), None)
        parts = queued_parts(run)
    print("training a 1-epoch ILC run through the queue ...", flush=True)
    jobs = Jobs(settings)
    jobs.enqueue(parts)
    consumer = jobs.consumer(embedded=True)
    consumer.start()
    while True:
        time.sleep(5)
        with sessions() as session:
            status = session.get(Run, run.id).status
        if status not in ("queued", "running"):
            break
    consumer.stop(graceful=True)
    if status != "succeeded":
        raise SystemExit(f"the run {status}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/meclean-ui-bench"))
    parser.add_argument("--scale", type=int, default=23)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    prepare(args.data_dir, args.scale)
    port = free_port()
    env = {**os.environ, "MECLEAN_DATA_DIR": str(args.data_dir), "MECLEAN_INPROCESS_WORKER": "0"}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("meclean")), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/api/health")
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            login = httpx.post(f"{base}/api/login", json={"name": "curator", "password": PASSWORD})
            cookies = [{"name": k, "value": v, "url": base} for k, v in login.cookies.items()]
            timed_loads(browser, base, cookies, 1)  # renders land in the disk cache
            times = timed_loads(browser, base, cookies, args.repeats)
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
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


if __name__ == "__main__":
    main()
