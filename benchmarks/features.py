"""Seconds to compute features for the full synthetic roster, per flow method.

Run: `.venv/bin/python benchmarks/features.py` (or `make bench`). Prints one row per
method and process count, the speed-up of 2 processes over 1, and the end-point error of
each method's (Vx, Vy) against the synthetic ground-truth motion, so that faster settings
are judged by what they do to the flow and not only by their time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from meclean.data.feature_store import FeatureStore
from meclean.data.features import compute_features
from meclean.data.flow import FlowSettings
from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.synth.clip import apex_field
from meclean.data.synth.generator import generate, plan, subject_identity
from meclean.data.synth.plan import SynthConfig

OPENCV_TVL1_DEFAULTS = FlowSettings(tvl1_scales=5, tvl1_warps=5, tvl1_epsilon=0.01)
CASES: list[tuple[str, FlowSettings]] = [
    ("tvl1 (OpenCV defaults)", OPENCV_TVL1_DEFAULTS),
    ("tvl1 (meclean default)", FlowSettings()),
    ("tvl1 (no border padding)", FlowSettings(border_padding=0)),
    ("farneback", FlowSettings(method="farneback")),
    ("dis", FlowSettings(method="dis")),
]


def ground_truth_motion(config: SynthConfig, size: int) -> dict[tuple[str, str], np.ndarray]:
    """The apex displacement (incl. head drift) of every sample, in pixels of the flow's
    working size, resized like the features."""
    working_h, working_w = FlowSettings().working_size or (None, None)
    truth = {}
    for sample in plan(config):
        identity = subject_identity(config.seed, *sample.identity_key)
        field = apex_field(identity, sample.clip) + np.float32(sample.clip.drift)
        height, width = field.shape[:2]
        if working_w is not None:  # the flow is measured on frames brought to that size
            field = field * np.float32([working_w / width, working_h / height])
        resized = cv2.resize(field, (size, size), interpolation=cv2.INTER_AREA)
        truth[(sample.entry.subject, sample.entry.filename)] = resized
    return truth


def endpoint_error(features: list[np.ndarray], truth: list[np.ndarray]) -> float:
    """Mean end-point error (pixels) where the true motion exceeds 0.2 px."""
    errors = []
    for feature, motion in zip(features, truth, strict=True):
        moving = np.linalg.norm(motion, axis=-1) > 0.2
        if not moving.any():  # faint samples: nothing above the threshold
            continue
        flow = np.moveaxis(feature[:2], 0, -1)
        errors.append(np.linalg.norm(flow - motion, axis=-1)[moving].mean())
    return float(np.mean(errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="runs per case (median taken)")
    parser.add_argument("--cases", default="", help="only the methods whose name holds this")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    config = SynthConfig(seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "synth"
        generate(root, config, workers=2)
        samples = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv")).samples
        truth_by_name = ground_truth_motion(config, 60)
        truth = [truth_by_name[(s.subject, s.name)] for s in samples]
        print(f"{len(samples)} samples, 60x60 features, {cv2.__version__=}\n")
        print(
            f"{'method':24s} {'procs':>5s} {'seconds':>8s} {'ms/pair':>8s} {'speed-up':>9s} "
            f"{'EPE px':>7s}"
        )
        for name, settings in [c for c in CASES if args.cases in c[0]]:
            one_process = None
            for workers in args.processes:
                times = []
                for repeat in range(args.repeats):
                    store = FeatureStore(Path(tmp) / f"f-{name}-{workers}-{repeat}")
                    start = time.perf_counter()
                    results = compute_features(samples, settings, store, workers=workers)
                    times.append(time.perf_counter() - start)
                seconds = statistics.median(times)
                one_process = one_process or seconds
                epe = endpoint_error([store.load(r.key) for r in results], truth)
                print(
                    f"{name:24s} {workers:5d} {seconds:8.1f} {1000 * seconds / len(samples):8.1f} "
                    f"{one_process / seconds:8.2f}x {epe:7.3f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
