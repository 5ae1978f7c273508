"""Server commands: db-upgrade, users, serve."""

from __future__ import annotations

from typing import Annotated

import typer

from meclean.cli.common import app, console, upgraded_sessions
from meclean.db.session import transaction
from meclean.db.users import Role, create_user, ensure_admin, generated_password
from meclean.settings import get_settings


@app.command("db-upgrade")
def db_upgrade() -> None:
    """Bring the database schema to the newest migration."""
    engine, _ = upgraded_sessions()
    engine.dispose()
    console.print(f"Database at the newest schema: {get_settings().resolved_database_url()}")


users_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[Role, typer.Option(help="annotator, curator or admin.")] = "annotator",
) -> None:
    """Create an account; its password is generated and printed once."""
    engine, sessions = upgraded_sessions()
    password = generated_password()
    try:
        with transaction(sessions) as session:
            create_user(session, name, role, password, one_time=True)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print(f"Created {role} {name!r} with password: {password}")
    console.print("It is shown only now, and works once: they choose their own at sign-in.")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
) -> None:
    """Migrate the database, make a first admin if there is none, and serve the API."""
    import uvicorn

    from meclean.api.app import create_app

    engine, sessions = upgraded_sessions()
    with transaction(sessions) as session:
        created = ensure_admin(session)
    engine.dispose()
    if created:
        console.print(f"First admin {created[0]!r}, one-time password: {created[1]}")
    console.print(f"meclean at http://{host}:{port} (API documentation for signed-in users: /docs)")
    # The app reads proxy headers itself, from the proxies that settings trust.
    uvicorn.run(create_app(), host=host, port=port, proxy_headers=False)


@app.command()
def worker(
    device: Annotated[
        str | None, typer.Option(help="cuda:0, cpu, ... (default: each run's preference).")
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Tasks at once, each in its own process.")
    ] = 1,
) -> None:
    """Take training tasks from the queue until stopped (Ctrl+C)."""
    import os

    from meclean.jobs.queue import Jobs
    from meclean.jobs.watchdog import Watchdog

    settings = get_settings()
    engine, _ = upgraded_sessions()
    engine.dispose()
    threads = max(1, (os.cpu_count() or 1) // concurrency)
    jobs = Jobs(settings, device=device, torch_threads=threads if concurrency > 1 else None)
    Watchdog(jobs).start()
    queue = settings.queue_url or settings.data_dir / "queue.sqlite3"
    console.print(
        f"meclean worker: queue {queue}, device {device or 'per run'}, "
        f"{concurrency} task(s) at once"
    )
    jobs.consumer(workers=concurrency, processes=concurrency > 1).run()
