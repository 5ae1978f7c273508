"""The one settings object: every knob comes from ``MECLEAN_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MECLEAN_")

    data_dir: Path = Path("meclean-data")
    """Where generated datasets, features and renders live."""

    workers: int = 2
    """Cores for CPU-bound data work: processes for the CLI's flow and synthesis, flow
    threads for a features job."""

    database_url: str | None = None
    """SQLAlchemy URL; default SQLite in the data directory. PostgreSQL:
    ``postgresql+psycopg://user:password@host/meclean``."""

    frontend_dir: Path = Path(__file__).resolve().parent / "frontend"
    """The browser app's static files; by default those shipped inside the package."""

    import_roots: list[Path] = []
    """Folders the API may import datasets from; default: the data directory."""

    max_body_bytes: int = 8 * 1024 * 1024
    """Largest request body the API reads (a label CSV of 10,000 rows is under 1 MB)."""
    max_streams_per_session: int = 8
    """Live-progress streams one expert may hold open (one per browser tab), over all
    their sign-ins."""
    session_hours: float = 12.0
    """How long a login lasts."""

    secure_cookies: bool = False
    """Mark cookies Secure; turn on behind HTTPS."""

    trusted_proxies: list[str] = []
    """Addresses (or networks) of reverse proxies whose ``X-Forwarded-For`` names the
    client: sign-in throttling then counts each expert's own address, not the proxy's.
    None by default: with a trusted address, anyone reaching the server from it could name
    a new address for every password guess. Behind a proxy on the same host: ``["127.0.0.1"]``."""

    queue_url: str | None = None
    """Task queue for training runs: ``redis://host:6379/0`` for workers on other machines;
    default a SQLite queue file in the data directory."""

    inprocess_worker: bool = True
    """``meclean serve`` also runs one queue consumer, so nothing else needs starting."""

    heartbeat_timeout_s: float = 60.0
    """A running task whose worker was silent this long is handed to another worker."""

    stall_timeout_s: float = 600.0
    """A running part whose training showed no sign of life this long is taken for hung
    (its process alive, its heartbeat still beating): the heartbeat stops, so the watchdog
    hands the part to another worker. Longer than any quiet stretch of a healthy part, such
    as UMAP of 10,000 samples (~1 min)."""

    max_attempts: int = 3
    """Tries per task before its run is marked failed."""

    def allowed_import_roots(self) -> list[Path]:
        return [p.resolve() for p in (self.import_roots or [self.data_dir])]

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'meclean.db'}"

    def create_data_dir(self) -> Path:
        """The data folder, created readable by its owner only whatever the umask (it holds
        the database, the queue, and features and runs of licensed frames); an existing
        folder keeps the mode its owner gave it."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self.data_dir

    @property
    def feature_dir(self) -> Path:
        return self.data_dir / "features"

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "runs"

    @property
    def demo_dir(self) -> Path:
        return self.data_dir / "demo"


@lru_cache
def get_settings() -> Settings:
    return Settings()
