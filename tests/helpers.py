"""Helpers that build small datasets on disk, the way real ones are laid out."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np


def textured_frame(seed: int, shape: tuple[int, int] = (48, 40)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), 1.5)
    return np.clip(128 + 40 * noise / noise.std(), 0, 255).astype(np.uint8)


def write_frames(folder: Path, names: Sequence[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        cv2.imwrite(str(folder / name), textured_frame(i))


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path
