"""Leave-one-subject-out training of SSSNet, several folds per step.

The held-out subject never reaches its fold's training: its samples are not in the fold's
batches (so not in its batch-norm statistics either), not in the per-fold input scaling,
and nothing is selected on test results.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from meclean.ml.allocator import keep_freed_memory
from meclean.ml.input_scale import channel_moments, fold_scales
from meclean.ml.loss_history import EpochLosses, LossHistory, summed_history
from meclean.ml.methods import BatchContext, NoisyLabelMethod
from meclean.ml.metrics import confusion_matrix, uf1
from meclean.ml.model import SSSNet, SSSNetConfig
from meclean.progress import Cancelled, ShouldStop


@dataclass(frozen=True)
class TrainConfig:
    """The paper's protocol by default: SGD 0.01, momentum 0.9, wd 1e-3, batch 128, 200 epochs."""

    epochs: int = 200
    batch_size: int = 128
    lr: float = 0.01
    momentum: float = 0.9
    weight_decay: float = 1e-3
    model: SSSNetConfig = field(default_factory=SSSNetConfig)
    protocol: str = "meclean"
    """The named protocol this config came from (``ml/protocols.py``), for the record."""
    double_softmax: bool = False
    scale_inputs: bool = True
    """Divide each channel by its standard deviation over the fold's training samples."""
    published_batches: bool = False
    """As the published code: LTM averages over the whole batch with flagged losses zeroed,
    and IDC's warm-up draws its batches from all samples, then trains on their clean ones
    alone (batch norm sees no other; batches differ in size, so one fold per step)."""
    flag_window: int = 20
    """Flags of the last this-many epochs count towards a sample's flag rate."""
    bf16: bool = False
    """Training forward passes in bfloat16 autocast; weights, gradients, losses and the
    held-out predictions stay float32. On the CPU it runs PyTorch's layers in place of the
    fused float32 first layer and is slower than the default, even on CPUs with AVX-512
    BF16 (benchmarks/README.md). It changes the arithmetic, so no protocol turns it on;
    the run records it."""
    folds_per_step: int | None = None
    """Folds trained side by side; default all of them on CUDA. On the CPU grouped
    convolutions run slower than one fold at a time (benchmarks/README.md), so 1."""
    device: str | None = None
    """'cuda', 'cuda:1', 'cpu'; default CUDA when available."""


def published_warmup(config: TrainConfig, method: NoisyLabelMethod) -> bool:
    """Whether the run's warm-up keeps only the clean samples of each batch, as the
    published IDC does: its batches then differ in size from fold to fold."""
    return config.published_batches and method.clean_only(0)


def folds_per_step(
    config: TrainConfig, device: torch.device, folds: int, method: NoisyLabelMethod
) -> int:
    """How many folds train side by side: the config's choice, else all on CUDA, 1 on CPU;
    always 1 in the published IDC warm-up."""
    if published_warmup(config, method):
        return 1
    return min(folds, config.folds_per_step or (folds if device.type == "cuda" else 1))


def protocol_deviations(
    config: TrainConfig, device: torch.device, folds: int, method: NoisyLabelMethod
) -> list[str]:
    """How training ``folds`` folds on ``device`` departs from the protocol as written;
    recorded with every run so a reader can weigh it."""
    deviations = []
    side_by_side = folds_per_step(config, device, folds, method)
    if side_by_side > 1:
        deviations.append(
            f"{side_by_side} folds trained side by side: each epoch, a fold with fewer training "
            "samples than the largest draws some of its own samples a second time, so all "
            "take equal batches"
        )
    if device.type == "cuda":
        deviations.append(
            "cuDNN benchmark mode: convolution kernels are chosen per run, so results are "
            "not bit-for-bit reproducible"
        )
    return deviations


@dataclass(frozen=True)
class Fold:
    subject: str
    train: np.ndarray
    test: np.ndarray


def loso_folds(subjects: Sequence[str]) -> list[Fold]:
    """One fold per subject, in order of first appearance; its test set is that subject only."""
    subjects_arr = np.asarray(subjects)
    order = list(dict.fromkeys(subjects_arr.tolist()))
    return [
        Fold(s, np.flatnonzero(subjects_arr != s), np.flatnonzero(subjects_arr == s)) for s in order
    ]


@dataclass(frozen=True)
class TrainingProgress:
    folds_done: int
    folds: int
    epoch: int
    epochs: int
    loss: float
    """Mean training loss of the current folds' last epoch."""
    uf1: float | None = None
    """Composite UF1 of the out-of-fold predictions of the folds finished so far."""


@dataclass
class FlagCounts:
    """How often each sample was flagged high-loss while it was trained on, and as what."""

    flagged: np.ndarray
    seen: np.ndarray
    votes: np.ndarray
    """(N, classes): the network's prediction each time the sample was flagged."""

    @classmethod
    def empty(cls, n: int, classes: int) -> FlagCounts:
        return cls(np.zeros(n), np.zeros(n), np.zeros((n, classes)))

    def rate(self) -> np.ndarray:
        return np.divide(
            self.flagged, self.seen, out=np.zeros_like(self.flagged), where=self.seen > 0
        )


def resolve_device(preference: str | None) -> torch.device:
    if preference:
        return torch.device(preference)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def initial_state(config: SSSNetConfig, seed: int, fold: int) -> dict[str, torch.Tensor]:
    """A fold's initial weights depend only on (seed, fold), however folds are grouped."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed * 100_003 + fold)
        return SSSNet(config).state_dict()


@dataclass
class GroupResult:
    model: SSSNet
    scales: torch.Tensor
    """(G, 1, 3, 1, 1): each fold's input scaling, from its training samples only."""


def train_group(
    features: torch.Tensor,
    labels: torch.Tensor,
    train_sets: Sequence[np.ndarray],
    fold_ids: Sequence[int],
    *,
    method: NoisyLabelMethod,
    config: TrainConfig,
    seed: int,
    clean: torch.Tensor | None = None,
    flags: FlagCounts | None = None,
    history: LossHistory | None = None,
    on_epoch: Callable[[int, float], None] | None = None,
    should_stop: ShouldStop | None = None,
    moments: torch.Tensor | None = None,
) -> GroupResult:
    """Train one SSSNet per training set, side by side; ``fold_ids`` seed each one.
    ``flags`` counts the method's flags, ``history`` each sample's loss per epoch;
    ``moments``, ``channel_moments(features)`` when the caller trains several groups."""
    device = features.device
    if device.type == "cpu":
        keep_freed_memory()
    g = len(train_sets)
    # Dropout and other torch randomness depend only on (seed, first fold of the group), so
    # a group trains the same whichever worker runs it and whatever ran before it.
    torch.manual_seed(seed * 100_003 + fold_ids[0] + 1)
    model = SSSNet(config.model, copies=g)
    for copy, fold in enumerate(fold_ids):
        model.load_copy_state(copy, initial_state(config.model, seed, fold))
    model.to(device).train()
    own = method.start_group(g, config.model.classes, device)
    optimiser = torch.optim.SGD(
        [*model.parameters(), *own],
        lr=config.lr,
        momentum=config.momentum,
        weight_decay=config.weight_decay,
    )
    if config.scale_inputs:
        if moments is None:
            moments = channel_moments(features)
        scales = fold_scales(moments, train_sets, features.shape[2] * features.shape[3])
    else:
        scales = torch.ones((g, 1, 3, 1, 1), device=device, dtype=features.dtype)
    if g == 1:
        # One fold: its inputs scaled, cropped and laid out for the network once rather
        # than at every step; a step's batch is a selection of the same values.
        prepared = model.stem((features / scales[0]).unsqueeze(0))

        def batch_inputs(index: torch.Tensor) -> torch.Tensor:
            return prepared[index[0]].unsqueeze(0)
    else:

        def batch_inputs(index: torch.Tensor) -> torch.Tensor:
            return features[index] / scales

    published = published_warmup(config, method)
    if published:
        if g > 1:
            raise ValueError("the published IDC warm-up trains one fold per step")
        if clean is None:
            raise ValueError("IDC needs the experts' clean marks")
        if not clean[torch.as_tensor(train_sets[0], device=device)].any():
            raise ValueError(
                "a fold's training set holds no sample marked clean, which the paper "
                "protocol's warm-up trains on alone; mark more samples clean"
            )
    rngs = [np.random.default_rng([seed, fold]) for fold in fold_ids]
    epoch_losses = None if history is None else EpochLosses(history, device)
    longest = max(len(t) for t in train_sets)
    for epoch in range(config.epochs):
        # Shorter training sets are topped up with a few of their own samples drawn again,
        # so every fold takes the same number of equal batches.
        order = np.stack(
            [
                np.concatenate([rng.permutation(t), rng.choice(t, longest - len(t))])
                for rng, t in zip(rngs, train_sets, strict=True)
            ]
        )
        order_t = torch.as_tensor(order, device=device)
        clean_only = published and method.clean_only(epoch)
        epoch_flags = flags if epoch >= config.epochs - config.flag_window else None
        total = torch.zeros((), device=device)  # summed on the device: no sync per step
        steps = 0
        for start in range(0, longest, config.batch_size):
            if should_stop and should_stop():
                raise Cancelled
            index = order_t[:, start : start + config.batch_size]
            if clean_only:
                assert clean is not None  # checked above
                # The published warm-up: a batch drawn from all samples, its clean ones kept.
                index = index[clean[index]].unsqueeze(0)
                if index.shape[1] == 0:
                    continue
            context = BatchContext(
                epoch,
                None if clean is None else clean[index],
                config.double_softmax,
                config.published_batches,
            )
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=config.bf16):
                step, logits = method.train_step(model, batch_inputs(index), labels[index], context)
            logits = logits.float()
            optimiser.zero_grad(set_to_none=True)
            step.loss.backward()
            optimiser.step()
            total += step.loss.detach()
            steps += 1
            if epoch_flags is not None and step.judged:
                _count(epoch_flags, index, step.flagged, logits.detach().argmax(-1))
            if epoch_losses is not None:
                epoch_losses.add(index, logits, labels[index])
        if epoch_losses is not None:
            epoch_losses.record(epoch)
        if on_epoch:
            on_epoch(epoch, float(total) / g / max(steps, 1))
    return GroupResult(model.eval(), scales)


def _count(
    flags: FlagCounts, index: torch.Tensor, flagged: torch.Tensor, predicted: torch.Tensor
) -> None:
    index_np = index.cpu().numpy().ravel()
    flagged_np = flagged.cpu().numpy().ravel()
    np.add.at(flags.seen, index_np, 1)
    np.add.at(flags.flagged, index_np[flagged_np], 1)
    np.add.at(flags.votes, (index_np[flagged_np], predicted.cpu().numpy().ravel()[flagged_np]), 1)


@torch.no_grad()
def predict(
    group: GroupResult, features: torch.Tensor, index_sets: Sequence[np.ndarray]
) -> list[np.ndarray]:
    """Class probabilities of each copy on its own samples (eval mode)."""
    longest = max(len(i) for i in index_sets)
    padded = np.stack([np.pad(i, (0, longest - len(i)), mode="edge") for i in index_sets])
    index = torch.as_tensor(padded, device=features.device)
    probs = group.model(features[index] / group.scales).softmax(-1).cpu().numpy()
    return [probs[k, : len(i)] for k, i in enumerate(index_sets)]


@dataclass
class LosoOutput:
    probabilities: np.ndarray
    """(N, classes) out-of-fold class probabilities; zero for samples of folds not trained."""
    predicted: np.ndarray
    """(N,) bool: whose fold was trained here."""
    flags: FlagCounts
    seconds: float
    history: LossHistory | None = None
    """Each sample's training loss per epoch; None from parts trained before it was kept."""

    @classmethod
    def merge(cls, parts: Sequence[LosoOutput]) -> LosoOutput:
        """One output from outputs of disjoint fold subsets (e.g. from different workers)."""
        overlap = np.sum([p.predicted for p in parts], axis=0) > 1
        if overlap.any():
            raise ValueError(f"{int(overlap.sum())} samples were predicted by several parts")
        return cls(
            np.sum([p.probabilities for p in parts], axis=0),
            np.any([p.predicted for p in parts], axis=0),
            FlagCounts(
                np.sum([p.flags.flagged for p in parts], axis=0),
                np.sum([p.flags.seen for p in parts], axis=0),
                np.sum([p.flags.votes for p in parts], axis=0),
            ),
            float(sum(p.seconds for p in parts)),
            summed_history([p.history for p in parts]),
        )


def check_training_inputs(
    features: np.ndarray,
    labels: np.ndarray,
    subjects: Sequence[str],
    classes: int,
    input_size: int,
    clean: np.ndarray | None = None,
) -> None:
    """Refuse inputs that would train silently wrong, quoting their shapes."""
    if features.ndim != 4 or features.shape[1] != 3:
        raise ValueError(f"features must be (N, 3, H, W): Vx, Vy, strain; got {features.shape}")
    if features.shape[2:] != (input_size, input_size):
        raise ValueError(
            f"features must be {input_size}x{input_size}, the network's input size; "
            f"got {features.shape[2]}x{features.shape[3]}"
        )
    sizes = {"features": len(features), "labels": len(labels), "subjects": len(subjects)}
    if clean is not None:
        sizes["clean"] = len(clean)
    if len(set(sizes.values())) != 1:
        raise ValueError(f"one entry per sample expected; got {sizes}")
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be (N,) class indices; got {labels.dtype} {labels.shape}")
    outside = (labels < 0) | (labels >= classes)
    if outside.any():
        raise ValueError(
            f"labels must lie in 0..{classes - 1}; {int(outside.sum())} do not, "
            f"first at index {int(np.argmax(outside))} ({int(labels[outside][0])})"
        )
    bad = ~np.isfinite(features).all(axis=(1, 2, 3))
    if bad.any():
        raise ValueError(
            f"features of {int(bad.sum())} samples hold NaN or infinity, "
            f"first at index {int(np.argmax(bad))}"
        )
    if len(set(subjects)) < 2:
        raise ValueError("leave-one-subject-out needs at least two subjects")


def train_loso(
    features: np.ndarray,
    labels: np.ndarray,
    subjects: Sequence[str],
    *,
    method: NoisyLabelMethod,
    config: TrainConfig,
    seed: int = 0,
    clean: np.ndarray | None = None,
    progress: Callable[[TrainingProgress], None] | None = None,
    should_stop: ShouldStop | None = None,
    fold_numbers: Sequence[int] | None = None,
) -> LosoOutput:
    """Out-of-fold probabilities for every sample, how often each was flagged and its
    training loss per epoch.

    ``fold_numbers`` (indices into ``loso_folds(subjects)``) trains only those folds, so a
    run can be split over workers; each fold trains the same either way.
    """
    check_training_inputs(
        features, labels, subjects, config.model.classes, config.model.input_size, clean
    )
    start = time.perf_counter()
    device = resolve_device(config.device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick its fastest kernels
    x = torch.as_tensor(features, dtype=torch.float32, device=device)
    y = torch.as_tensor(labels, dtype=torch.long, device=device)
    clean_t = None if clean is None else torch.as_tensor(clean, dtype=torch.bool, device=device)
    all_folds = loso_folds(subjects)
    numbers = list(range(len(all_folds))) if fold_numbers is None else list(fold_numbers)
    folds = [all_folds[n] for n in numbers]
    per_step = folds_per_step(config, device, len(folds), method)
    classes = config.model.classes
    probabilities = np.zeros((len(labels), classes), np.float32)
    flags = FlagCounts.empty(len(labels), classes)
    history = LossHistory.empty(len(labels), config.epochs) if method.own_logits else None
    predicted = np.zeros(len(labels), bool)
    running_uf1: float | None = None
    moments = channel_moments(x) if config.scale_inputs else None
    for first in range(0, len(folds), per_step):
        group = folds[first : first + per_step]
        ids = numbers[first : first + per_step]

        def on_epoch(
            epoch: int, loss: float, done: int = first, uf1_so_far: float | None = running_uf1
        ) -> None:
            if progress:
                progress(
                    TrainingProgress(done, len(folds), epoch + 1, config.epochs, loss, uf1_so_far)
                )

        result = train_group(
            x,
            y,
            [f.train for f in group],
            ids,
            method=method,
            config=config,
            seed=seed,
            clean=clean_t,
            flags=flags,
            history=history,
            on_epoch=on_epoch,
            should_stop=should_stop,
            moments=moments,
        )
        for fold, probs in zip(group, predict(result, x, [f.test for f in group]), strict=True):
            probabilities[fold.test] = probs
            predicted[fold.test] = True
        running_uf1 = uf1(
            confusion_matrix(labels[predicted], probabilities[predicted].argmax(1), classes)
        )
    if progress:
        progress(
            TrainingProgress(len(folds), len(folds), config.epochs, config.epochs, 0.0, running_uf1)
        )
    return LosoOutput(probabilities, predicted, flags, time.perf_counter() - start, history)
