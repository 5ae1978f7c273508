"""What every command shares: the app, the console, options, progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from meclean.data.readers import Layout, read_dataset
from meclean.data.records import ImportReport, SheetError
from meclean.db.migrations import upgrade
from meclean.db.session import make_engine, session_factory
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


def read_or_exit(
    layout: Layout, path: Path, sheet: Path | None, overrides: Path | None, roster: Path | None
) -> ImportReport:
    try:
        return read_dataset(layout, path, sheet, overrides, roster)
    except SheetError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


def upgraded_sessions() -> tuple[Engine, sessionmaker[Session]]:
    """The configured database, migrated to the newest schema."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    return engine, session_factory(engine)
