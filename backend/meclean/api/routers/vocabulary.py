"""The words the app's data is written in, for the browser to build its choices from."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from meclean.api.deps import Annotator
from meclean.data.labels import CLASSES
from meclean.data.marks import DECIDED, JUDGEMENTS, Verdict

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


@router.get("/vocabulary")
def vocabulary(_: Annotator) -> VocabularyOut:
    """The classes and verdicts, as the API reads and writes them."""
    return VocabularyOut(
        classes=list(CLASSES),
        verdicts=list(JUDGEMENTS),
        decided=list(DECIDED),
        retraction=Verdict.RETRACTED,
    )
