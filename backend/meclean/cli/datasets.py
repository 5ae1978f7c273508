"""Dataset commands: synth, import, features, demo."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import cv2
import numpy as np
import typer

from meclean.cli.common import (
    LayoutOption,
    WorkersOption,
    WorkingSizeOption,
    app,
    console,
    print_report,
    progress_bar,
    read_or_exit,
    upgraded_sessions,
    with_import_options,
    working_size,
)
from meclean.data.feature_store import FeatureStore
from meclean.data.features import FeatureResult, class_means, compute_features
from meclean.data.flow import FlowMethod, FlowSettings
from meclean.data.readers import ImportOptions, Layout, read_dataset
from meclean.data.records import ImportReport, SampleRecord
from meclean.data.render import class_mean_sheet
from meclean.data.synth.generator import generate
from meclean.data.synth.layouts import ROSTER
from meclean.data.synth.plan import NoiseRates, SynthConfig
from meclean.db.datasets import DatasetExists, store_import
from meclean.jobs.features import launch_features
from meclean.jobs.queue import Jobs
from meclean.jobs.runs import queued_parts
from meclean.services.launch import launch_run
from meclean.services.run_plans import RunRequest
from meclean.settings import get_settings

DEMO_NAME = "MEGC2019 synthetic demo"


@app.command()
def synth(
    out: Annotated[Path, typer.Argument(help="Folder to write the dataset into.")],
    seed: int = 0,
    flipped: Annotated[float, typer.Option(min=0, max=1, help="Share of flipped labels.")] = 0.10,
    ambiguous: Annotated[
        float, typer.Option(min=0, max=1, help="Share of mixed movements.")
    ] = 0.10,
    weak: Annotated[float, typer.Option(min=0, max=1, help="Share of motion-poor samples.")] = 0.05,
    subjects: Annotated[int | None, typer.Option(min=1, help="Keep only N subjects.")] = None,
    samples_per_subject: Annotated[int | None, typer.Option(min=1)] = None,
    scale: Annotated[int, typer.Option(min=1, max=24, help="Repeat the roster K times.")] = 1,
    workers: WorkersOption = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an earlier synthetic dataset.")] = False,
) -> None:
    """Write a synthetic MEGC2019 stand-in (CASME II, SAMM and SMIC-HS layouts)."""
    try:
        config = SynthConfig(
            seed=seed,
            noise=NoiseRates(flipped, ambiguous, weak),
            subjects=subjects,
            samples_per_subject=samples_per_subject,
            scale=scale,
        )
        with progress_bar("Rendering clips") as update:
            summary = generate(out, config, workers or get_settings().workers, overwrite, update)
    except (ValueError, FileExistsError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    noise = ", ".join(f"{k} {v}" for k, v in sorted(summary.noise.items()))
    console.print(f"Wrote {summary.samples} samples to {out} ({noise}).")
    console.print(
        f"Roster: {summary.roster}; ground truth (never imported): {summary.ground_truth}"
    )


@app.command("import")
@with_import_options
def import_(
    path: Annotated[Path, typer.Argument(help="Dataset folder, or a manifest CSV.")],
    options: ImportOptions,
    layout: LayoutOption = "megc2019",
    save: Annotated[
        str | None, typer.Option(help="Store the samples in the database under this name.")
    ] = None,
) -> None:
    """Read a dataset, report what is imported and what is skipped (and why); --save stores it."""
    report = read_or_exit(
        layout,
        path,
        options,
    )
    print_report(report)
    if save:
        _store(save, layout, path, report)


def _store(name: str, layout: Layout, path: Path, report: ImportReport) -> None:
    """Store the samples and, as an import through the app does, queue their flow."""
    engine, sessions = upgraded_sessions()
    try:
        with Jobs(get_settings(), sessions=sessions).committing() as (session, outbox):
            dataset = store_import(session, name, layout, path.resolve(), report)
            job = launch_features(session, dataset.id, None)
            assert job is not None  # a dataset stored just now has no features job yet
            outbox.features_jobs.append(job.id)
            console.print(
                f"Stored {len(report.samples)} samples as dataset {dataset.name!r} "
                f"(label version {dataset.current_label_version_id})."
            )
    except DatasetExists as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print(
        f"Queued features job {job.id} for their flow: `meclean serve` or `meclean worker` "
        "computes it (or `meclean features` with the same arguments, here and now)."
    )


@app.command()
@with_import_options
def features(
    path: Annotated[Path, typer.Argument(help="Dataset folder, or a manifest CSV.")],
    options: ImportOptions,
    layout: LayoutOption = "megc2019",
    method: Annotated[FlowMethod, typer.Option(help="Optical-flow method.")] = "tvl1",
    size: Annotated[int, typer.Option(min=8, max=512, help="Output side in pixels.")] = 60,
    working: WorkingSizeOption = "170x140",
    workers: WorkersOption = None,
    class_means_png: Annotated[
        Path | None, typer.Option("--class-means", help="Write the class-mean images here.")
    ] = None,
) -> None:
    """Compute onset-to-apex flow and strain for every sample (cached, resumable)."""
    report = read_or_exit(
        layout,
        path,
        options,
    )
    results, store = features_with_progress(
        report.samples,
        FlowSettings(method=method, size=size, working_size=working_size(working)),
        workers,
    )
    if class_means_png:
        _write_class_means(report, results, store, class_means_png)


def features_with_progress(
    samples: list[SampleRecord], flow: FlowSettings, workers: int | None
) -> tuple[list[FeatureResult], FeatureStore]:
    """Compute (or find cached) features with a progress bar, and say how it went."""
    settings = get_settings()
    store = FeatureStore(settings.feature_dir)
    try:
        with progress_bar(f"Optical flow ({flow.method})") as update:
            results = compute_features(samples, flow, store, workers or settings.workers, update)
    except KeyboardInterrupt:
        console.print("Interrupted: finished features are kept; run again to resume.")
        raise typer.Exit(130) from None
    _print_feature_summary(results, store)
    return results, store


def _print_feature_summary(results: list[FeatureResult], store: FeatureStore) -> None:
    cached = sum(r.cached for r in results)
    failed = [r for r in results if r.error]
    computed = len(results) - cached - len(failed)
    console.print(
        f"Features: {computed} computed, {cached} from cache, {len(failed)} failed "
        f"(stored under {store.root})."
    )
    for r in failed:
        console.print(f"  [red]{r.sample_id}[/red]: {r.error}", highlight=False)


def _write_class_means(
    report: ImportReport, results: list[FeatureResult], store: FeatureStore, out: Path
) -> None:
    ok = [(s, r) for s, r in zip(report.samples, results, strict=True) if r.key]
    stack = np.stack([store.load(r.key) for _, r in ok if r.key])
    means = class_means(stack, [s.label for s, _ in ok], [s.dataset for s, _ in ok])
    out.parent.mkdir(parents=True, exist_ok=True)
    sheets = [class_mean_sheet(group) for group in means.values()]
    height = max(s.shape[0] for s in sheets)
    padded = [np.pad(s, ((0, height - s.shape[0]), (0, 8), (0, 0))) for s in sheets]
    cv2.imwrite(str(out), np.hstack(padded))
    console.print(f"Class means ({', '.join(means)}, left to right): {out}")


DEMO_RUN = RunRequest(method="ilc", epochs=10, tasks_per_seed=2)
"""Short enough that the projection screen has content a few minutes after `make run`."""


@app.command()
def demo(
    workers: WorkersOption = None,
) -> None:
    """Generate the synthetic demo dataset, compute its features and store it."""
    settings = get_settings()
    settings.create_data_dir()
    root = settings.demo_dir
    if not (root / ROSTER).exists():
        synth(root, workers=workers, overwrite=True)
    else:
        console.print(f"Demo dataset already at {root}.")
    features(
        root,
        layout="megc2019",
        roster=root / ROSTER,
        workers=workers,
        class_means_png=settings.data_dir / "renders" / "class-means.png",
    )
    report = read_dataset("megc2019", root, ImportOptions(roster=root / ROSTER))
    engine, sessions = upgraded_sessions()
    try:
        with Jobs(settings, sessions=sessions).committing() as (session, outbox):
            dataset = store_import(session, DEMO_NAME, "megc2019", root, report)
            run = launch_run(session, dataset, DEMO_RUN, None)
            outbox.parts.extend(queued_parts(run))
        console.print(
            f"Stored the demo as dataset {DEMO_NAME!r} and queued run {run.id} "
            f"({DEMO_RUN.method}, {DEMO_RUN.epochs} epochs): `meclean serve` trains it."
        )
    except DatasetExists:
        console.print(f"Dataset {DEMO_NAME!r} already stored.")
    finally:
        engine.dispose()
    counts = Counter(s.label for s in report.samples)
    console.print(f"Demo ready: {sum(counts.values())} samples ({dict(counts)}).")
    if report.corrections:
        console.print(
            f"{len(report.corrections)} known sheet errors, written into the stand-in's sheets as "
            f"in the real releases, were corrected (`meclean import {root}` lists them)."
        )
