"""The noisy-label methods a run can train with, and a launch's defaults, for the browser."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from meclean.api.deps import Annotator
from meclean.ml.methods import METHODS, PAPER_EPOCHS, make_method
from meclean.services.run_plans import RunOptions

router = APIRouter(prefix="/api", tags=["runs"])


class MethodOut(BaseModel):
    name: str
    summary: str
    alpha_trains: bool
    """Whether alpha changes the training itself (LTM, ILC); for every method it draws the
    run's final high-loss flags."""
    q_default: float | None
    """None: the method takes no q."""
    warmup_share: float | None
    """Default warm-up as a share of the epochs (the paper's); None: no warm-up."""
    needs_marks: bool
    """Trains on the experts' clean marks (IDC, Meta-Weight-Net): the launch asks whose."""


class MethodsOut(BaseModel):
    methods: list[MethodOut]
    defaults: dict[str, Any]
    """The launch options' defaults (alpha, epochs, seeds, protocol, device ...)."""


@router.get("/methods")
def list_methods(_: Annotator) -> MethodsOut:
    """Every method with the parameters it takes, and the defaults of a launch."""
    methods = [
        MethodOut(
            name=spec.name,
            summary=spec.summary,
            alpha_trains=spec.alpha_trains,
            q_default=spec.q_default,
            warmup_share=None if spec.warmup_of_200 is None else spec.warmup_of_200 / PAPER_EPOCHS,
            needs_marks=make_method(spec.name).needs_marks,
        )
        for spec in METHODS.values()
    ]
    defaults = {
        name: field.default
        for name, field in RunOptions.model_fields.items()
        if name != "method" and field.default is not None
    }
    return MethodsOut(methods=methods, defaults=defaults)
