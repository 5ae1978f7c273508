"""What keeping each sample's training loss per epoch costs a LOSO run.

Run: `.venv/bin/python benchmarks/loss_history.py [--epochs 5 --repeats 5 --device cuda]`.
Trains the same folds of a roster-sized set (442 samples, 3x60x60, 68 subjects) with and
without the loss history, alternating so that both see the machine alike, and prints the
median ms per fold-epoch of each and their ratio. The inputs are random: the cost does not
depend on what the network learns.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from meclean.ml.loso import TrainConfig, loso_folds, train_group
from meclean.ml.loss_history import LossHistory
from meclean.ml.methods import NoisyLabelMethod

SAMPLES, SUBJECTS = 442, 68


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--folds", type=int, default=4, help="folds trained per timing")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    device = torch.device(args.device)
    features = torch.as_tensor(
        rng.normal(size=(SAMPLES, 3, 60, 60)), dtype=torch.float32, device=device
    )
    labels = torch.as_tensor(rng.integers(0, 3, SAMPLES), device=device)
    subjects = [f"s{i % SUBJECTS}" for i in range(SAMPLES)]
    folds = loso_folds(subjects)[: args.folds]
    config = TrainConfig(epochs=args.epochs, device=args.device, folds_per_step=1)

    def train(keep: bool) -> float:
        start = time.perf_counter()
        for number, fold in enumerate(folds):
            train_group(
                features,
                labels,
                [fold.train],
                [number],
                method=NoisyLabelMethod(),
                config=config,
                seed=0,
                history=LossHistory.empty(SAMPLES, args.epochs) if keep else None,
            )
        if device.type == "cuda":
            torch.cuda.synchronize()
        return 1000 * (time.perf_counter() - start) / (len(folds) * args.epochs)

    train(True)  # warm-up: allocator, kernels
    timings: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.repeats):
        for keep in (False, True):
            timings[keep].append(train(keep))
    without, with_history = (statistics.median(timings[k]) for k in (False, True))
    print(f"{args.folds} folds x {args.epochs} epochs, {args.repeats} repeats, {device}")
    print(f"without the loss history: {without:.1f} ms per fold-epoch (median)")
    print(f"with the loss history:    {with_history:.1f} ms per fold-epoch (median)")
    print(f"ratio: {with_history / without:.3f}x")


if __name__ == "__main__":
    main()
