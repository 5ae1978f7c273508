"""The features do not depend on the OpenCV release: the flow of one synthetic face clip,
computed under OpenCV 4.14 and stored (``flow_reference.npz``), is recomputed with the
installed OpenCV and must agree within the tolerance below.

Measured on 2026-12-06 against OpenCV 5.1.0, as shares of each channel's peak (mean /
99th percentile / largest difference): Farneback identical; DIS at most 0.3% / 1.8% /
5.6%; TV-L1 flow 0.4% / 2.0% / 15%, its strain 0.9% / 4.7% / 41%, the largest along the
bottom row under the mouth (the iterative solver stops at a tolerance, and the releases
differ at the image border). Regenerate the reference only
under OpenCV 4.x: ``python -m tests.data.test_flow_versions``."""

from pathlib import Path

import numpy as np
import pytest

from meclean.data.flow import FLOW_METHODS, FlowSettings, flow_features

REFERENCE = Path(__file__).with_name("flow_reference.npz")
CHANNELS = ("Vx", "Vy", "strain")
MEAN_TOLERANCE = 0.02
"""Mean absolute difference, as a share of the channel's peak."""
P99_TOLERANCE = 0.08
"""99th percentile of the absolute difference, as a share of the channel's peak."""


@pytest.mark.parametrize("method", FLOW_METHODS)
def test_features_match_the_opencv_4_reference_within_tolerance(method):
    reference = np.load(REFERENCE)

    # The reference predates the border padding: the releases are compared on the same
    # computation (the padding is OpenCV's copyMakeBorder, the same in both).
    settings = FlowSettings(method=method, border_padding=0)
    features = flow_features(reference["onset"], reference["apex"], settings)

    expected = reference[method]
    for channel, name in enumerate(CHANNELS):
        peak = float(np.abs(expected[channel]).max())
        difference = np.abs(features[channel] - expected[channel])
        assert difference.mean() <= MEAN_TOLERANCE * peak, (method, name, difference.mean())
        assert np.percentile(difference, 99) <= P99_TOLERANCE * peak, (method, name)


def write_reference() -> None:
    import cv2

    from meclean.data.synth.action_units import sample_movement
    from meclean.data.synth.clip import ClipSpec, render_clip
    from meclean.data.synth.face import skin_layer
    from meclean.data.synth.generator import subject_identity

    assert cv2.__version__.startswith("4."), "the reference is OpenCV 4.x's"
    identity = subject_identity(0, "casme2", "01")
    movement = sample_movement("positive", np.random.default_rng(3))
    spec = ClipSpec(
        movements=(movement,),
        amplitude=1.5,
        n_frames=9,
        apex_index=4,
        drift=(0.3, -0.2),
        blink_at=None,
        blink_depth=0.0,
        sensor_noise=2.0,
        flicker=0.0,
        noise_seed=1,
    )
    frames = render_clip(identity, skin_layer(identity), spec)
    onset, apex = frames[0], frames[spec.apex_index]
    features = {
        m: flow_features(onset, apex, FlowSettings(method=m, border_padding=0))
        for m in FLOW_METHODS
    }
    np.savez_compressed(REFERENCE, onset=onset, apex=apex, opencv=cv2.__version__, **features)


if __name__ == "__main__":
    write_reference()
