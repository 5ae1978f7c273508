"""Full LOSO training: meclean's trainer against a straightforward per-fold loop.

Run: `.venv/bin/python benchmarks/loso_speed.py [--epochs 200 --seeds 3 --device cuda]`.
Both train SSSNet24 with plain cross-entropy on the same synthetic roster
(3x60x60 inputs), 68 folds, batch 128, SGD 0.01/0.9/1e-3. The straightforward loop is what
a first implementation looks like (the published code's structure): a DataLoader over a
TensorDataset, one fold after another, conv -> ReLU -> pool in NCHW. meclean's trainer
keeps tensors on the device, pools before ReLU in channels-last, and trains
``--folds-per-step`` folds side by side; ``--processes N`` also times it with the folds
split over N single-threaded processes (`meclean worker --concurrency N`). Each timing runs
in a fresh process (started before the clock), so that no trainer inherits another's
process state (meclean's trainer tunes the process's allocator; the "straightforward,
heap" row gives the plain loop the same setting, to tell it apart from the rest).
``--bf16`` adds meclean's trainer in bfloat16 autocast. Prints ms per fold-epoch, the
projected time of the full protocol (68 folds x 200 epochs), the ratios, and UF1/UAR of
each per seed.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path
from unittest import mock

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from meclean.ml import conv_max_pool
from meclean.ml.allocator import keep_freed_memory
from meclean.ml.loso import LosoOutput, TrainConfig, loso_folds, train_loso
from meclean.ml.methods import NoisyLabelMethod
from meclean.ml.metrics import score
from meclean.ml.run import TrainingSet

FULL_FOLD_EPOCHS = 68 * 200


def straightforward_sssnet() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 14, 5),
        nn.ReLU(),
        nn.MaxPool2d(3, 3),
        nn.BatchNorm2d(14),
        nn.Dropout2d(0.5),
        nn.Conv2d(14, 24, 3),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.BatchNorm2d(24),
        nn.Dropout2d(0.5),
        nn.Flatten(),
        nn.Linear(8 * 8 * 24, 128),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, 3),
    )


def straightforward_loso(data: TrainingSet, epochs: int, seed: int, device: str) -> np.ndarray:
    """Out-of-fold predictions from the per-fold loop."""
    torch.manual_seed(seed)
    x = torch.as_tensor(data.features)
    y = torch.as_tensor(data.labels)
    predictions = np.zeros(len(y), np.int64)
    for fold in loso_folds(data.subjects):
        train = torch.as_tensor(fold.train)
        scale = x[train].std(dim=(0, 2, 3)).reshape(1, 3, 1, 1)
        loader = DataLoader(TensorDataset(x[train] / scale, y[train]), batch_size=128, shuffle=True)
        model = straightforward_sssnet().to(device)
        optimiser = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        model.train()
        for _ in range(epochs):
            for xb, yb in loader:
                optimiser.zero_grad()
                loss_fn(model(xb.to(device)), yb.to(device)).backward()
                optimiser.step()
        model.eval()
        with torch.no_grad():
            test = torch.as_tensor(fold.test)
            predictions[fold.test] = model((x[test] / scale).to(device)).argmax(1).cpu().numpy()
    return predictions


def _one_thread(*_: object) -> None:
    torch.set_num_threads(1)


def _threads(n: int) -> None:
    torch.set_num_threads(n)


Timed = tuple[float, np.ndarray, float]
"""Seconds, predictions, and peak GPU memory (MiB) of one trainer's run."""


def _timed(run: Callable[..., np.ndarray], *args: object) -> Timed:
    start = time.perf_counter()
    predictions = run(*args)  # on the host: every GPU kernel has finished
    seconds = time.perf_counter() - start
    gpu = torch.cuda.max_memory_allocated() / 2**20 if torch.cuda.is_available() else 0.0
    return seconds, predictions, gpu


def straightforward_loso_heap(data: TrainingSet, epochs: int, seed: int, device: str) -> np.ndarray:
    """The straightforward loop with meclean's allocator setting: what the setting alone
    gives a plain loop."""
    keep_freed_memory()
    return straightforward_loso(data, epochs, seed, device)


def meclean_loso(
    data: TrainingSet, config: TrainConfig, seed: int, pytorch_layers: bool = False
) -> np.ndarray:
    return _folds(data, config, seed, None, pytorch_layers).probabilities.argmax(1)


def in_fresh_process(threads: int, run: Callable[..., np.ndarray], *args: object) -> Timed:
    """``run(*args)`` timed in a new process with ``threads`` threads."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, context, initializer=_threads, initargs=(threads,)) as pool:
        pool.submit(_threads, threads).result()  # started before the clock
        return pool.submit(_timed, run, *args).result()


def _folds(
    data: TrainingSet,
    config: TrainConfig,
    seed: int,
    numbers: list[int] | None,
    pytorch_layers: bool = False,
) -> LosoOutput:
    """meclean's trainer on the folds ``numbers`` (None: all of them); ``pytorch_layers``:
    with PyTorch's first layer in place of the fused kernel, as before it."""
    no_kernel = mock.patch.object(conv_max_pool, "library", return_value=None)
    with no_kernel if pytorch_layers else contextlib.nullcontext():
        return train_loso(
            data.features,
            data.labels,
            data.subjects,
            method=NoisyLabelMethod(),
            config=config,
            seed=seed,
            fold_numbers=numbers,
        )


def split_loso(
    n: int, data: TrainingSet, config: TrainConfig, seed: int, pytorch_layers: bool = False
) -> Timed:
    """The folds split over ``n`` fresh single-threaded processes, timed, as `meclean worker
    --concurrency N` splits a run's parts (CPU)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(n, context, initializer=_one_thread) as pool:
        list(pool.map(_one_thread, range(n)))  # started before the clock, as workers are
        folds = list(range(len(loso_folds(data.subjects))))
        start = time.perf_counter()
        parts = [
            pool.submit(_folds, data, config, seed, folds[k::n], pytorch_layers) for k in range(n)
        ]
        output = LosoOutput.merge([p.result() for p in parts])
        return time.perf_counter() - start, output.probabilities.argmax(1), 0.0


def roster_training_set(tmp: Path) -> TrainingSet:
    """The full synthetic roster with TV-L1 features (needs OpenCV contrib and openpyxl)."""
    from meclean.data.feature_store import FeatureStore
    from meclean.data.features import compute_features
    from meclean.data.flow import FlowSettings
    from meclean.data.readers import ImportOptions, read_dataset
    from meclean.data.synth.generator import generate
    from meclean.data.synth.plan import SynthConfig
    from meclean.ml.training_data import training_set

    root = tmp / "synth"
    generate(root, SynthConfig(seed=0), workers=2)
    samples = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv")).samples
    store = FeatureStore(tmp / "features")
    results = compute_features(samples, FlowSettings(), store, workers=2)
    return training_set(samples, [r.key for r in results], store)


def load_or_make(path: Path | None, save: Path | None) -> TrainingSet:
    """Precomputed arrays (so a GPU machine needs neither OpenCV contrib nor openpyxl)."""
    if path is not None:
        arrays = np.load(path)
        return TrainingSet(
            labels=arrays["labels"],
            subjects=arrays["subjects"].tolist(),
            datasets=arrays["datasets"].tolist(),
            sample_ids=arrays["sample_ids"].tolist(),
            features=arrays["features"],
        )
    with tempfile.TemporaryDirectory() as tmp:
        data = roster_training_set(Path(tmp))
    if save is not None:
        np.savez_compressed(
            save,
            features=data.features,
            labels=data.labels,
            subjects=np.asarray(data.subjects),
            datasets=np.asarray(data.datasets),
            sample_ids=np.asarray(data.sample_ids),
        )
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="epochs per fold (protocol: 200)")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--folds-per-step", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--reference-seeds",
        type=int,
        default=None,
        help="run the straightforward loop for this many seeds only",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="also time meclean's trainer with the folds split over this many single-threaded "
        "processes (CPU; what `meclean worker --concurrency N` does with a run's parts)",
    )
    parser.add_argument(
        "--bf16",
        action="store_true",
        help="also time meclean's trainer with bfloat16 autocast (TrainConfig.bf16)",
    )
    parser.add_argument(
        "--pytorch-layers",
        action="store_true",
        help="also time meclean's trainer with PyTorch's first layer instead of the fused kernel",
    )
    parser.add_argument("--features", type=Path, help="precomputed training set (.npz)")
    parser.add_argument("--save-features", type=Path, help="write the training set here")
    args = parser.parse_args()
    reference_seeds = args.seeds if args.reference_seeds is None else args.reference_seeds

    data = load_or_make(args.features, args.save_features)
    fold_epochs = len(set(data.subjects)) * args.epochs
    config = TrainConfig(epochs=args.epochs, device=args.device, folds_per_step=args.folds_per_step)
    name = torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu"
    # Compiled here if it is not yet, before any clock starts.
    shape = conv_max_pool.LayerShape(3, 5, 3, config.model.first_channels)
    fused = args.device == "cpu" and conv_max_pool.library(shape) is not None
    print(
        f"device {args.device} ({name}), {args.threads} threads, {args.epochs} epochs, "
        f"{len(data.labels)} samples, {len(set(data.subjects))} folds; first layer: "
        f"{'fused C kernel' if fused else 'PyTorch'}\n"
    )
    print(
        f"{'trainer':26s} {'seed':>4s} {'seconds':>8s} {'ms/fold-epoch':>14s} "
        f"{'full run min':>12s} {'UF1':>7s} {'UAR':>7s}"
    )
    timings: dict[str, list[float]] = {}
    configs = {"meclean": (config, False)}
    if args.pytorch_layers:
        configs["meclean, PyTorch layers"] = (config, True)
    if args.bf16:
        configs["meclean bf16"] = (replace(config, bf16=True), False)
    gpu_peak = 0.0
    for seed in range(args.seeds):
        runs: list[tuple[str, Callable[[], Timed]]] = []
        if seed < reference_seeds:
            for trainer, loop in (
                ("straightforward", straightforward_loso),
                ("straightforward, heap", straightforward_loso_heap),
            ):
                timed = partial(
                    in_fresh_process, args.threads, loop, data, args.epochs, seed, args.device
                )
                runs.append((trainer, timed))
        for trainer, (trainer_config, layers) in configs.items():
            timed = partial(
                in_fresh_process, args.threads, meclean_loso, data, trainer_config, seed, layers
            )
            runs.append((trainer, timed))
            if args.processes:
                split = partial(split_loso, args.processes, data, trainer_config, seed, layers)
                runs.append((f"{trainer} x{args.processes}", split))
        for trainer, run in runs:
            seconds, predictions, gpu = run()
            gpu_peak = max(gpu_peak, gpu)
            timings.setdefault(trainer, []).append(seconds)
            composite = score(data.labels, predictions, data.datasets)["composite"]
            per = 1000 * seconds / fold_epochs
            print(
                f"{trainer:26s} {seed:4d} {seconds:8.1f} {per:14.1f} "
                f"{per * FULL_FOLD_EPOCHS / 60_000:12.2f} "
                f"{composite.uf1:7.4f} {composite.uar:7.4f}",
                flush=True,
            )
    for baseline in ("straightforward", "straightforward, heap"):
        if baseline not in timings:
            continue
        reference = statistics.median(timings[baseline])
        for trainer in (t for t in timings if not t.startswith("straightforward")):
            ratio = reference / statistics.median(timings[trainer])
            print(f"speed-up of {trainer} over the {baseline} loop (median): {ratio:.2f}x")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak resident memory of a trainer's process: {peak:.0f} MiB")
    if args.device.startswith("cuda"):
        print(f"peak GPU memory of a trainer: {gpu_peak:.0f} MiB")


if __name__ == "__main__":
    main()
