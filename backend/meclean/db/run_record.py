"""What a run records of how it was launched (``Run.method`` and ``Run.config``): typed,
with their defaults here and nowhere else, validated when stored and when read. Frozen: a
record is replaced whole (``model_copy(update=...)``), never changed in place, which the
database would not see.

Runs stored by earlier versions read with these defaults where a field was not yet
recorded; a field this version does not know is kept as it was."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import JSON
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

M = TypeVar("M", bound=BaseModel)

PUBLISHED_ALPHA = 2.5
"""LTM's and ILC's alpha in the published code; the method default (``ml.methods``)."""


class RunMethodRecord(BaseModel):
    """The noisy-label method a run trained with, as launched and as resolved."""

    model_config = ConfigDict(frozen=True, extra="allow")

    name: str = "baseline"
    alpha: float = PUBLISHED_ALPHA
    q: float | None = None
    warmup_epochs: int | None = None
    resolved: dict[str, Any] | None = None
    """Every parameter the method ran with (warm-up scaled to the epochs, and so on)."""

    @field_validator("alpha", mode="before")
    @classmethod
    def _unrecorded_alpha(cls, value: object) -> object:
        return PUBLISHED_ALPHA if value is None else value


class RunConfigRecord(BaseModel):
    """The protocol, data and schedule a run trained with."""

    model_config = ConfigDict(frozen=True, extra="allow")

    epochs: int
    seeds: list[int]
    protocol: str = "meclean"
    training: dict[str, Any] | None = None
    """The full training protocol (optimiser, model, loss and batch rules)."""
    flow: dict[str, Any] | None = None
    """How the features were computed (flow method, working size, output size)."""
    device: str = "auto"
    marks_user_id: int | None = None
    consensus: str = "majority"
    clean_sample_ids: list[int] | None = None
    consensus_run_id: int | None = None
    folds: int | None = None
    """LOSO folds per seed (one per subject); runs before it was recorded count their parts'."""
    estimate_s: float | None = None
    """How long the launch form said it would take (None without earlier runs to go by)."""
    timing_version: int = 0
    """The dataset's latest change of timing when the run was launched (0: the imported
    timing, and runs launched before timing could change)."""


class RecordJSON(TypeDecorator[M]):
    """A JSON column read and written as the pydantic model ``model``."""

    impl = JSON
    cache_ok = True

    def __init__(self, model: type[M]) -> None:
        super().__init__()
        self.model = model

    def process_bind_param(self, value: M | dict[str, Any] | None, dialect: Dialect) -> Any:
        if value is None:
            raise ValueError(f"a run needs its {self.model.__name__}")
        return self.model.model_validate(value).model_dump(mode="json")

    def process_result_value(self, value: Any, dialect: Dialect) -> M | None:
        return None if value is None else self.model.model_validate(value)
