"""Helpers for the data tests: raw frames with a real face in them (NASA's portrait of
Eileen Collins, which scikit-image ships as ``skimage.data.astronaut``), a manifest of
such frames, and a CASME II folder."""

from pathlib import Path

import cv2
import numpy as np
from skimage import data as images

from tests.helpers import write_csv, write_frames

ROOM = (700, 900)
"""A raw frame: the face is a small part of it, as in SAMM's or SMIC's uncropped frames."""


def portrait() -> np.ndarray:
    return cv2.cvtColor(images.astronaut(), cv2.COLOR_RGB2GRAY)


def in_a_room(face: np.ndarray, at=(150, 250), tilt: float = 0.0) -> np.ndarray:
    """The portrait placed on a textured background, turned ``tilt`` degrees."""
    room = np.random.default_rng(0).integers(40, 90, ROOM).astype(np.uint8)
    room = cv2.GaussianBlur(room, (0, 0), 2)
    y, x = at
    room[y : y + face.shape[0], x : x + face.shape[1]] = face
    if tilt:
        turn = cv2.getRotationMatrix2D((x + 220, y + 120), tilt, 1.0)
        room = cv2.warpAffine(room, turn, room.shape[::-1], borderMode=cv2.BORDER_REFLECT)
    return room


def make_manifest(tmp_path, frames: dict[str, np.ndarray]):
    rows = [["subject", "label", "onset", "apex"]]
    for name, frame in frames.items():
        folder = tmp_path / "clips" / name
        folder.mkdir(parents=True)
        cv2.imwrite(str(folder / "f0.png"), frame)
        cv2.imwrite(str(folder / "f1.png"), np.roll(frame, 1, axis=1))
        rows.append(["p1", "positive", f"clips/{name}/f0.png", f"clips/{name}/f1.png"])
    return write_csv(tmp_path / "manifest.csv", rows)


HEADER = [
    "Subject",
    "Filename",
    "OnsetFrame",
    "ApexFrame",
    "OffsetFrame",
    "Action Units",
    "Estimated Emotion",
]


def casme2_folder(root: Path, rows: list[list[object]], cropped: bool = True) -> Path:
    """A CASME II folder whose sample folders hold frames 10..16 of every listed row."""
    prefix = "reg_img" if cropped else "img"
    frames_root = root / ("Cropped" if cropped else "CASME2-RAW")
    for row in rows:
        subject, name = row[0], row[1]
        folder = frames_root / f"sub{int(subject):02d}" / str(name)
        if not folder.exists():
            write_frames(folder, [f"{prefix}{n}.jpg" for n in range(10, 17)])
    write_csv(root / "CASME2-coding-20140508.csv", [HEADER, *rows])
    return root
