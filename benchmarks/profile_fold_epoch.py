"""Where a LOSO fold-epoch of meclean's CPU trainer spends its time: a torch.profiler table.

Run: `.venv/bin/python benchmarks/profile_fold_epoch.py [--threads 1,2 --epochs 3]`.
Trains one fold of a roster-sized set (442 random 3x60x60 inputs, 68 subjects, batch 128,
the `meclean` protocol, plain cross-entropy) for ``--epochs`` epochs after one unprofiled
epoch, under torch.profiler, once per thread count. Prints, per operator and direction
(forward, backward, optimiser), its time per fold-epoch, its share, and what it achieved:
GFLOP/s for the convolutions and matrix products, GB/s of the tensors it read for the
rest (a lower bound on its memory traffic). The inputs are random: the cost does not
depend on what the network learns.
"""

from __future__ import annotations

import argparse
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import torch
from torch.autograd.profiler_util import FunctionEvent
from torch.profiler import ProfilerActivity, profile

from meclean.ml.loso import TrainConfig, loso_folds, train_group
from meclean.ml.methods import NoisyLabelMethod

SAMPLES, SUBJECTS = 442, 68
STEM_CHANNELS = 3
"""The network's input channels: the first convolution computes no input gradient."""


@dataclass
class OperatorCost:
    microseconds: float = 0.0
    calls: int = 0
    flops: float = 0.0
    bytes_read: float = 0.0


def direction(event: FunctionEvent) -> str:
    """Backward if autograd's engine called it, optimiser if the optimiser's step did."""
    node: FunctionEvent | None = event
    while node is not None:
        if node.name.startswith("autograd::engine::evaluate_function"):
            return "backward"
        if node.name.startswith("Optimizer.step"):
            return "optimiser"
        node = node.cpu_parent
    return "forward"


def tensor_bytes(shapes: list[list[int]]) -> float:
    return 4.0 * sum(math.prod(s) for s in shapes if s)


def convolution_backward_flops(shapes: list[list[int]]) -> float:
    """Weight gradient always; input gradient except for the first layer (no input grad)."""
    grad_out, inputs, weight = shapes[0], shapes[1], shapes[2]
    one = 2.0 * math.prod(grad_out) * math.prod(weight[1:])
    return one if inputs[1] == STEM_CHANNELS else 2 * one


def convolution_flops(shapes: list[list[int]]) -> float:
    inputs, weight = shapes[0], shapes[1]
    out_h, out_w = inputs[2] - weight[2] + 1, inputs[3] - weight[3] + 1
    return 2.0 * inputs[0] * weight[0] * out_h * out_w * math.prod(weight[1:])


def fused_layer_flops(batch: int, channels: int, pooled: int, pool: int = 3) -> float:
    """The first layer's convolution over the outputs its max-pool reads (5x5 over 3
    channels), forward or weight gradient: what PyTorch's layers compute for it."""
    return 2.0 * batch * channels * (pooled * pool) ** 2 * 5 * 5 * STEM_CHANNELS


def profile_epochs(threads: int, epochs: int) -> tuple[dict[tuple[str, str], OperatorCost], float]:
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    features = torch.as_tensor(rng.normal(size=(SAMPLES, 3, 60, 60)), dtype=torch.float32)
    labels = torch.as_tensor(rng.integers(0, 3, SAMPLES))
    fold = loso_folds([f"s{i % SUBJECTS}" for i in range(SAMPLES)])[0]

    def train(n: int) -> None:
        config = TrainConfig(epochs=n, device="cpu", folds_per_step=1)
        train_group(
            features, labels, [fold.train], [0], method=NoisyLabelMethod(), config=config, seed=0
        )

    train(1)
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True, with_flops=True) as prof:
        train(epochs)
    costs: dict[tuple[str, str], OperatorCost] = defaultdict(OperatorCost)
    for event in prof.events():
        if event.self_cpu_time_total <= 0 or event.name.startswith(("autograd::", "Optimizer.")):
            continue
        cost = costs[event.name, direction(event)]
        cost.microseconds += event.self_cpu_time_total / epochs
        cost.calls += 1
        shapes = [list(s) for s in event.input_shapes if isinstance(s, list | tuple)]
        if event.name == "aten::convolution_backward":
            cost.flops += convolution_backward_flops(shapes) / epochs
        elif event.name == "aten::mkldnn_convolution":
            cost.flops += convolution_flops(shapes) / epochs
        elif event.name == "_ConvMaxPool":
            batch, weight = shapes[0][0], shapes[1]
            pooled = (shapes[0][2] - weight[2] + 1) // 3
            cost.flops += fused_layer_flops(batch, weight[0], pooled) / epochs
        elif event.name == "_ConvMaxPoolBackward":
            batch, channels, pooled, _ = shapes[0]
            cost.flops += fused_layer_flops(batch, channels, pooled) / epochs
        elif event.flops:
            cost.flops += event.flops / epochs
        cost.bytes_read += tensor_bytes(shapes) / epochs
    total = sum(c.microseconds for c in costs.values())
    return costs, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--epochs", type=int, default=3, help="profiled epochs")
    parser.add_argument("--top", type=int, default=16, help="rows printed per thread count")
    args = parser.parse_args()
    for threads in (int(t) for t in args.threads.split(",")):
        costs, total = profile_epochs(threads, args.epochs)
        print(
            f"\n{threads} thread(s): {total / 1000:.1f} ms of operator time per fold-epoch "
            f"(self time; {args.epochs} profiled epochs)\n"
        )
        print("| operator | direction | ms per fold-epoch | share | calls | GFLOP/s | GB/s read |")
        print("|---|---|---|---|---|---|---|")
        ranked = sorted(costs.items(), key=lambda item: -item[1].microseconds)
        for (name, way), cost in ranked[: args.top]:
            seconds = cost.microseconds / 1e6
            gflops = f"{cost.flops / seconds / 1e9:.1f}" if cost.flops else ""
            gbs = f"{cost.bytes_read / seconds / 1e9:.1f}" if not cost.flops else ""
            calls = cost.calls // args.epochs
            print(
                f"| {name} | {way} | {cost.microseconds / 1000:.1f} | "
                f"{cost.microseconds / total:.0%} | {calls} | {gflops} | {gbs} |"
            )
        rest = sum(c.microseconds for _, c in ranked[args.top :])
        others = len(ranked) - args.top
        print(f"| {others} other operators | | {rest / 1000:.1f} | {rest / total:.0%} | | | |")


if __name__ == "__main__":
    main()
