"""Backup commands: backup, restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from meclean.cli.common import app, console
from meclean.db.backup import BackupError, backup, restore
from meclean.settings import get_settings


@app.command("backup")
def backup_command(
    target: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz).")],
) -> None:
    """Back up the database (online: the server may keep running), features and runs."""
    try:
        with console.status("Backing up"):
            manifest = backup(get_settings(), target)
    except BackupError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    size = target.stat().st_size / 1e6
    console.print(
        f"Backed up the {manifest.database} database and files to {target} ({size:.1f} MB)"
    )


@app.command("restore")
def restore_command(
    archive: Annotated[Path, typer.Argument(help="An archive written by `meclean backup`.")],
    replace: Annotated[
        bool, typer.Option(help="Replace what the configured database already holds.")
    ] = False,
) -> None:
    """Restore a backup into the configured database and data directory (server stopped)."""
    try:
        with console.status("Restoring"):
            manifest = restore(get_settings(), archive, replace=replace)
    except BackupError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(
        f"Restored the backup of {manifest.created_at} (meclean {manifest.meclean}); "
        "the schema is migrated to this version's."
    )
