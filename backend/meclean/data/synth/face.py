"""Rendered grayscale faces: one identity per subject, textured so optical flow can track."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SUPERSAMPLE = 4


@dataclass(frozen=True)
class Landmarks:
    """Face points in pixels (x, y); 'left' is the subject's right, the image's left."""

    brow_l: tuple[float, float]
    brow_r: tuple[float, float]
    eye_l: tuple[float, float]
    eye_r: tuple[float, float]
    nose: tuple[float, float]
    mouth: tuple[float, float]
    mouth_half_width: float
    chin: tuple[float, float]
    eye_size: tuple[float, float]
    """Half-axes of an eye opening (x, y)."""
    brow_half_length: float


@dataclass(frozen=True)
class FaceIdentity:
    """Everything that makes one synthetic subject look like itself."""

    height: int
    width: int
    landmarks: Landmarks
    face_axes: tuple[float, float]
    face_center: tuple[float, float]
    skin: float
    background: float
    texture_seed: int
    texture_strength: float
    feature_darkness: float


def random_identity(rng: np.random.Generator, height: int = 170, width: int = 140) -> FaceIdentity:
    """A new face: geometry, skin brightness and texture drawn from ``rng``."""
    cx = width * (0.5 + rng.uniform(-0.02, 0.02))
    cy = height * (0.52 + rng.uniform(-0.02, 0.02))
    eye_dx = width * rng.uniform(0.16, 0.19)
    eye_y = height * rng.uniform(0.38, 0.42)
    brow_y = eye_y - height * rng.uniform(0.075, 0.095)
    mouth_y = height * rng.uniform(0.74, 0.78)
    landmarks = Landmarks(
        brow_l=(cx - eye_dx, brow_y),
        brow_r=(cx + eye_dx, brow_y),
        eye_l=(cx - eye_dx, eye_y),
        eye_r=(cx + eye_dx, eye_y),
        nose=(cx, height * rng.uniform(0.59, 0.63)),
        mouth=(cx, mouth_y),
        mouth_half_width=width * rng.uniform(0.12, 0.15),
        chin=(cx, height * rng.uniform(0.88, 0.91)),
        eye_size=(width * rng.uniform(0.065, 0.08), height * rng.uniform(0.018, 0.026)),
        brow_half_length=width * rng.uniform(0.08, 0.1),
    )
    return FaceIdentity(
        height=height,
        width=width,
        landmarks=landmarks,
        face_axes=(width * rng.uniform(0.40, 0.45), height * rng.uniform(0.44, 0.48)),
        face_center=(cx, cy),
        skin=float(rng.uniform(130, 190)),
        background=float(rng.uniform(25, 70)),
        texture_seed=int(rng.integers(2**31)),
        texture_strength=float(rng.uniform(0.10, 0.16)),
        feature_darkness=float(rng.uniform(0.45, 0.65)),
    )


def _canvas(identity: FaceIdentity) -> np.ndarray:
    return np.zeros((identity.height * SUPERSAMPLE, identity.width * SUPERSAMPLE), np.float32)


def _pt(p: tuple[float, float]) -> tuple[int, int]:
    return round(p[0] * SUPERSAMPLE), round(p[1] * SUPERSAMPLE)


def _down(mask: np.ndarray, identity: FaceIdentity, blur: float = 0.6) -> np.ndarray:
    small = cv2.resize(mask, (identity.width, identity.height), interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(small, (0, 0), blur)


def skin_layer(identity: FaceIdentity) -> np.ndarray:
    """Face oval with shading and multi-scale skin texture over a dark background."""
    h, w = identity.height, identity.width
    rng = np.random.default_rng(identity.texture_seed)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = identity.face_center
    ax, ay = identity.face_axes
    r = np.sqrt(((xs - cx) / ax) ** 2 + ((ys - cy) / ay) ** 2)
    face = np.clip((1.05 - r) / 0.1, 0, 1)
    shading = 1.0 - 0.25 * np.clip(r, 0, 1) ** 2
    texture = np.zeros((h, w), np.float32)
    for sigma, weight in ((0.7, 0.5), (1.6, 0.35), (4.0, 0.25)):
        noise = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), sigma)
        texture += weight * noise / (noise.std() + 1e-6)
    skin = identity.skin * shading * (1.0 + identity.texture_strength * texture)
    background = identity.background * (1.0 + 0.05 * texture)
    return face * skin + (1 - face) * background


def feature_mask(identity: FaceIdentity, blink: float = 0.0) -> np.ndarray:
    """Darkness (0..1) of brows, eyes, nostrils and mouth; ``blink`` closes the lids (0..1)."""
    lm = identity.landmarks
    s = SUPERSAMPLE
    mask = _canvas(identity)
    for brow in (lm.brow_l, lm.brow_r):
        axes = (round(lm.brow_half_length * s), round(lm.eye_size[1] * 1.6 * s))
        cv2.ellipse(mask, _pt(brow), axes, 0, 200, 340, 0.9, thickness=round(2.6 * s))
    eyes = _canvas(identity)
    lids = _canvas(identity)
    for eye in (lm.eye_l, lm.eye_r):
        ex, ey = lm.eye_size
        cv2.ellipse(eyes, _pt(eye), (round(ex * s), round(ey * s)), 0, 0, 360, 0.55, -1)
        cv2.circle(eyes, _pt(eye), round(ey * 0.95 * s), 1.0, -1)
        lid_y = eye[1] - ey + 2 * ey * blink
        lid_top = (round((eye[0] - ex) * s), round((eye[1] - ey - 1) * s))
        lid_bottom = (round((eye[0] + ex) * s), round(lid_y * s))
        if blink > 0:
            cv2.rectangle(lids, lid_top, lid_bottom, 1.0, -1)
        cv2.ellipse(
            mask,
            (_pt(eye)[0], round(lid_y * s)),
            (round(ex * s), round(ey * 0.5 * s)),
            0,
            180,
            360,
            0.8,
            thickness=round(1.2 * s),
        )
    mask = np.maximum(mask, eyes * (1 - lids))
    nx, ny = lm.nose
    for side in (-1, 1):
        nostril = (nx + side * lm.eye_size[0] * 0.45, ny)
        cv2.ellipse(mask, _pt(nostril), (round(2.2 * s), round(1.3 * s)), 0, 0, 360, 0.7, -1)
    mx, my = lm.mouth
    hw = lm.mouth_half_width
    cv2.ellipse(mask, _pt((mx, my)), (round(hw * s), round(2.2 * s)), 0, 0, 360, 0.45, -1)
    cv2.line(mask, _pt((mx - hw, my)), _pt((mx + hw, my)), 1.0, thickness=round(1.4 * s))
    return _down(mask, identity)


def render_face(identity: FaceIdentity, skin: np.ndarray, blink: float = 0.0) -> np.ndarray:
    """A neutral face image (float32, 0..255) with the lids closed by ``blink``."""
    darkness = feature_mask(identity, blink) * identity.feature_darkness
    return skin * (1.0 - darkness)
