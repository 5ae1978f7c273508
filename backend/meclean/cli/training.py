"""meclean train: LOSO training from the command line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from meclean.cli.common import (
    LayoutOption,
    WorkersOption,
    WorkingSizeOption,
    app,
    console,
    progress_bar,
    read_or_exit,
    with_import_options,
    working_size,
)
from meclean.cli.datasets import features_with_progress
from meclean.data.flow import FlowMethod, FlowSettings
from meclean.data.marks import read_clean_marks
from meclean.data.readers import ImportOptions
from meclean.data.records import SheetError
from meclean.ml.methods import DEFAULT_ALPHA, METHOD_NAMES, make_method
from meclean.ml.protocols import protocol_config
from meclean.ml.run import RunProgress, RunResult, run_experiment
from meclean.ml.training_data import training_set


@app.command()
@with_import_options
def train(
    path: Annotated[Path, typer.Argument(help="Dataset folder, or a manifest CSV.")],
    options: ImportOptions,
    layout: LayoutOption = "megc2019",
    method: Annotated[str, typer.Option(help=f"One of: {', '.join(METHOD_NAMES)}.")] = "ilc",
    alpha: Annotated[
        float, typer.Option(help="High loss: above mean + alpha * std (LTM, ILC train by it).")
    ] = DEFAULT_ALPHA,
    q: Annotated[float | None, typer.Option(help="q-percentile's q (%) or GCE's q.")] = None,
    warmup: Annotated[
        int | None, typer.Option(min=0, help="Warm-up epochs (q-percentile, IDC).")
    ] = None,
    marks: Annotated[
        Path | None, typer.Option(help="Expert marks CSV (subject, filename, grade) for IDC.")
    ] = None,
    epochs: Annotated[int, typer.Option(min=1, max=2000)] = 200,
    seeds: Annotated[int, typer.Option(min=1, max=20, help="Seeds 0..N-1.")] = 1,
    protocol: Annotated[
        str,
        typer.Option(
            help="meclean (logits, SSSNet24, scaled inputs) or paper (as the published code: "
            "double softmax, SSSNet 28, unscaled inputs, its LTM and IDC batches)."
        ),
    ] = "meclean",
    hidden_channels: Annotated[
        int | None, typer.Option(help="24 = SSSNet24; 28 as published (default: the protocol's).")
    ] = None,
    size: Annotated[int, typer.Option(help="Input side: 60, or 28 as STSTNet.")] = 60,
    working: WorkingSizeOption = "170x140",
    flow_method: Annotated[
        FlowMethod, typer.Option("--flow", help="Optical-flow method.")
    ] = "tvl1",
    double_softmax: Annotated[
        bool | None,
        typer.Option(help="Cross-entropy on softmax outputs (default: the protocol's)."),
    ] = None,
    device: Annotated[
        str | None, typer.Option(help="cuda, cuda:1 or cpu (default: CUDA if any).")
    ] = None,
    bf16: Annotated[
        bool,
        typer.Option(
            help="Forward passes in bfloat16 autocast (with PyTorch's layers: slower than the "
            "default on the CPU); changes the arithmetic (recorded with the run)."
        ),
    ] = False,
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
        chosen = make_method(method, alpha=alpha, q=q, warmup_epochs=warmup, epochs=epochs)
        config = protocol_config(
            protocol, epochs=epochs, device=device, folds_per_step=folds_per_step
        )
        config = replace(
            config,
            model=replace(
                config.model,
                input_size=size,
                hidden_channels=hidden_channels or config.model.hidden_channels,
            ),
            double_softmax=config.double_softmax if double_softmax is None else double_softmax,
            bf16=bf16,
        )
        clean = read_clean_marks(marks) if marks else None
        if chosen.needs_marks and clean is None:
            raise ValueError(f"{chosen.name} needs the experts' marks: pass --marks")
    except (ValueError, SheetError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    report = read_or_exit(
        layout,
        path,
        options,
    )
    results, store = features_with_progress(
        report.samples,
        FlowSettings(method=flow_method, size=size, working_size=working_size(working)),
        workers,
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
            result = run_experiment(
                data,
                method=chosen,
                config=config,
                seeds=list(range(seeds)),
                final_model=final,
                progress=on_progress,
            )
        except KeyboardInterrupt:
            console.print("Interrupted.")
            raise typer.Exit(130) from None
    print_scores(result)
    if out:
        result.write(out)
        console.print(f"Results written to {out}")


def print_scores(result: RunResult) -> None:
    """The shape of the paper's Table 3: UF1 / UAR, composite and per dataset."""
    protocol = result.config.get("protocol", "meclean")
    table = Table(title=f"{result.method['method']}, {protocol} protocol, seeds {result.seeds}")
    table.add_column("")
    for column in ("UF1", "UAR"):
        table.add_column(column, justify="right")
    for group, values in result.summary().items():
        table.add_row(
            group,
            f"{values['uf1_mean']:.4f} ± {_spread(values['uf1_std'])}",
            f"{values['uar_mean']:.4f} ± {_spread(values['uar_std'])}",
        )
    console.print(table)
    flagged = int((result.flag_rate > 0).sum())
    proposals = int((result.proposed_label >= 0).sum())
    console.print(f"Flagged at least once: {flagged}; relabels proposed: {proposals}")
    for deviation in result.deviations:
        console.print(f"[yellow]Differs from the protocol:[/yellow] {deviation}")


def _spread(std: float | None) -> str:
    """A standard deviation over seeds; one seed has none."""
    return "n/a" if std is None else f"{std:.4f}"
