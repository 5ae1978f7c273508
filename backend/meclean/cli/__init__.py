"""The ``meclean`` command line; each module registers its commands on ``app``."""

from meclean.cli import backups, datasets, server, training
from meclean.cli.common import app

__all__ = ["app", "backups", "datasets", "server", "training"]
