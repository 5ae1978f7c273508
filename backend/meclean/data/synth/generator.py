"""``meclean synth``: render the planned roster into the three real layouts."""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from meclean.data.synth.clip import render_clip
from meclean.data.synth.face import FaceIdentity, random_identity, skin_layer
from meclean.data.synth.layouts import (
    write_casme2_sheet,
    write_frames,
    write_ground_truth,
    write_roster,
    write_samm_sheet,
)
from meclean.data.synth.plan import STYLES, PlannedSample, SynthConfig, plan_roster, plan_sample

MARKER = ".meclean-synth"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SynthSummary:
    root: Path
    samples: int
    noise: dict[str, int]
    roster: Path
    ground_truth: Path


def subject_identity(seed: int, dataset: str, subject: str) -> FaceIdentity:
    """The face of one subject: the same for every sample and every run with this seed."""
    style = STYLES[dataset]
    key = zlib.crc32(f"{dataset}/{subject}".encode())
    return random_identity(np.random.default_rng([seed, key]), style.height, style.width)


@lru_cache(maxsize=8)
def _face(seed: int, dataset: str, subject: str) -> tuple[FaceIdentity, np.ndarray]:
    identity = subject_identity(seed, dataset, subject)
    return identity, skin_layer(identity)


def render_sample(root: Path, seed: int, sample: PlannedSample) -> None:
    """Render and write one sample's frames (runs in a worker process)."""
    cv2.setNumThreads(1)
    identity, skin = _face(seed, *sample.identity_key)
    write_frames(root, sample, render_clip(identity, skin, sample.clip))


def plan(config: SynthConfig) -> list[PlannedSample]:
    return [
        plan_sample(index, entry, copy, config)
        for index, (entry, copy) in enumerate(plan_roster(config))
    ]


def prepare_output(root: Path, overwrite: bool) -> None:
    """Refuse to write into a folder with other content; only replace an earlier synth."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise FileExistsError(f"{root} is not empty and was not written by meclean synth")
        if not overwrite:
            raise FileExistsError(f"{root} already holds a synthetic dataset; pass --overwrite")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("written by meclean synth\n")


def generate(
    root: Path,
    config: SynthConfig,
    workers: int = 2,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> SynthSummary:
    """Write the synthetic composite under ``root``: CASME2/, SAMM/, SMIC/ and two CSVs."""
    samples = plan(config)
    prepare_output(root, overwrite)
    write_casme2_sheet(root, samples)
    write_samm_sheet(root, samples)
    roster = write_roster(root, samples)
    truth = write_ground_truth(root, samples)
    total = len(samples)
    if workers <= 1:
        for done, sample in enumerate(samples, start=1):
            render_sample(root, config.seed, sample)
            if progress:
                progress(done, total)
    else:
        # Samples of one subject go to one process so its face is rendered once there.
        with ProcessPoolExecutor(workers) as pool:
            chunk = max(1, min(16, total // (workers * 4)))
            results = pool.map(
                render_sample, [root] * total, [config.seed] * total, samples, chunksize=chunk
            )
            for done, _ in enumerate(results, start=1):
                if progress:
                    progress(done, total)
    noise: dict[str, int] = {}
    for s in samples:
        noise[s.noise] = noise.get(s.noise, 0) + 1
    return SynthSummary(root, total, noise, roster, truth)
