"""The frame rate each release was recorded at, to tell a micro-expression's duration."""

from __future__ import annotations

FRAME_RATES: dict[str, float] = {
    "casme2": 200.0,
    "samm": 200.0,
    "smic": 100.0,  # SMIC-HS
    "casmesq": 30.0,  # CAS(ME)²
    "casme3a": 30.0,  # CAS(ME)³ Part A
    "mmew": 90.0,
    "4dme": 60.0,
}


def frame_rate(source: str) -> float | None:
    """Frames per second of a source dataset; None for one meclean does not know (a
    manifest's)."""
    return FRAME_RATES.get(source)
