"""The ``meclean`` command line; each module registers its commands on ``app``."""

from meclean.cli import datasets, server, training
from meclean.cli.common import app

__all__ = ["app", "datasets", "server", "training"]
