"""Images of flow features for people: colour-coded flow, channel panels, class means.

Panels have the face's shape (the flow's working size), not the square the network reads,
and renders large enough to be read carry their scale: a title over each column and a
colour bar with its limits under it (Vx, Vy in pixels of the working size), or a colour
wheel for the colour-coded flow.
"""

from __future__ import annotations

import cv2
import numpy as np

from meclean.data.flow import FlowSettings

_WORKING = FlowSettings().working_size or (170, 140)
FACE_ASPECT = _WORKING[0] / _WORKING[1]
"""Height over width of the face crops the flow is computed on."""
ANNOTATED_FROM = 180
"""Renders at least this high carry titles and colour bars; smaller ones are thumbnails."""
TITLE_HEIGHT, BAR_HEIGHT = 16, 26
_FONT, _TEXT = cv2.FONT_HERSHEY_SIMPLEX, (235, 235, 235)


def channel_limit(channel: np.ndarray, signed: bool) -> float:
    """The colour scale's end: the 99th percentile of |value| (signed) or of the value."""
    values = np.abs(channel) if signed else channel
    return float(np.percentile(values, 99)) or 1.0


def _colour(scaled: np.ndarray, signed: bool) -> np.ndarray:
    colour_map = cv2.COLORMAP_TWILIGHT_SHIFTED if signed else cv2.COLORMAP_INFERNO
    return cv2.applyColorMap(scaled, colour_map)


def channel_panel(channel: np.ndarray, signed: bool, limit: float | None = None) -> np.ndarray:
    """One channel as a BGR image: signed (Vx, Vy) diverging around grey, strain from black."""
    limit = limit or channel_limit(channel, signed)
    if signed:
        scaled = np.clip(channel / limit * 127 + 128, 0, 255).astype(np.uint8)
    else:
        scaled = np.clip(channel / limit * 255, 0, 255).astype(np.uint8)
    return _colour(scaled, signed)


def flow_to_color(vx: np.ndarray, vy: np.ndarray, max_magnitude: float | None = None) -> np.ndarray:
    """Flow as a BGR image: hue is the direction, brightness the magnitude."""
    magnitude, angle = cv2.cartToPolar(vx.astype(np.float32), vy.astype(np.float32))
    scale = max_magnitude or float(np.percentile(magnitude, 99)) or 1.0
    hsv = np.zeros((*vx.shape, 3), np.uint8)
    hsv[..., 0] = (angle * 90 / np.pi).astype(np.uint8)
    hsv[..., 1] = 255
    hsv[..., 2] = np.clip(magnitude / scale * 255, 0, 255).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)


def colour_wheel(diameter: int) -> np.ndarray:
    """The key to ``flow_to_color``: direction as hue, magnitude growing to the rim."""
    axis = np.linspace(-1, 1, diameter, dtype=np.float32)
    vx, vy = np.meshgrid(axis, axis)
    wheel = flow_to_color(vx, vy, max_magnitude=1.0)
    wheel[np.hypot(vx, vy) > 1] = 0
    return wheel


def colour_bar(width: int, signed: bool, limit: float, unit: str) -> np.ndarray:
    """A strip of ``BAR_HEIGHT``: the panel's colour scale with its two ends written out."""
    ramp = np.linspace(0, 255, width).astype(np.uint8)[None, :].repeat(8, axis=0)
    bar = np.zeros((BAR_HEIGHT, width, 3), np.uint8)
    bar[2:10] = _colour(ramp, signed)
    low = f"{-limit:.2g}" if signed else "0"
    high = f"{limit:.2g} {unit}".strip()
    _write(bar, low, (2, BAR_HEIGHT - 4))
    (text_width, _), _ = cv2.getTextSize(high, _FONT, 0.38, 1)
    _write(bar, high, (max(2, width - text_width - 2), BAR_HEIGHT - 4))
    return bar


def _write(image: np.ndarray, text: str, origin: tuple[int, int], boxed: bool = False) -> None:
    if boxed:  # on a picture, text needs a dark box to be read
        (width, height), _ = cv2.getTextSize(text, _FONT, 0.38, 1)
        x, y = origin
        cv2.rectangle(image, (x - 2, y - height - 3), (x + width + 2, y + 3), (0, 0, 0), -1)
    cv2.putText(image, text, origin, _FONT, 0.38, _TEXT, 1, cv2.LINE_AA)


def _titled(panel: np.ndarray, title: str) -> np.ndarray:
    strip = np.zeros((TITLE_HEIGHT, panel.shape[1], 3), np.uint8)
    _write(strip, title, (3, TITLE_HEIGHT - 4))
    return np.vstack([strip, panel])


def _face_shaped(image: np.ndarray, height: int) -> np.ndarray:
    """A square feature map brought back to the face's shape, ``height`` pixels high."""
    width = max(1, round(height / FACE_ASPECT))
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_NEAREST)


CHANNELS = (("Vx", True, "px"), ("Vy", True, "px"), ("strain", False, ""))


def channel_columns(
    features: np.ndarray,
    height: int,
    annotated: bool,
    limits: tuple[float, ...] | None = None,
    channels: tuple[int, ...] = (0, 1, 2),
    signs: tuple[bool, ...] | None = None,
) -> np.ndarray:
    """The chosen channels side by side, ``height`` high; annotated: titled, with colour bars.
    ``limits`` (Vx, Vy, strain) put several images on one scale; ``signs`` overrides
    which channels are drawn diverging around zero."""
    panel_height = height - (TITLE_HEIGHT + BAR_HEIGHT if annotated else 0)
    columns = []
    for c in channels:
        title, signed, unit = CHANNELS[c]
        signed = signs[c] if signs else signed
        limit = limits[c] if limits else channel_limit(features[c], signed)
        panel = _face_shaped(channel_panel(features[c], signed, limit), panel_height)
        if annotated:
            bar = colour_bar(panel.shape[1], signed, limit, unit)
            panel = np.vstack([_titled(panel, title), bar])
        columns.append(panel)
    return np.hstack(columns)


def sheet_limits(means: list[np.ndarray], difference: bool = False) -> tuple[float, float, float]:
    """One colour scale (Vx, Vy, strain) for class means, those of several sheets included:
    Vx and Vy share theirs. ``difference``: strain is signed too."""
    stack = np.stack(means)
    flow_limit = float(np.percentile(np.abs(stack[:, :2]), 99)) or 1.0
    strain = np.abs(stack[:, 2]) if difference else stack[:, 2]
    return flow_limit, flow_limit, float(np.percentile(strain, 99)) or 1.0


def class_mean_sheet(
    means: dict[str, np.ndarray],
    height: int = 240,
    difference: bool = False,
    limits: tuple[float, float, float] | None = None,
) -> np.ndarray:
    """One row per class (Vx | Vy | strain), ``height`` high each, every row on the same
    colour scale so classes compare fairly (``limits``, to share it with another sheet),
    and the colour bars beneath them. The keys label the rows. ``difference``: the means
    are differences, strain signed too."""
    limits = limits or sheet_limits(list(means.values()), difference)
    signs = (True, True, difference)
    rows = []
    for label, features in means.items():
        row = channel_columns(features, height, annotated=False, limits=limits, signs=signs)
        _write(row, label, (4, 14), boxed=True)
        rows.append(row)
    return np.vstack([*rows, _bars(rows[0].shape[1], limits, signs)])


def _bars(width: int, limits: tuple[float, ...], signs: tuple[bool, ...]) -> np.ndarray:
    each = width // 3
    bars = [
        colour_bar(each, signed, limit, unit)
        for limit, signed, (_, _, unit) in zip(limits, signs, CHANNELS, strict=True)
    ]
    strip = np.hstack(bars)
    return np.hstack([strip, np.zeros((BAR_HEIGHT, width - strip.shape[1], 3), np.uint8)])


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


def dataset_limits(features: np.ndarray) -> tuple[float, float, float]:
    """Colour limits (Vx, Vy, strain) of many samples' features (N, 3, H, W), so their
    renders share one scale."""
    return (
        channel_limit(features[:, 0], True),
        channel_limit(features[:, 1], True),
        channel_limit(features[:, 2], False),
    )


def render_sample(
    kind: str,
    onset: np.ndarray,
    apex: np.ndarray,
    features: np.ndarray,
    size: int,
    limits: tuple[float, float, float] | None = None,
) -> np.ndarray:
    """One view of a sample, ``size`` pixels high; from ``ANNOTATED_FROM`` up with its scale.
    ``limits`` (Vx, Vy, strain; see ``dataset_limits``) replace the sample's own."""
    if kind not in RENDER_KINDS:
        raise ValueError(f"unknown render {kind!r}; choose one of {', '.join(RENDER_KINDS)}")
    annotated = size >= ANNOTATED_FROM
    if kind in ("onset", "apex"):
        return frame_image(onset if kind == "onset" else apex, size)
    if kind == "arrows":
        return _fit(flow_arrows(apex, features), size, cv2.INTER_AREA)
    if kind == "flow":
        magnitude = float(np.hypot(limits[0], limits[1])) if limits else None
        image = _face_shaped(flow_to_color(features[0], features[1], magnitude), size)
        if annotated:  # the wheel in the corner says which colour is which direction
            wheel = colour_wheel(max(24, size // 4))
            image[: wheel.shape[0], -wheel.shape[1] :] = wheel
        return image
    channels = (0, 1, 2) if kind == "triptych" else ({"vx": 0, "vy": 1, "strain": 2}[kind],)
    return channel_columns(features, size, annotated, limits, channels)


def frame_image(frame: np.ndarray, height: int) -> np.ndarray:
    """A grayscale frame as a BGR image ``height`` pixels high."""
    return _fit(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), height, cv2.INTER_AREA)


def _fit(image: np.ndarray, height: int, interpolation: int) -> np.ndarray:
    width = round(image.shape[1] * height / image.shape[0])
    return cv2.resize(image, (width, height), interpolation=interpolation)


def png_bytes(image: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("PNG encoding failed")
    return encoded.tobytes()
