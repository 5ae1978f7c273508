"""Images of flow features for people: colour-coded flow, channel panels, class means."""

from __future__ import annotations

import cv2
import numpy as np


def flow_to_color(vx: np.ndarray, vy: np.ndarray, max_magnitude: float | None = None) -> np.ndarray:
    """Flow as a BGR image: hue is the direction, brightness the magnitude."""
    magnitude, angle = cv2.cartToPolar(vx.astype(np.float32), vy.astype(np.float32))
    scale = max_magnitude or float(np.percentile(magnitude, 99)) or 1.0
    hsv = np.zeros((*vx.shape, 3), np.uint8)
    hsv[..., 0] = (angle * 90 / np.pi).astype(np.uint8)
    hsv[..., 1] = 255
    hsv[..., 2] = np.clip(magnitude / scale * 255, 0, 255).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)


def channel_panel(channel: np.ndarray, signed: bool, limit: float | None = None) -> np.ndarray:
    """One channel as a BGR image: signed (Vx, Vy) diverging around grey, strain from black."""
    if signed:
        limit = limit or float(np.percentile(np.abs(channel), 99)) or 1.0
        scaled = np.clip(channel / limit * 127 + 128, 0, 255).astype(np.uint8)
        return cv2.applyColorMap(scaled, cv2.COLORMAP_TWILIGHT_SHIFTED)
    limit = limit or float(np.percentile(channel, 99)) or 1.0
    scaled = np.clip(channel / limit * 255, 0, 255).astype(np.uint8)
    return cv2.applyColorMap(scaled, cv2.COLORMAP_INFERNO)


def feature_triptych(features: np.ndarray, scale: int = 4) -> np.ndarray:
    """Vx | Vy | strain side by side, enlarged ``scale`` times with nearest-neighbour pixels."""
    vx, vy, strain = features
    panels = [channel_panel(vx, True), channel_panel(vy, True), channel_panel(strain, False)]
    row = np.hstack(panels)
    return cv2.resize(row, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)


def class_mean_sheet(means: dict[str, np.ndarray], scale: int = 4) -> np.ndarray:
    """One row per class (triptych), sharing colour limits so classes compare fairly."""
    stack = np.stack(list(means.values()))
    flow_limit = float(np.percentile(np.abs(stack[:, :2]), 99)) or 1.0
    strain_limit = float(np.percentile(stack[:, 2], 99)) or 1.0
    rows = []
    for label, (vx, vy, strain) in means.items():
        panels = [
            channel_panel(vx, True, flow_limit),
            channel_panel(vy, True, flow_limit),
            channel_panel(strain, False, strain_limit),
        ]
        row = cv2.resize(
            np.hstack(panels), None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST
        )
        cv2.putText(row, label, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)
        rows.append(row)
    return np.vstack(rows)
