"""What every command shares: the app, the console, options, progress bars."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_type_hints

import typer
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from meclean.data.faces import FaceMode
from meclean.data.labels import CLASSES
from meclean.data.readers import ImportOptions, Layout, read_dataset
from meclean.data.records import ImportReport, SheetError
from meclean.data.roster import DATASETS
from meclean.db.migrations import upgrade
from meclean.db.session import make_engine, session_factory
from meclean.settings import get_settings

R = TypeVar("R")

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


EstimatesOption = Annotated[
    bool,
    typer.Option(
        help="Estimate from the motion an apex the sheet leaves missing, puts outside "
        "[onset, offset] or on the onset (listed with its confidence); --no-estimates skips "
        "those samples."
    ),
]


RosterOption = Annotated[
    Path | None, typer.Option(help="Roster CSV for --layout megc2019 (default: the shipped one).")
]


FramesOption = Annotated[
    Path | None,
    typer.Option(help="The folder holding the subject folders, if the search does not find it."),
]


CorrectionsOption = Annotated[
    bool,
    typer.Option(
        help="Replace the sheets' known errors by the shipped, documented values "
        "(README, Datasets); --overrides still win."
    ),
]


WorkingSizeOption = Annotated[
    str,
    typer.Option(
        "--working-size",
        metavar="HxW|native",
        help="Frames are brought to this size before the flow (the published pipeline's "
        "170x140), so one motion gives one magnitude across releases; 'native' keeps each "
        "release's own size.",
    ),
]


def working_size(value: str) -> tuple[int, int] | None:
    """'170x140' -> (170, 140); 'native' -> None; anything else stops with the reason."""
    if value.strip().lower() == "native":
        return None
    height, sep, width = value.lower().partition("x")
    if sep and height.strip().isdigit() and width.strip().isdigit():
        return int(height), int(width)
    console.print(f"[red]error:[/red] --working-size {value!r}: expected HxW (170x140) or native")
    raise typer.Exit(2)


ClassesOption = Annotated[
    Path | None,
    typer.Option(help="For --layout manifest: CSV of emotion,class ('excluded' leaves one out)."),
]


FacesOption = Annotated[
    FaceMode,
    typer.Option(
        help="auto: crop raw frames to the face found on each onset frame (eyes levelled, "
        "the same box for every frame) and leave face crops as they are; crop: crop every "
        "face found; keep: use the frames whole.",
    ),
]


PartOption = Annotated[
    list[str] | None,
    typer.Option(
        "--part",
        metavar="DATASET=FOLDER",
        help="For --layout megc2019: a source dataset's folder (casme2, samm, smic); repeatable.",
    ),
]


PartSheetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--part-sheet",
        metavar="DATASET=FILE",
        help="For --layout megc2019: a source dataset's annotation sheet; repeatable.",
    ),
]


def import_options(
    *,
    sheet: Path | None = None,
    frames: Path | None = None,
    overrides: Path | None = None,
    roster: Path | None = None,
    corrections: bool = True,
    estimates: bool = True,
    part: list[str] | None = None,
    part_sheet: list[str] | None = None,
    classes: Path | None = None,
    faces: FaceMode = "auto",
) -> ImportOptions:
    """The import's options as the readers take them; bad DATASET=PATH pairs stop here."""
    return ImportOptions(
        sheet=sheet,
        frames=frames,
        overrides=overrides,
        roster=roster,
        corrections=corrections,
        estimates=estimates,
        parts=_pairs(part, "--part"),
        part_sheets=_pairs(part_sheet, "--part-sheet"),
        classes=classes,
        faces=faces,
    )


IMPORT_OPTIONS: dict[str, tuple[object, object]] = {
    "sheet": (SheetOption, None),
    "frames": (FramesOption, None),
    "overrides": (OverridesOption, None),
    "roster": (RosterOption, None),
    "corrections": (CorrectionsOption, True),
    "estimates": (EstimatesOption, True),
    "part": (PartOption, None),
    "part_sheet": (PartSheetOption, None),
    "classes": (ClassesOption, None),
    "faces": (FacesOption, "auto"),
}
"""The options of reading a dataset, as ``import``, ``features`` and ``train`` take them:
name -> (annotation, default)."""


def with_import_options(command: Callable[..., R]) -> Callable[..., R]:
    """``command`` takes the import's options on its command line (defined once, above) and
    receives them as one ``options: ImportOptions``."""
    hints = get_type_hints(command, include_extras=True)
    signature = inspect.signature(command)
    kept = [
        p.replace(annotation=hints[p.name])
        for p in signature.parameters.values()
        if p.name != "options"
    ]
    added = [
        inspect.Parameter(
            name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=kind
        )
        for name, (kind, default) in IMPORT_OPTIONS.items()
    ]

    @functools.wraps(command)
    def with_options(*args: Any, **kwargs: Any) -> R:
        chosen = {name: kwargs.pop(name, default) for name, (_, default) in IMPORT_OPTIONS.items()}
        return command(*args, options=import_options(**chosen), **kwargs)

    # Typer reads the parameters from the signature and their types from the annotations.
    # Shown right after --layout, where the commands used to declare them.
    at = next((k + 1 for k, p in enumerate(kept) if p.name == "layout"), len(kept))
    parameters = [*kept[:at], *added, *kept[at:]]
    with_options.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    with_options.__annotations__ = {
        **{k: v for k, v in hints.items() if k != "options"},
        **{name: kind for name, (kind, _) in IMPORT_OPTIONS.items()},
    }
    return with_options


def _pairs(values: list[str] | None, option: str) -> dict[str, Path]:
    pairs = {}
    for value in values or []:
        dataset, sep, path = value.partition("=")
        if not sep or dataset.strip().lower() not in DATASETS or not path:
            console.print(
                f"[red]error:[/red] {option} {value!r}: expected DATASET=PATH with DATASET one "
                f"of {', '.join(DATASETS)}"
            )
            raise typer.Exit(2)
        pairs[dataset.strip().lower()] = Path(path)
    return pairs


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


def read_or_exit(layout: Layout, path: Path, options: ImportOptions) -> ImportReport:
    """The dataset's samples; a sheet that cannot be read, or nothing to import, ends here."""
    try:
        with progress_bar("Finding faces") as update:
            report = read_dataset(layout, path, options, update)
    except SheetError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    if not report.samples:
        print_report(report)
        console.print(
            f"[red]error:[/red] nothing imported from {path}: every sample was skipped or "
            "excluded (reasons above)"
        )
        raise typer.Exit(1)
    return report


def print_report(report: ImportReport) -> None:
    """What was imported per dataset and class, where the frames were, and every issue."""
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
    for dataset, folder in sorted(report.frames.items()):
        console.print(f"Frames of {dataset}: {folder}", highlight=False)
    if report.excluded:
        excluded = ", ".join(f"{e}: {n}" for e, n in sorted(report.excluded.items()))
        console.print(f"Excluded on purpose: {excluded}")
    for dataset, (coded, total) in report.with_action_units().items():
        said = "its sheet codes none" if coded == 0 else f"{coded} of {total} samples"
        console.print(f"Action units of {dataset}: {said}", highlight=False)
    if report.face_counts:
        faces = ", ".join(f"{what}: {n}" for what, n in sorted(report.face_counts.items()))
        console.print(f"Faces (dlib, on the onset frame): {faces}")
    for title, issues, colour in (
        ("Cropped to the face", report.faces, "cyan"),
        ("Corrected known sheet errors", report.corrections, "cyan"),
        ("Apexes estimated from the motion", report.estimates, "cyan"),
        ("Overrides used", report.overrides, "green"),
        ("Several AU codings offered (all kept)", report.ambiguous_action_units, "yellow"),
        ("Skipped", report.skipped, "red"),
        ("Warnings", report.warnings, "yellow"),
    ):
        if issues:
            console.print(f"[{colour}]{title} ({len(issues)}):[/{colour}]")
            for issue in issues:
                console.print(f"  {issue}", highlight=False, markup=False)


def upgraded_sessions() -> tuple[Engine, sessionmaker[Session]]:
    """The configured database, migrated to the newest schema."""
    settings = get_settings()
    settings.create_data_dir()
    url = settings.resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    return engine, session_factory(engine)
