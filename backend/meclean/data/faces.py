"""Faces in raw frames: find the face on the onset frame, and crop that same box, eyes
levelled, from every frame of the sample, so the flow measures the face and not the room.

dlib's HOG face detector (built into dlib) finds the face; its 5-point landmark model,
installed by the ``face_recognition_models`` package, places the eyes. Nothing is
downloaded at run time.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal, get_args

import cv2
import numpy as np

from meclean.data.flow import read_gray
from meclean.data.records import ImportIssue, ImportReport

FaceMode = Literal["auto", "crop", "keep"]
FACE_MODES: tuple[FaceMode, ...] = get_args(FaceMode)

CROP_ASPECT = 170 / 140
"""Height over width of a face box: the working size the flow is computed at."""
WIDTH_PER_EYE_DISTANCE = 2.4
"""A face is about this many times as wide as the distance between the eye centres."""
EYE_LINE = 0.38
"""Where the eyes sit in the box, as a share of its height from the top."""
ALREADY_CROPPED = 0.6
"""A face box at least this share of the frame's width means the frame is already a crop."""


@dataclass(frozen=True)
class FaceCrop:
    """A face box: rotate the frame by ``angle`` degrees about ``pivot`` (levelling the eyes),
    then take ``box`` (x, y, width, height) of the rotated frame."""

    angle: float
    pivot: tuple[float, float]
    box: tuple[int, int, int, int]

    def apply(self, frame: np.ndarray) -> np.ndarray:
        x, y, width, height = self.box
        matrix = cv2.getRotationMatrix2D(self.pivot, self.angle, 1.0)
        matrix[:, 2] -= (x, y)
        # Where a box reaches past the frame's edge, the edge pixels are repeated.
        return cv2.warpAffine(
            frame, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )

    def fingerprint(self) -> str:
        return f"face:{self.angle:.3f}:{self.pivot[0]:.1f},{self.pivot[1]:.1f}:{self.box}"

    def describe(self) -> str:
        x, y, width, height = self.box
        turn = f"turned {self.angle:+.1f}° to level the eyes"
        return f"cropped to a box {width} px wide, {height} px high at x={x}, y={y}, {turn}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, stored: dict[str, Any] | None) -> FaceCrop | None:
        if stored is None:
            return None
        return cls(float(stored["angle"]), tuple(stored["pivot"]), tuple(stored["box"]))


def read_frame(path: str | Path, face: FaceCrop | None) -> np.ndarray:
    """A grayscale frame, cropped to the sample's face when it has one."""
    frame = read_gray(str(path))
    return face.apply(frame) if face else frame


@functools.cache
def _models() -> tuple[Any, Any]:
    import dlib

    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the face_recognition_models package is not installed")
    folder = Path(spec.submodule_search_locations[0]) / "models"
    landmarks = dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat"))
    return dlib.get_frontal_face_detector(), landmarks


def locate_face(frame: np.ndarray) -> FaceCrop | None:
    """The box of the frontal face the detector is surest of in a grayscale frame; None
    when there is none."""
    detector, landmarks = _models()
    image = np.ascontiguousarray(frame, dtype=np.uint8)
    # Upsampling finds the smaller faces of small frames, at four times the cost.
    faces, scores, _ = detector.run(image, 1 if min(image.shape) < 400 else 0, 0.0)
    if not faces:
        return None
    # The surest, not the largest: a face-like patch on a shirt can be as large as the face.
    face = faces[int(np.argmax(scores))]
    points = np.array([(p.x, p.y) for p in landmarks(image, face).parts()], float)
    # The 5-point model: corners of one eye (0, 1), of the other (2, 3), and the nose (4).
    image_left, image_right = sorted((points[0:2].mean(0), points[2:4].mean(0)), key=lambda p: p[0])
    dx, dy = image_right - image_left
    pivot = (image_left + image_right) / 2
    width = WIDTH_PER_EYE_DISTANCE * math.hypot(dx, dy)
    height = width * CROP_ASPECT
    box = (
        round(pivot[0] - width / 2),
        round(pivot[1] - EYE_LINE * height),
        round(width),
        round(height),
    )
    return FaceCrop(math.degrees(math.atan2(dy, dx)), (float(pivot[0]), float(pivot[1])), box)


def crop_faces(
    report: ImportReport,
    mode: FaceMode = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Give each sample of the report its face box, found on its onset frame.

    ``auto`` crops frames where the face is small (raw frames) and leaves frames that are
    already face crops as they are; ``crop`` crops every face found and warns of samples
    without one; ``keep`` looks for none. Each cropped sample is listed in
    ``report.faces``; ``report.face_counts`` counts what happened to all of them.
    """
    if mode not in FACE_MODES:
        raise ValueError(f"unknown face mode {mode!r}; choose one of {', '.join(FACE_MODES)}")
    if mode == "keep":
        return
    located = []
    for done, sample in enumerate(report.samples, 1):
        onset = read_gray(str(sample.onset_path))
        face = locate_face(onset)
        if face is None:
            report.face_counts["no face found (kept whole)"] += 1
            if mode == "crop":
                report.warnings.append(
                    ImportIssue(
                        sample.onset_path,
                        "no face found on the onset frame: frames kept whole",
                        sample=sample.sample_id,
                    )
                )
        elif mode == "auto" and face.box[2] >= ALREADY_CROPPED * onset.shape[1]:
            report.face_counts["already a face crop"] += 1
            face = None
        else:
            report.face_counts["cropped to the face"] += 1
            report.faces.append(
                ImportIssue(sample.onset_path, face.describe(), sample=sample.sample_id)
            )
        located.append(replace(sample, face=face))
        if progress:
            progress(done, len(report.samples))
    report.samples = located
