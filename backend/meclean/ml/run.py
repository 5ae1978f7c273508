"""A whole training run: LOSO over several seeds, then a final model on all samples."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch
from torch.nn import functional as F

from meclean.ml.detectors import confident_learning_issues
from meclean.ml.embedding import umap_projection
from meclean.ml.loso import (
    FlagCounts,
    LosoOutput,
    TrainConfig,
    TrainingProgress,
    check_training_inputs,
    loso_folds,
    protocol_deviations,
    resolve_device,
    train_group,
    train_loso,
)
from meclean.ml.loss_history import summed_history
from meclean.ml.methods import NoisyLabelMethod, moment_threshold
from meclean.ml.metrics import Scores, score
from meclean.progress import ShouldStop


@dataclass(frozen=True)
class LabelledSamples:
    """A run's samples and the labels of one label version: all that scoring needs."""

    labels: np.ndarray
    """(N,) class indices."""
    subjects: Sequence[str]
    """Subject of each sample, unique across datasets (e.g. 'casme2/sub01')."""
    datasets: Sequence[str]
    sample_ids: Sequence[str]
    clean: np.ndarray | None = None
    """(N,) bool: the experts' clean marks, for IDC."""


@dataclass(frozen=True, kw_only=True)
class TrainingSet(LabelledSamples):
    """What a run trains on: the samples and their features."""

    features: np.ndarray
    """(N, 3, H, W) float32: Vx, Vy, strain."""


@dataclass(frozen=True)
class RunProgress:
    seed_index: int
    seeds: int
    stage: str
    """'loso', 'final' or 'projection'."""
    training: TrainingProgress | None = None


@dataclass
class FinalModel:
    """The model trained on every sample, and what it says about each one."""

    embedding: np.ndarray
    projection: np.ndarray
    probabilities: np.ndarray
    loss: np.ndarray
    threshold: float
    high_loss: np.ndarray
    state: dict[str, torch.Tensor]
    scales: np.ndarray

    def save(self, to: Path | BinaryIO) -> None:
        """To a path or an open binary file."""
        torch.save({k: getattr(self, k) for k in self.__dataclass_fields__}, to)

    @classmethod
    def load(cls, path: Path) -> FinalModel:
        return cls(**torch.load(path, weights_only=False))


@dataclass
class RunResult:
    method: dict[str, object]
    config: dict[str, object]
    seeds: list[int]
    scores: list[dict[str, Scores]]
    """Per seed: composite and per-dataset scores of the out-of-fold predictions."""
    sample_ids: list[str]
    labels: np.ndarray
    seed_probabilities: list[np.ndarray]
    """Per seed: (N, classes) out-of-fold probabilities."""
    flag_rate: np.ndarray
    proposed_label: np.ndarray
    """(N,) the class ILC/LTM would relabel a flagged sample to; -1 when none."""
    label_issues: np.ndarray
    """(N,) bool: confident learning's verdict on the averaged out-of-fold probabilities."""
    final: FinalModel | None
    timings: dict[str, float] = field(default_factory=dict)
    deviations: list[str] = field(default_factory=list)
    """How training departed from the protocol as written (``loso.protocol_deviations``)."""
    loss_history: np.ndarray | None = None
    """(N, epochs) each sample's mean training loss per epoch over folds and seeds; NaN
    where it was not trained on."""

    @property
    def probabilities(self) -> np.ndarray:
        """(N, classes) out-of-fold probabilities, averaged over seeds."""
        return np.mean(self.seed_probabilities, axis=0)

    def summary(self) -> dict[str, dict[str, float | None]]:
        """Mean and sample standard deviation (ddof=1) over seeds of UF1 and UAR, per group;
        one seed has no spread (None)."""
        summary: dict[str, dict[str, float | None]] = {}
        for g in self.scores[0]:
            summary[g] = {}
            for metric in ("uf1", "uar"):
                values = [getattr(s[g], metric) for s in self.scores]
                summary[g][f"{metric}_mean"] = float(np.mean(values))
                summary[g][f"{metric}_std"] = (
                    float(np.std(values, ddof=1)) if len(values) > 1 else None
                )
        return summary

    def write(self, directory: Path) -> None:
        """``result.json`` (metrics and per-sample outcomes), ``arrays.npz`` and ``model.pt``."""
        directory.mkdir(parents=True, exist_ok=True)
        document = {
            "method": self.method,
            "config": self.config,
            "seeds": self.seeds,
            "summary": self.summary(),
            "scores": [{g: asdict(s) for g, s in seed.items()} for seed in self.scores],
            "timings": self.timings,
            "deviations": self.deviations,
        }
        (directory / "result.json").write_text(json.dumps(document, indent=2))
        arrays = {
            "sample_ids": np.asarray(self.sample_ids),
            "labels": self.labels,
            "probabilities": self.probabilities,
            "seed_probabilities": np.stack(self.seed_probabilities),
            "flag_rate": self.flag_rate,
            "proposed_label": self.proposed_label,
            "label_issues": self.label_issues,
        }
        if self.loss_history is not None:
            arrays["loss_history"] = self.loss_history.astype(np.float32)
        if self.final is not None:
            arrays |= {
                "embedding": self.final.embedding,
                "projection": self.final.projection,
                "final_probabilities": self.final.probabilities,
                "final_loss": self.final.loss,
                "high_loss": self.final.high_loss,
            }
            torch.save(
                {"state": self.final.state, "scales": torch.as_tensor(self.final.scales)},
                directory / "model.pt",
            )
        np.savez_compressed(directory / "arrays.npz", **arrays)  # type: ignore[arg-type]


PROPOSAL_FLAG_RATE = 0.5
"""A relabel is proposed for samples flagged in at least this share of their updates: a
sample flagged now and then is too often a hard but correct one."""


def proposed_labels(
    labels: np.ndarray,
    flags: FlagCounts,
    probabilities: np.ndarray,
    min_rate: float = PROPOSAL_FLAG_RATE,
) -> np.ndarray:
    """For each persistently flagged sample, the class the network most often predicted
    when flagging it (a tie goes to the class of highest mean out-of-fold probability, not
    to the first); -1 where nothing is proposed."""
    proposal = np.full(len(labels), -1)
    flagged = (flags.flagged > 0) & (flags.rate() >= min_rate)
    # Votes are whole counts: half a probability breaks their ties and nothing else.
    votes = (flags.votes + probabilities / 2).argmax(1)
    change = flagged & (votes != labels)
    proposal[change] = votes[change]
    return proposal


def train_final(
    data: TrainingSet,
    *,
    method: NoisyLabelMethod,
    config: TrainConfig,
    seed: int,
    projection: bool = True,
    should_stop: ShouldStop | None = None,
    on_epoch: Callable[[int, float], None] | None = None,
) -> FinalModel:
    """Train on every sample; embed, score and flag each one."""
    device = resolve_device(config.device)
    x = torch.as_tensor(data.features, dtype=torch.float32, device=device)
    y = torch.as_tensor(data.labels, dtype=torch.long, device=device)
    clean = None if data.clean is None else torch.as_tensor(data.clean, device=device)
    everything = np.arange(len(data.labels))
    final_fold = len(loso_folds(data.subjects))  # seeds apart from every LOSO fold
    group = train_group(
        x,
        y,
        [everything],
        [final_fold],
        method=method,
        config=config,
        seed=seed,
        clean=clean,
        on_epoch=on_epoch,
        should_stop=should_stop,
    )
    with torch.no_grad():
        hidden = group.model.features((x / group.scales[0])[None])
        logits = group.model.classify(hidden)
        loss = F.cross_entropy(logits[0], y, reduction="none")
        threshold = moment_threshold(loss[None], method.alpha)
    embedding = hidden[0].cpu().numpy()
    return FinalModel(
        embedding=embedding,
        projection=umap_projection(embedding, seed) if projection else np.zeros((len(y), 2)),
        probabilities=logits[0].softmax(-1).cpu().numpy(),
        loss=loss.cpu().numpy(),
        threshold=float(threshold),
        high_loss=(loss > threshold[0]).cpu().numpy(),
        state={k: v.cpu() for k, v in group.model.state_dict().items()},
        scales=group.scales.cpu().numpy().ravel(),
    )


def run_experiment(
    data: TrainingSet,
    *,
    method: NoisyLabelMethod,
    config: TrainConfig,
    seeds: Sequence[int] = (0,),
    final_model: bool = True,
    progress: Callable[[RunProgress], None] | None = None,
    should_stop: ShouldStop | None = None,
) -> RunResult:
    """LOSO for each seed, scored the MEGC way; then the final model with the first seed."""
    check_training_inputs(
        data.features,
        data.labels,
        data.subjects,
        config.model.classes,
        config.model.input_size,
        data.clean,
    )
    if not seeds:
        raise ValueError("a run needs at least one seed")
    outputs = []
    for k, seed in enumerate(seeds):

        def report(p: TrainingProgress, k: int = k) -> None:
            if progress:
                progress(RunProgress(k, len(seeds), "loso", p))

        outputs.append(
            train_loso(
                data.features,
                data.labels,
                data.subjects,
                method=method,
                config=config,
                seed=seed,
                clean=data.clean,
                progress=report,
                should_stop=should_stop,
            )
        )
    final = None
    timings = {}
    if final_model:
        if progress:
            progress(RunProgress(len(seeds) - 1, len(seeds), "final"))
        start = time.perf_counter()
        final = train_final(
            data, method=method, config=config, seed=seeds[0], should_stop=should_stop
        )
        timings["final_s"] = time.perf_counter() - start
    folds = len(set(data.subjects))
    deviations = protocol_deviations(config, resolve_device(config.device), folds, method)
    return combine(data, method, config, seeds, outputs, final, timings, deviations)


def combine(
    data: LabelledSamples,
    method: NoisyLabelMethod,
    config: TrainConfig,
    seeds: Sequence[int],
    outputs: Sequence[LosoOutput],
    final: FinalModel | None,
    timings: dict[str, float] | None = None,
    deviations: Sequence[str] = (),
) -> RunResult:
    """Score each seed's complete out-of-fold predictions and pool the flags into a result."""
    missing = [seed for seed, out in zip(seeds, outputs, strict=True) if not out.predicted.all()]
    if missing:
        raise ValueError(f"seeds {missing} lack out-of-fold predictions for some samples")
    flags = FlagCounts.empty(len(data.labels), config.model.classes)
    for out in outputs:
        flags.flagged += out.flags.flagged
        flags.seen += out.flags.seen
        flags.votes += out.flags.votes
    probabilities = [out.probabilities for out in outputs]
    mean_probability = np.mean(probabilities, axis=0)
    history = summed_history([out.history for out in outputs])
    return RunResult(
        method=method.describe(),
        config=_describe(config),
        seeds=list(seeds),
        scores=[score(data.labels, p.argmax(1), data.datasets) for p in probabilities],
        sample_ids=list(data.sample_ids),
        labels=data.labels,
        seed_probabilities=probabilities,
        flag_rate=flags.rate(),
        proposed_label=proposed_labels(data.labels, flags, mean_probability),
        label_issues=confident_learning_issues(data.labels, mean_probability),
        final=final,
        timings={
            **{f"loso_seed_{s}_s": out.seconds for s, out in zip(seeds, outputs, strict=True)},
            **(timings or {}),
        },
        deviations=list(deviations),
        loss_history=None if history is None else history.mean(),
    )


def _describe(config: TrainConfig) -> dict[str, object]:
    described = asdict(config)
    described["device"] = str(resolve_device(config.device))
    return described
