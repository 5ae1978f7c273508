"""The words the app's data is written in, for the browser to build its choices from."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from meclean.api.deps import Annotator
from meclean.data.faces import FACE_MODES
from meclean.data.labels import CLASSES
from meclean.data.marks import DECIDED, JUDGEMENTS, Verdict
from meclean.data.readers import LAYOUTS

router = APIRouter(prefix="/api", tags=["vocabulary"])


class VocabularyOut(BaseModel):
    classes: list[str]
    """The emotion classes, in the order of every probability list."""
    verdicts: list[str]
    """The verdicts that judge a label, in the order the app offers them."""
    decided: list[str]
    """The verdicts that take a side: experts disagree when both are given."""
    retraction: str
    """The verdict that withdraws an expert's earlier one."""
    layouts: list[str]
    """The dataset layouts an import reads."""
    face_modes: list[str]
    """What an import does with faces: auto, crop, keep."""


@router.get("/vocabulary")
def vocabulary(_: Annotator) -> VocabularyOut:
    """The classes, verdicts, layouts and face modes, as the API reads and writes them."""
    return VocabularyOut(
        classes=list(CLASSES),
        verdicts=list(JUDGEMENTS),
        decided=list(DECIDED),
        retraction=Verdict.RETRACTED,
        layouts=list(LAYOUTS),
        face_modes=list(FACE_MODES),
    )
