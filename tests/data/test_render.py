"""Renders a researcher can read: the face's shape, no letterbox, and their scale."""

import numpy as np
import pytest

from meclean.data.render import (
    ANNOTATED_FROM,
    BAR_HEIGHT,
    FACE_ASPECT,
    TITLE_HEIGHT,
    class_mean_sheet,
    colour_wheel,
    render_sample,
)

FRAME = np.full((170, 140), 128, np.uint8)


@pytest.fixture
def features():
    rng = np.random.default_rng(0)
    return np.stack(
        [rng.normal(0, 0.3, (60, 60)), rng.normal(0, 0.3, (60, 60)), rng.uniform(0, 0.2, (60, 60))]
    ).astype(np.float32)


def test_a_thumbnail_triptych_has_three_face_shaped_panels_and_no_letterbox(features):
    image = render_sample("triptych", FRAME, FRAME, features, 120)

    assert image.shape == (120, 3 * round(120 / FACE_ASPECT), 3)
    assert image[0].any() and image[-1].any()  # no black band above or below


def test_a_large_render_carries_titles_and_a_colour_bar_with_its_limits(features):
    size = ANNOTATED_FROM
    plain = render_sample("vx", FRAME, FRAME, features, ANNOTATED_FROM - 1)
    annotated = render_sample("vx", FRAME, FRAME, features, size)

    assert annotated.shape[0] == size
    assert annotated.shape[1] == round((size - TITLE_HEIGHT - BAR_HEIGHT) / FACE_ASPECT)
    title, bar = annotated[:TITLE_HEIGHT], annotated[-BAR_HEIGHT:]
    assert title.max() > 200 and np.median(title) == 0  # light letters on black
    ramp = bar[5]
    assert len({tuple(p) for p in ramp}) > 20  # the colour scale itself
    assert plain.shape[0] == ANNOTATED_FROM - 1 and plain[0].std() > 0  # a thumbnail: no title


def test_class_means_share_one_scale_and_end_with_its_colour_bars(features):
    sheet = class_mean_sheet({"negative": features, "positive": 2 * features}, height=100)

    assert sheet.shape[0] == 2 * 100 + BAR_HEIGHT
    strain = slice(2 * sheet.shape[1] // 3, None)
    weak, strong = sheet[20:100, strain], sheet[120:200, strain]
    # On one scale, the class with twice the strain is drawn brighter (inferno: bright = high).
    assert strong.mean() > 1.3 * weak.mean()


def test_the_colour_wheel_is_black_outside_its_rim():
    wheel = colour_wheel(41)

    assert not wheel[0, 0].any() and wheel[20, 38].any()
