"""The ``meclean`` command line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import cv2
import numpy as np
import typer
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from meclean.data.feature_store import FeatureStore
from meclean.data.features import FeatureResult, class_means, compute_features
from meclean.data.flow import FlowMethod, FlowSettings
from meclean.data.labels import CLASSES
from meclean.data.marks import read_clean_marks
from meclean.data.readers import Layout, read_dataset
from meclean.data.records import ImportReport, SheetError
from meclean.data.render import class_mean_sheet
from meclean.data.synth.generator import generate
from meclean.data.synth.layouts import ROSTER
from meclean.data.synth.plan import NoiseRates, SynthConfig
from meclean.db.datasets import DatasetExists, store_import
from meclean.db.migrations import upgrade
from meclean.db.session import make_engine, session_factory, transaction
from meclean.ml.loso import TrainConfig
from meclean.ml.methods import METHOD_NAMES, make_method
from meclean.ml.model import SSSNetConfig
from meclean.ml.run import RunProgress, RunResult, run_experiment
from meclean.ml.training_data import training_set
from meclean.settings import get_settings

app = typer.Typer(help="Clean the labels of micro-expression datasets.", no_args_is_help=True)
console = Console(soft_wrap=True)

LayoutOption = Annotated[
    Layout, typer.Option("--layout", "-l", help="Folder layout of the dataset.")
]
SheetOption = Annotated[
    Path | None, typer.Option(help="Annotation sheet (.xlsx/.csv), if not found in the folder.")
]
OverridesOption = Annotated[
    Path | None,
    typer.Option(
        help="CSV of corrections: subject, filename and any of onset/apex/offset/emotion."
    ),
]
RosterOption = Annotated[
    Path | None, typer.Option(help="Roster CSV for --layout megc2019 (default: the shipped one).")
]
WorkersOption = Annotated[int | None, typer.Option(min=1, help="Processes (default: settings).")]


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[..., None]]:
    """A bar whose updater takes (done, total) and, optionally, a status text."""
    columns = (
        *Progress.get_default_columns()[:-1],
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=None, status="")

        def update(done: int, total: int, status: str = "") -> None:
            bar.update(task, completed=done, total=total, status=status)

        yield update


def _read(
    layout: Layout, path: Path, sheet: Path | None, overrides: Path | None, roster: Path | None
) -> ImportReport:
    try:
        return read_dataset(layout, path, sheet, overrides, roster)
    except SheetError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


def print_report(report: ImportReport) -> None:
    table = Table(title="Imported samples")
    table.add_column("dataset")
    for label in CLASSES:
        table.add_column(label, justify="right")
    table.add_column("total", justify="right")
    counts = report.counts()
    for dataset in sorted({d for d, _ in counts}):
        row = [counts[(dataset, c)] for c in CLASSES]
        table.add_row(dataset, *map(str, row), str(sum(row)))
    console.print(table)
    if report.excluded:
        excluded = ", ".join(f"{e}: {n}" for e, n in sorted(report.excluded.items()))
        console.print(f"Excluded on purpose: {excluded}")
    for title, issues, colour in (
        ("Skipped", report.skipped, "red"),
        ("Warnings", report.warnings, "yellow"),
    ):
        if issues:
            console.print(f"[{colour}]{title} ({len(issues)}):[/{colour}]")
            for issue in issues:
                console.print(f"  {issue}", highlight=False, markup=False)


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
def import_(
    path: Annotated[Path, typer.Argument(help="Dataset folder, or a manifest CSV.")],
    layout: LayoutOption = "megc2019",
    sheet: SheetOption = None,
    overrides: OverridesOption = None,
    roster: RosterOption = None,
    save: Annotated[
        str | None, typer.Option(help="Store the samples in the database under this name.")
    ] = None,
) -> None:
    """Read a dataset, report what is imported and what is skipped (and why); --save stores it."""
    report = _read(layout, path, sheet, overrides, roster)
    print_report(report)
    if save:
        _store(save, layout, path, report)


def _store(name: str, layout: Layout, path: Path, report: ImportReport) -> None:
    url = get_settings().resolved_database_url()
    get_settings().data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as session:
            dataset = store_import(session, name, layout, path.resolve(), report)
            console.print(
                f"Stored {len(report.samples)} samples as dataset {dataset.name!r} "
                f"(label version {dataset.current_label_version_id})."
            )
    except DatasetExists as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


@app.command("db-upgrade")
def db_upgrade() -> None:
    """Bring the database schema to the newest migration."""
    url = get_settings().resolved_database_url()
    get_settings().data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    console.print(f"Database at the newest schema: {url}")


@app.command()
def features(
    path: Annotated[Path, typer.Argument(help="Dataset folder, or a manifest CSV.")],
    layout: LayoutOption = "megc2019",
    sheet: SheetOption = None,
    overrides: OverridesOption = None,
    roster: RosterOption = None,
    method: Annotated[FlowMethod, typer.Option(help="Optical-flow method.")] = "tvl1",
    size: Annotated[int, typer.Option(min=8, max=512, help="Output side in pixels.")] = 60,
    workers: WorkersOption = None,
    class_means_png: Annotated[
        Path | None, typer.Option("--class-means", help="Write the class-mean images here.")
    ] = None,
) -> None:
    """Compute onset-to-apex flow and strain for every sample (cached, resumable)."""
    report = _read(layout, path, sheet, overrides, roster)
    settings = get_settings()
    flow = FlowSettings(method=method, size=size)
    store = FeatureStore(settings.feature_dir)
    try:
        with progress_bar(f"Optical flow ({method})") as update:
            results = compute_features(
                report.samples, flow, store, workers or settings.workers, update
            )
    except KeyboardInterrupt:
        console.print("Interrupted: finished features are kept; run again to resume.")
        raise typer.Exit(130) from None
    _print_feature_summary(results, store)
    if class_means_png:
        _write_class_means(report, results, store, class_means_png)


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


@app.command()
def train(
    path: Annotated[Path, typer.Argument(help="Dataset folder, or a manifest CSV.")],
    layout: LayoutOption = "megc2019",
    sheet: SheetOption = None,
    overrides: OverridesOption = None,
    roster: RosterOption = None,
    method: Annotated[str, typer.Option(help=f"One of: {', '.join(METHOD_NAMES)}.")] = "ilc",
    alpha: Annotated[float, typer.Option(help="LTM/ILC threshold: mean + alpha * std.")] = 2.5,
    q: Annotated[float | None, typer.Option(help="q-percentile's q (%) or GCE's q.")] = None,
    warmup: Annotated[
        int | None, typer.Option(min=0, help="Warm-up epochs (q-percentile, IDC).")
    ] = None,
    marks: Annotated[
        Path | None, typer.Option(help="Expert marks CSV (subject, filename, grade) for IDC.")
    ] = None,
    epochs: Annotated[int, typer.Option(min=1, max=2000)] = 200,
    seeds: Annotated[int, typer.Option(min=1, max=20, help="Seeds 0..N-1.")] = 1,
    hidden_channels: Annotated[int, typer.Option(help="24 = SSSNet24; 28 as published.")] = 24,
    size: Annotated[int, typer.Option(help="Input side: 60, or 28 as STSTNet.")] = 60,
    flow_method: Annotated[
        FlowMethod, typer.Option("--flow", help="Optical-flow method.")
    ] = "tvl1",
    double_softmax: Annotated[
        bool, typer.Option(help="Reproduce the published double softmax.")
    ] = False,
    device: Annotated[
        str | None, typer.Option(help="cuda, cuda:1 or cpu (default: CUDA if any).")
    ] = None,
    folds_per_step: Annotated[
        int | None, typer.Option(min=1, help="Folds trained side by side.")
    ] = None,
    final: Annotated[
        bool, typer.Option(help="Also train the all-sample model, embed and project.")
    ] = True,
    out: Annotated[
        Path | None, typer.Option(help="Write result.json, arrays.npz, model.pt here.")
    ] = None,
    workers: WorkersOption = None,
) -> None:
    """Train SSSNet with a noisy-label method under LOSO and print UF1/UAR per dataset."""
    try:
        chosen = make_method(method, alpha=alpha, q=q, warmup_epochs=warmup)
        config = TrainConfig(
            epochs=epochs,
            model=SSSNetConfig(hidden_channels=hidden_channels, input_size=size),
            double_softmax=double_softmax,
            device=device,
            folds_per_step=folds_per_step,
        )
        clean = read_clean_marks(marks) if marks else None
        if chosen.needs_marks and clean is None:
            raise ValueError(f"{chosen.name} needs the experts' marks: pass --marks")
    except (ValueError, SheetError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    report = _read(layout, path, sheet, overrides, roster)
    settings = get_settings()
    store = FeatureStore(settings.feature_dir)
    with progress_bar(f"Optical flow ({flow_method})") as update:
        results = compute_features(
            report.samples,
            FlowSettings(method=flow_method, size=size),
            store,
            workers or settings.workers,
            update,
        )
    usable = [(s, r.key) for s, r in zip(report.samples, results, strict=True) if r.key]
    if len(usable) < len(report.samples):
        left_out = len(report.samples) - len(usable)
        console.print(f"[yellow]{left_out} samples without features are left out.[/yellow]")
    try:
        data = training_set([s for s, _ in usable], [k for _, k in usable], store, clean)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    folds = len(set(data.subjects))
    with progress_bar(f"LOSO {chosen.name}, {folds} folds x {epochs} epochs") as update:

        def on_progress(p: RunProgress) -> None:
            if p.training is not None:
                t = p.training
                done = (p.seed_index * folds + t.folds_done) * epochs + t.epoch
                status = f"seed {p.seed_index} fold {t.folds_done + 1} loss {t.loss:.3f}"
                if t.uf1 is not None:
                    status += f" UF1 so far {t.uf1:.3f}"
                update(done, seeds * folds * epochs, status)
            elif p.stage == "final":
                update(seeds * folds * epochs, seeds * folds * epochs, "final model, UMAP")

        try:
            result = run_experiment(data, chosen, config, list(range(seeds)), final, on_progress)
        except KeyboardInterrupt:
            console.print("Interrupted.")
            raise typer.Exit(130) from None
    print_scores(result)
    if out:
        result.write(out)
        console.print(f"Results written to {out}")


def print_scores(result: RunResult) -> None:
    """The shape of the paper's Table 3: UF1 / UAR, composite and per dataset."""
    table = Table(title=f"{result.method['method']}, seeds {result.seeds}")
    table.add_column("")
    for column in ("UF1", "UAR"):
        table.add_column(column, justify="right")
    for group, values in result.summary().items():
        table.add_row(
            group,
            f"{values['uf1_mean']:.4f} ± {values['uf1_std']:.4f}",
            f"{values['uar_mean']:.4f} ± {values['uar_std']:.4f}",
        )
    console.print(table)
    flagged = int((result.flag_rate > 0).sum())
    proposals = int((result.proposed_label >= 0).sum())
    console.print(f"Flagged at least once: {flagged}; relabels proposed: {proposals}")


@app.command()
def demo(
    workers: WorkersOption = None,
) -> None:
    """Generate the synthetic demo dataset, import it and compute its features."""
    settings = get_settings()
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
    counts = Counter(s.label for s in read_dataset("megc2019", root, roster=root / ROSTER).samples)
    console.print(f"Demo ready: {sum(counts.values())} samples ({dict(counts)}).")


if __name__ == "__main__":
    app()
