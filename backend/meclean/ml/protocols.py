"""Named training protocols: meclean's defaults, and the published code's behaviour."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal, get_args

from meclean.ml.loso import TrainConfig
from meclean.ml.model import SSSNetConfig

Protocol = Literal["meclean", "paper"]
PROTOCOLS: tuple[Protocol, ...] = get_args(Protocol)


def protocol_config(name: str, **changes: Any) -> TrainConfig:
    """The named protocol's training config, with ``changes`` (epochs, device, ...) applied.

    ``meclean``: cross-entropy on logits, SSSNet24, inputs scaled per fold.
    ``paper``: as the published code ran — cross-entropy on softmax outputs (a double
    softmax), SSSNet 28, unscaled inputs, LTM's flagged losses zeroed and averaged over the
    whole batch, IDC's warm-up batches drawn from all samples and cut to their clean ones.
    """
    if name == "meclean":
        base = TrainConfig()
    elif name == "paper":
        base = TrainConfig(
            protocol="paper",
            double_softmax=True,
            model=SSSNetConfig(hidden_channels=28),
            scale_inputs=False,
            published_batches=True,
        )
    else:
        raise ValueError(f"unknown protocol {name!r}; choose one of {', '.join(PROTOCOLS)}")
    return replace(base, **changes)
