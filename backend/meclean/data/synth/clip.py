"""A micro-expression clip: the face warped by AU motion that rises to the apex and fades."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from meclean.data.synth.action_units import Movement, displacement_field
from meclean.data.synth.face import FaceIdentity, render_face


@dataclass(frozen=True)
class ClipSpec:
    """Every random choice behind one clip, so the clip can be rendered again."""

    movements: tuple[Movement, ...]
    amplitude: float
    """Peak displacement at the apex, in pixels, before the movements' weights."""
    n_frames: int
    apex_index: int
    drift: tuple[float, float]
    """Head translation between onset and apex, in pixels."""
    blink_at: int | None
    """Frame index of the deepest blink, if the subject blinks."""
    blink_depth: float
    sensor_noise: float
    flicker: float
    noise_seed: int
    extra: dict[str, str] = field(default_factory=dict)


def intensity_profile(n_frames: int, apex_index: int) -> np.ndarray:
    """0 at the onset, 1 at the apex, fading towards 0.2 at the offset."""
    profile = np.zeros(n_frames, np.float32)
    for i in range(n_frames):
        if i <= apex_index:
            profile[i] = math.sin(math.pi / 2 * i / apex_index) ** 2
        else:
            tail = (i - apex_index) / max(n_frames - 1 - apex_index, 1)
            profile[i] = 1.0 - 0.8 * math.sin(math.pi / 2 * tail) ** 2
    return profile


def apex_field(identity: FaceIdentity, spec: ClipSpec) -> np.ndarray:
    """The expression's displacement at the apex, (H, W, 2) pixels, without head motion."""
    shape = (identity.height, identity.width)
    total = np.zeros((*shape, 2), np.float32)
    for movement in spec.movements:
        total += displacement_field(
            movement.aus, identity.landmarks, shape, movement.side, movement.weight
        )
    peak = float(np.abs(total).max())
    return total * (spec.amplitude / peak) if peak > 0 else total


def render_clip(identity: FaceIdentity, skin: np.ndarray, spec: ClipSpec) -> list[np.ndarray]:
    """The clip's frames as uint8 grayscale images."""
    rng = np.random.default_rng(spec.noise_seed)
    motion = apex_field(identity, spec)
    profile = intensity_profile(spec.n_frames, spec.apex_index)
    ys, xs = np.mgrid[0 : identity.height, 0 : identity.width].astype(np.float32)
    frames = []
    for i in range(spec.n_frames):
        blink = 0.0
        if spec.blink_at is not None:
            blink = spec.blink_depth * max(0.0, 1.0 - abs(i - spec.blink_at) / 2.0)
        face = render_face(identity, skin, blink)
        head = min(i / spec.apex_index, 1.5)
        dx = motion[..., 0] * profile[i] + spec.drift[0] * head
        dy = motion[..., 1] * profile[i] + spec.drift[1] * head
        # Backward warp: the pixel at x shows what was at x - d(x) in the neutral face.
        warped = cv2.remap(
            face, xs - dx, ys - dy, interpolation=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT
        )
        gain = 1.0 + spec.flicker * rng.standard_normal()
        noisy = warped * gain + spec.sensor_noise * rng.standard_normal(warped.shape)
        frames.append(np.clip(noisy, 0, 255).astype(np.uint8))
    return frames
