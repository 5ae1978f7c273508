"""Timing errors and UF1: the same LOSO run on the features of wrong, estimated and true
apexes, and whether the differences are real.

Run: `.venv/bin/python benchmarks/timing_uf1.py --epochs 10 --seeds 3` (`--methods
baseline,ilc` adds rows; `--protocol paper` the other protocol). The synthetic composite
(442 samples) with timing errors injected into the sheet as `motion.py` injects them, the
same draws for the same seed: the apex shifted by 3-6 frames (15%), the apex on the onset
(5%), two frames other than the apex deleted (5%). Three feature sets of the same samples
and labels, differing only in the apex frame the onset-to-apex flow ends at:

- wrong: the sheet's apexes with the injected errors; an apex on the onset flows the onset
  to itself, zero flow and zero strain, which is what such a sheet gives the model;
- estimated: every apex replaced by the peak of the motion curve (`estimate_timing`),
  on the frames left on disk;
- true: the generator's apexes.

Each method trains the same LOSO run on each set (same epochs, seeds and labels: the given,
noisy ones, as Table 2 scores them). Estimated - wrong and true - wrong: the composite UF1
difference with a 95% bootstrap interval over subjects and a paired t-test over seeds, as
the Table 2 comparisons give them.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from meclean.data.feature_store import FeatureStore
from meclean.data.features import compute_features
from meclean.data.flow import FlowSettings
from meclean.data.motion import estimate_timing, motion_curve
from meclean.data.readers import ImportOptions, read_dataset
from meclean.data.readers.discovery import clip_frames, frame_number_of, index_frames
from meclean.data.records import SampleRecord
from meclean.data.synth.generator import generate
from meclean.data.synth.plan import SynthConfig
from meclean.ml.comparison import SeedPredictions, UF1Difference, uf1_difference
from meclean.ml.methods import make_method
from meclean.ml.protocols import protocol_config
from meclean.ml.run import TrainingSet, run_experiment
from meclean.ml.training_data import training_set

CONDITIONS = ("wrong", "estimated", "true")
# motion.py's rates, drawn in its order (it is not imported: its injection returns nothing).
SHIFTED, ON_ONSET, DROPPED = 0.15, 0.05, 0.05


def number(path: Path) -> int:
    found = frame_number_of(path)
    assert found is not None
    return found


def describe_difference(d: UF1Difference) -> str:
    """As table2.py words a comparison."""
    p = "n/a" if d.p_value is None else f"{d.p_value:.3f}"
    verdict = "real" if d.real else "within noise"
    return (
        f"UF1 {d.difference:+.4f} [{d.ci_low:+.4f}, {d.ci_high:+.4f}] over {d.subjects} "
        f"subjects, paired t-test over {d.paired_seeds} seeds p={p}: {verdict}"
    )


def inject(samples: list[SampleRecord], seed: int) -> tuple[list[int], Counter[str]]:
    """The sheet's apex numbers with errors injected (motion.py's draws, in its order);
    deletes the dropped frames on disk."""
    rng = np.random.default_rng(seed)
    apexes, injected = [], Counter[str]()
    for sample in samples:
        folder = sample.onset_path.parent
        onset, apex = number(sample.onset_path), number(sample.apex_path)
        offset = number(sample.offset_path) if sample.offset_path else None
        end = offset if offset is not None else apex
        u = rng.random()
        if u < SHIFTED:
            shift = int(rng.integers(3, 7)) * (1 if rng.random() < 0.5 else -1)
            moved = min(max(apex + shift, onset + 1), end)
            if abs(moved - apex) >= 3:
                apex = moved
                injected["apex shifted by 3-6 frames"] += 1
        elif u < SHIFTED + ON_ONSET:
            apex = onset
            injected["apex on the onset"] += 1
        elif u < SHIFTED + ON_ONSET + DROPPED and end - onset > 4:
            inside = [n for n in sorted(index_frames(folder)) if onset < n < end and n != apex]
            for n in rng.choice(inside, 2, replace=False):
                index_frames(folder)[int(n)].unlink()
            injected["two frames deleted (apex kept)"] += 1
        apexes.append(apex)
    return apexes, injected


def apex_paths(samples: list[SampleRecord], seed: int) -> dict[str, list[Path]]:
    """Each condition's apex frame per sample."""
    true = [s.apex_path for s in samples]
    wrong_numbers, injected = inject(samples, seed)
    wrong = [
        index_frames(s.onset_path.parent)[n] for s, n in zip(samples, wrong_numbers, strict=True)
    ]
    estimated = []
    # OpenCV's threads here would leave the features' forked workers waiting on their locks.
    cv2.setNumThreads(0)
    for sample in samples:
        # The clip ends at the sheet's offset; without one, at the true apex (a wrong sheet
        # would end it at its wrong apex: none of the synthetic samples lacks an offset).
        frames = clip_frames(sample.onset_path, sample.offset_path or sample.apex_path, 400)
        estimated.append(frames[estimate_timing(motion_curve(frames, sample.face)).apex])
    print("injected: " + ", ".join(f"{k} {v}" for k, v in injected.items()))
    off = np.array([abs(number(e) - number(t)) for e, t in zip(estimated, true, strict=True)])
    wrong_off = np.array([abs(number(w) - number(t)) for w, t in zip(wrong, true, strict=True)])
    print(
        f"|estimated - true| apex: median {np.median(off):.0f} frames, mean {off.mean():.2f}; "
        f"exact {np.mean(off == 0):.1%}, within 1 {np.mean(off <= 1):.1%}, within 2 "
        f"{np.mean(off <= 2):.1%}, worst {off.max()}; samples off: estimated "
        f"{int((off > 0).sum())}, wrong {int((wrong_off > 0).sum())} (|wrong - true| mean "
        f"{wrong_off.mean():.2f})"
    )
    print(f"offsets missing: {sum(s.offset_path is None for s in samples)}")
    return {"wrong": wrong, "estimated": estimated, "true": true}


def feature_sets(tmp: Path, seed: int) -> dict[str, TrainingSet]:
    root = tmp / "synth"
    generate(root, SynthConfig(seed=seed), workers=2)
    samples = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv")).samples
    store = FeatureStore(tmp / "features")  # keyed by the frames: a shared apex flows once
    sets = {}
    for condition, paths in apex_paths(samples, seed).items():
        moved = [replace(s, apex_path=p) for s, p in zip(samples, paths, strict=True)]
        start = time.perf_counter()
        results = compute_features(moved, FlowSettings(), store, workers=2)
        failed = [r for r in results if r.key is None]
        if failed:
            raise SystemExit(f"{condition}: {len(failed)} samples failed, first {failed[0]}")
        keys = [r.key for r in results if r.key is not None]
        sets[condition] = training_set(moved, keys, store)
        cached = sum(r.cached for r in results)
        flat = np.abs(sets[condition].features).reshape(len(keys), -1)
        print(
            f"features {condition}: {time.perf_counter() - start:.0f} s "
            f"({cached} of {len(results)} shared with a set before; "
            f"{int((flat.max(1) == 0).sum())} all zero)"
        )
    return sets


def median_cell(values: list[float]) -> str:
    return f"{np.median(values):.4f} ({min(values):.4f}-{max(values):.4f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--methods", default="baseline", help="comma-separated, e.g. baseline,ilc")
    parser.add_argument("--protocol", default="meclean")
    parser.add_argument("--data-seed", type=int, default=0)
    parser.add_argument("--device", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        sets = feature_sets(Path(tmp), args.data_seed)
    labels = sets["true"].labels
    assert all(np.array_equal(s.labels, labels) for s in sets.values())
    seeds = list(range(args.seeds))
    print(
        f"\nbudget: {args.epochs} epochs x {args.seeds} seeds, protocol {args.protocol}, "
        f"{len(set(sets['true'].subjects))} LOSO folds, {len(labels)} samples\n"
        "UF1 and UAR: median over seeds (min-max)"
    )
    print(f"{'method':10s}{'apexes':11s}{'composite UF1':>26s}{'composite UAR':>26s}{'min':>6s}")
    for name in args.methods.split(","):
        runs: dict[str, SeedPredictions] = {}
        for condition in CONDITIONS:
            start = time.perf_counter()
            result = run_experiment(
                sets[condition],
                method=make_method(name, epochs=args.epochs),
                config=protocol_config(args.protocol, epochs=args.epochs, device=args.device),
                seeds=seeds,
                final_model=False,
            )
            minutes = (time.perf_counter() - start) / 60
            uf1s = [s["composite"].uf1 for s in result.scores]
            uars = [s["composite"].uar for s in result.scores]
            print(
                f"{name:10s}{condition:11s}{median_cell(uf1s):>26s}{median_cell(uars):>26s}"
                f"{minutes:6.1f}",
                flush=True,
            )
            runs[condition] = SeedPredictions(
                seeds, np.stack([p.argmax(1) for p in result.seed_probabilities]), labels
            )
        for better in ("estimated", "true"):
            difference = uf1_difference(runs[better], runs["wrong"], sets["true"].subjects)
            print(f"    {better} - wrong: {describe_difference(difference)}", flush=True)
        difference = uf1_difference(runs["true"], runs["estimated"], sets["true"].subjects)
        print(f"    true - estimated: {describe_difference(difference)}", flush=True)


if __name__ == "__main__":
    main()
