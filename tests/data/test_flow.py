import cv2
import numpy as np
import pytest

from meclean.data.flow import FlowSettings, flow_features, optical_flow, optical_strain
from tests.data.helpers import portrait
from tests.helpers import textured_frame


def test_strain_of_a_linear_flow_field_equals_the_formula():
    ys, xs = np.mgrid[0:40, 0:50].astype(np.float32)
    a, b, c, d = 0.03, -0.02, 0.05, 0.01  # u = a x + b y, v = c x + d y
    flow = np.dstack([a * xs + b * ys, c * xs + d * ys])

    strain = optical_strain(flow)

    exx, eyy, exy = a, d, (b + c) / 2
    np.testing.assert_allclose(strain, np.sqrt(exx**2 + eyy**2 + 2 * exy**2), rtol=1e-5)


def test_strain_of_a_quadratic_field_follows_its_local_gradients():
    ys, xs = np.mgrid[0:64, 0:64].astype(np.float64)
    flow = np.dstack([0.001 * xs**2, 0.002 * xs * ys])

    strain = optical_strain(flow)

    exx, eyy, exy = 0.002 * xs, 0.002 * xs, (0 + 0.002 * ys) / 2
    expected = np.sqrt(exx**2 + eyy**2 + 2 * exy**2)
    np.testing.assert_allclose(strain[1:-1, 1:-1], expected[1:-1, 1:-1], rtol=1e-4, atol=1e-6)


def test_noise_in_the_flow_makes_no_brighter_strain_along_the_border():
    rng = np.random.default_rng(0)
    flow = 0.05 * rng.standard_normal((140, 170, 2)).astype(np.float32)

    strain = optical_strain(flow)

    interior = strain[2:-2, 2:-2].mean()
    for border in (strain[0], strain[-1], strain[:, 0], strain[:, -1]):
        assert border.mean() / interior < 1.1


def _face_moving_in_its_middle(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A face (as a release crops it, 280x340) whose middle moves by up to 1.5 px between
    two frames that each carry their own sensor noise; its border does not move."""
    rng = np.random.default_rng(seed)
    face = cv2.resize(portrait()[20:300, 130:360], (280, 340), interpolation=cv2.INTER_AREA)
    ys, xs = np.mgrid[0:340, 0:280].astype(np.float32)
    bump = np.exp(-(((ys - 170) / 42) ** 2 + ((xs - 140) / 35) ** 2))
    apex = cv2.remap(face, xs - 1.5 * bump, ys - 0.75 * bump, cv2.INTER_LINEAR)
    noisy = [np.clip(f + rng.normal(0, 2, f.shape), 0, 255).astype(np.uint8) for f in (face, apex)]
    return noisy[0], noisy[1]


def test_a_face_moving_only_in_its_middle_has_no_bright_frame_in_its_strain():
    settings = FlowSettings()
    ratios, moved = [], []
    for seed in range(3):
        onset, apex = _face_moving_in_its_middle(seed)
        vx, vy, strain = flow_features(onset, apex, settings)
        # The features' strain along each edge against the band a few pixels inside it.
        for edge, inside in ((strain[0], strain[4]), (strain[-1], strain[-5])):
            ratios.append(edge.mean() / inside.mean())
        for edge, inside in ((strain[:, 0], strain[:, 4]), (strain[:, -1], strain[:, -5])):
            ratios.append(edge.mean() / inside.mean())
        moved.append(np.hypot(vx, vy)[25:35, 25:35].mean() / np.hypot(vx, vy)[:5].mean())

    assert max(ratios) < 1.5, ratios
    assert min(moved) > 5  # the middle's motion is still there, far above the border's


def test_without_padding_the_strain_would_frame_the_face():
    onset, apex = _face_moving_in_its_middle(0)

    strain = flow_features(onset, apex, FlowSettings(border_padding=0))[2]

    assert strain[0].mean() / strain[4].mean() > 2  # what the padding removes


def test_rigid_translation_has_no_strain():
    flow = np.full((30, 30, 2), 1.5, np.float32)
    assert np.abs(optical_strain(flow)).max() == 0


@pytest.mark.parametrize("method", ["tvl1", "farneback", "dis"])
def test_each_method_recovers_a_known_subpixel_shift(method):
    import cv2

    onset = textured_frame(0, (80, 80))
    shift = np.float32([[1, 0, 0.6], [0, 1, -0.4]])
    apex = cv2.warpAffine(
        onset, shift, (80, 80), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT
    )

    flow = optical_flow(onset, apex, FlowSettings(method=method))

    centre = flow[20:60, 20:60].reshape(-1, 2)
    np.testing.assert_allclose(np.median(centre, axis=0), [0.6, -0.4], atol=0.1)


def test_features_are_three_channels_at_the_requested_size():
    onset, apex = textured_frame(1, (90, 70)), textured_frame(1, (90, 70))
    assert flow_features(onset, apex, FlowSettings(size=28)).shape == (3, 28, 28)


def test_settings_reject_unknown_methods_and_sizes():
    with pytest.raises(ValueError, match="unknown flow method"):
        FlowSettings(method="lucas")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="outside"):
        FlowSettings(size=4)


def rendered_motion(scale: int) -> tuple[np.ndarray, np.ndarray]:
    """One scene and its motion (a 1.2 px shift at 85x70), rendered ``scale`` times larger."""
    import cv2

    base = textured_frame(3, (85, 70))
    scene = cv2.resize(base, (70 * scale, 85 * scale), interpolation=cv2.INTER_CUBIC)
    shift = np.float32([[1, 0, 1.2 * scale], [0, 1, 0]])
    moved = cv2.warpAffine(
        scene, shift, scene.shape[::-1], flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT
    )
    return scene, moved


def test_one_motion_at_two_resolutions_gives_the_same_features_at_one_working_size():
    small, large = rendered_motion(2), rendered_motion(4)
    settings = FlowSettings(method="farneback", size=28)

    a, b = flow_features(*small, settings), flow_features(*large, settings)

    centre = (slice(None), slice(6, 22), slice(6, 22))
    np.testing.assert_allclose(np.median(a[centre][0]), np.median(b[centre][0]), rtol=0.1)
    assert abs(np.median(a[centre][0]) - 2.4) < 0.2  # the shift in pixels of 170x140


def test_without_a_working_size_the_flow_keeps_each_resolutions_magnitude():
    small, large = rendered_motion(2), rendered_motion(4)
    settings = FlowSettings(method="farneback", size=28, working_size=None)

    a, b = flow_features(*small, settings), flow_features(*large, settings)

    ratio = np.median(b[0, 6:22, 6:22]) / np.median(a[0, 6:22, 6:22])
    assert 1.7 < ratio < 2.3
