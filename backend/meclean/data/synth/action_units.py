"""Action units as displacement fields, and the AU recipes of each emotion class."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from meclean.data.labels import Label
from meclean.data.synth.face import Landmarks

Side = Literal["both", "left", "right"]


@dataclass(frozen=True)
class Handle:
    """A Gaussian patch of displacement: at ``(x, y)`` the skin moves by ``(dx, dy)``."""

    x: float
    y: float
    dx: float
    dy: float
    sigma: float
    side: Literal["left", "right", "centre"]


def au_handles(au: int, lm: Landmarks) -> list[Handle]:
    """The displacement patches of one FACS action unit, in pixels per unit intensity."""
    ex, ey = lm.eye_size
    brow = lm.brow_half_length
    mw = lm.mouth_half_width
    mx, my = lm.mouth
    handles: list[Handle] = []

    def pair(
        left: tuple[float, float], dx: float, dy: float, sigma: float, mirror: bool = True
    ) -> None:
        """``left`` is on the image's left; the right copy mirrors x about the midline."""
        handles.append(Handle(left[0], left[1], dx, dy, sigma, "left"))
        if mirror:
            right_x = 2 * mx - left[0]
            handles.append(Handle(right_x, left[1], -dx, dy, sigma, "right"))

    bl, el = lm.brow_l, lm.eye_l
    if au == 1:  # inner brow raiser
        pair((bl[0] + 0.6 * brow, bl[1]), 0.0, -1.0, 0.55 * brow)
    elif au == 2:  # outer brow raiser
        pair((bl[0] - 0.6 * brow, bl[1]), 0.0, -1.0, 0.55 * brow)
    elif au == 4:  # brow lowerer: down and towards the midline
        pair((bl[0] + 0.3 * brow, bl[1]), 0.5, 0.8, 0.7 * brow)
    elif au == 5:  # upper lid raiser
        pair((el[0], el[1] - ey), 0.0, -0.6, 1.2 * ey + 2)
    elif au == 6:  # cheek raiser
        pair((el[0], el[1] + 3.5 * ey + 6), 0.0, -0.9, 0.9 * ex)
    elif au == 7:  # lid tightener
        pair((el[0], el[1] + ey), 0.0, -0.7, 0.8 * ex)
    elif au == 9:  # nose wrinkler
        pair((lm.nose[0] - 0.4 * ex, lm.nose[1] - 0.6 * ex), 0.0, -0.9, 0.5 * ex)
    elif au == 10:  # upper lip raiser
        handles.append(Handle(mx, my - 3, 0.0, -0.9, 0.6 * mw, "centre"))
    elif au == 12:  # lip corner puller: out and up
        pair((mx - mw, my), -0.8, -0.7, 0.45 * mw)
    elif au == 14:  # dimpler: corners tighten inwards
        pair((mx - mw, my), 0.7, -0.1, 0.35 * mw)
    elif au == 15:  # lip corner depressor
        pair((mx - mw, my + 1), 0.0, 0.9, 0.4 * mw)
    elif au == 17:  # chin raiser
        handles.append(Handle(lm.chin[0], (lm.chin[1] + my) / 2 + 2, 0.0, -0.9, 0.7 * mw, "centre"))
    elif au == 20:  # lip stretcher: out and slightly down
        pair((mx - mw, my + 1), -0.9, 0.2, 0.4 * mw)
    elif au == 24:  # lip pressor: lips towards each other
        handles.append(Handle(mx, my - 4, 0.0, 0.5, 0.5 * mw, "centre"))
        handles.append(Handle(mx, my + 4, 0.0, -0.5, 0.5 * mw, "centre"))
    else:
        raise ValueError(f"action unit {au} is not modelled")
    return handles


def displacement_field(
    aus: Sequence[int],
    lm: Landmarks,
    shape: tuple[int, int],
    side: Side = "both",
    gain: float = 1.0,
) -> np.ndarray:
    """Sum of the AUs' patches on an (H, W, 2) grid; ``side`` keeps one half of the face."""
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    field = np.zeros((h, w, 2), np.float32)
    for au in aus:
        for handle in au_handles(au, lm):
            if side != "both" and handle.side not in (side, "centre"):
                continue
            weight = np.exp(-((xs - handle.x) ** 2 + (ys - handle.y) ** 2) / (2 * handle.sigma**2))
            field[..., 0] += gain * handle.dx * weight
            field[..., 1] += gain * handle.dy * weight
    return field


# Negative pools several emotions, which is why its mean flow is diffuse.
NEGATIVE_RECIPES: dict[str, list[tuple[int, ...]]] = {
    "disgust": [(9,), (10,), (4,), (9, 10), (4, 9), (4, 10)],
    "repression": [(14,), (15,), (17,), (24,), (15, 17), (14, 24), (17, 24)],
    "anger": [(4,), (4, 7), (7,)],
    "contempt": [(14,)],
    "sadness": [(1, 4, 15)],
    "fear": [(1, 2, 4, 20)],
}
ONE_SIDED = {"contempt"}


@dataclass(frozen=True)
class Movement:
    """One class's facial movement: which AUs, on which side, at what share of the motion."""

    label: Label
    emotion: str
    aus: tuple[int, ...]
    side: Side
    weight: float = 1.0


def sample_movement(label: Label, rng: np.random.Generator, emotion: str | None = None) -> Movement:
    """Draw a movement for ``label``; ``emotion`` picks the negative sub-emotion if given."""
    if label == "surprise":
        aus: tuple[int, ...] = (1, 2, 5) if rng.random() < 0.35 else (1, 2)
        return Movement(label, "surprise", aus, "both")
    if label == "positive":
        aus = (6, 12) if rng.random() < 0.75 else (12,)
        side: Side = "both" if rng.random() < 0.45 else ("left", "right")[rng.integers(2)]
        return Movement(label, "happiness", aus, side)
    if emotion not in NEGATIVE_RECIPES:
        emotion = list(NEGATIVE_RECIPES)[rng.integers(len(NEGATIVE_RECIPES))]
    recipes = NEGATIVE_RECIPES[emotion]
    aus = recipes[rng.integers(len(recipes))]
    side = ("left", "right")[rng.integers(2)] if emotion in ONE_SIDED else "both"
    return Movement(label, emotion, aus, side)
