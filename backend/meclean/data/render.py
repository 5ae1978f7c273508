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


def flow_arrows(apex: np.ndarray, features: np.ndarray, grid: int = 12) -> np.ndarray:
    """The apex frame with the flow drawn as arrows on a ``grid`` x ``grid`` lattice."""
    image = cv2.cvtColor(apex, cv2.COLOR_GRAY2BGR)
    h, w = apex.shape
    vx, vy = features[0], features[1]
    size = vx.shape[0]
    magnitude = np.hypot(vx, vy)
    # Arrows are lengthened so that micro-movements (a pixel or two) stay visible.
    gain = 0.6 * min(h, w) / grid / max(float(np.percentile(magnitude, 99)), 1e-6)
    for gy in range(grid):
        for gx in range(grid):
            i, j = int((gy + 0.5) * size / grid), int((gx + 0.5) * size / grid)
            x0, y0 = (gx + 0.5) * w / grid, (gy + 0.5) * h / grid
            x1, y1 = x0 + gain * vx[i, j], y0 + gain * vy[i, j]
            if np.hypot(x1 - x0, y1 - y0) >= 1.5:
                cv2.arrowedLine(
                    image,
                    (round(x0), round(y0)),
                    (round(x1), round(y1)),
                    (0, 220, 255),
                    1,
                    cv2.LINE_AA,
                    tipLength=0.35,
                )
    return image


RENDER_KINDS = ("onset", "apex", "vx", "vy", "strain", "triptych", "flow", "arrows")


def render_sample(
    kind: str, onset: np.ndarray, apex: np.ndarray, features: np.ndarray, size: int
) -> np.ndarray:
    """One view of a sample, ``size`` pixels high (triptychs are three panels wide)."""
    if kind not in RENDER_KINDS:
        raise ValueError(f"unknown render {kind!r}; choose one of {', '.join(RENDER_KINDS)}")
    if kind in ("onset", "apex"):
        image = onset if kind == "onset" else apex
        return _fit(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), size, cv2.INTER_AREA)
    if kind == "arrows":
        return _fit(flow_arrows(apex, features), size, cv2.INTER_AREA)
    if kind == "flow":
        return _fit(flow_to_color(features[0], features[1]), size, cv2.INTER_NEAREST)
    if kind == "triptych":
        return _fit(feature_triptych(features, scale=1), size, cv2.INTER_NEAREST)
    channel = {"vx": 0, "vy": 1, "strain": 2}[kind]
    panel = channel_panel(features[channel], signed=channel < 2)
    return _fit(panel, size, cv2.INTER_NEAREST)


def _fit(image: np.ndarray, height: int, interpolation: int) -> np.ndarray:
    width = round(image.shape[1] * height / image.shape[0])
    return cv2.resize(image, (width, height), interpolation=interpolation)


def png_bytes(image: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("PNG encoding failed")
    return encoded.tobytes()
