"""Which samples to generate and every random choice behind each one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from meclean.data.corrections import FrameField, SheetCorrection
from meclean.data.labels import CLASSES, Label
from meclean.data.readers.coded import corrections_for
from meclean.data.readers.common import sample_key
from meclean.data.roster import RosterEntry, load_roster
from meclean.data.synth.action_units import Movement, sample_movement
from meclean.data.synth.clip import ClipSpec

NoiseKind = Literal["clean", "flipped", "ambiguous", "weak"]
CodingError = Literal["none", "missed", "extra", "wrong_side"]
CODABLE = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 24)
"""The AUs the synthetic faces can move (and so a coder may add by mistake)."""


@dataclass(frozen=True)
class NoiseRates:
    """Shares of samples whose motion does not (only) show their given label."""

    flipped: float = 0.10
    ambiguous: float = 0.10
    weak: float = 0.05

    def __post_init__(self) -> None:
        rates = (self.flipped, self.ambiguous, self.weak)
        if any(r < 0 for r in rates) or sum(rates) > 1:
            raise ValueError(f"noise rates must be >= 0 and sum to <= 1, got {rates}")


@dataclass(frozen=True)
class CodingErrorRates:
    """Shares of samples whose sheet codes their AUs wrongly, as human coders do."""

    missed: float = 0.08
    """An AU that moved is left out (one of two or more)."""
    extra: float = 0.05
    """An AU that did not move is added."""
    wrong_side: float = 0.04
    """A one-sided AU is coded on the other side."""

    def __post_init__(self) -> None:
        rates = (self.missed, self.extra, self.wrong_side)
        if any(r < 0 for r in rates) or sum(rates) > 1:
            raise ValueError(f"coding error rates must be >= 0 and sum to <= 1, got {rates}")


@dataclass(frozen=True)
class SynthConfig:
    seed: int = 0
    noise: NoiseRates = field(default_factory=NoiseRates)
    coding: CodingErrorRates = field(default_factory=CodingErrorRates)
    subjects: int | None = None
    """Keep only this many subjects, taken in turn from each dataset (for tiny test sets)."""
    samples_per_subject: int | None = None
    scale: int = 1
    """Repeat the roster this many times, each copy with new identities."""


@dataclass(frozen=True)
class DatasetStyle:
    """How one source dataset's recordings look."""

    height: int
    width: int
    frames: tuple[int, int]
    sensor_noise: float
    flicker: float
    first_frame: tuple[int, int]
    subject_stride: int
    """Added to a subject's number for each scaled copy of the roster."""


STYLES: dict[str, DatasetStyle] = {
    "casme2": DatasetStyle(170, 140, (7, 15), 1.5, 0.005, (1, 150), 100),
    "samm": DatasetStyle(170, 140, (7, 15), 1.2, 0.004, (1000, 9000), 40),
    # SMIC-HS: lower resolution and noisier sensor.
    "smic": DatasetStyle(119, 98, (5, 11), 3.5, 0.015, (100000, 900000), 100),
}

# Sheet emotion words for a negative sample, with rough shares from the real sheets.
NEGATIVE_WORDS = {
    "casme2": (("disgust", "repression"), (0.65, 0.35)),
    "samm": (("Anger", "Contempt", "Disgust", "Fear", "Sadness"), (0.6, 0.13, 0.1, 0.1, 0.07)),
}
POSITIVE_WORD = {"casme2": "happiness", "samm": "Happiness"}
SURPRISE_WORD = {"casme2": "surprise", "samm": "Surprise"}


@dataclass(frozen=True)
class PlannedSample:
    index: int
    entry: RosterEntry
    copy: int
    """Which copy of the roster (0 for the original subjects)."""
    emotion: str
    """The emotion word the annotation sheet (or SMIC folder) gives."""
    true_label: Label
    noise: NoiseKind
    mixed_with: Label | None
    first_frame: int
    clip: ClipSpec
    action_units: str = ""
    """The AUs its sheet codes: those of its movements, coding errors included."""
    coding_error: CodingError = "none"

    @property
    def identity_key(self) -> tuple[str, str]:
        return self.entry.dataset, self.entry.subject


def _renumber(value: str, stride: int) -> str:
    """'sub01' -> 'sub101' for stride 100: the first number in the name moves by ``stride``."""
    match = re.search(r"\d+", value)
    if not match or stride == 0:
        return value
    digits = match.group()
    renumbered = str(int(digits) + stride).zfill(len(digits))
    return value[: match.start()] + renumbered + value[match.end() :]


def plan_roster(config: SynthConfig) -> list[tuple[RosterEntry, int]]:
    """Roster entries to generate, with the copy number of each (for ``--scale``)."""
    base = load_roster()
    if config.subjects is not None or config.samples_per_subject is not None:
        base = _subset(base, config.subjects, config.samples_per_subject)
    planned: list[tuple[RosterEntry, int]] = []
    for copy in range(config.scale):
        for e in base:
            stride = STYLES[e.dataset].subject_stride * copy
            subject = _renumber(e.subject, stride)
            filename = e.filename
            if e.dataset != "casme2":  # SAMM and SMIC names start with the subject
                filename = _renumber(filename, stride)
            planned.append((RosterEntry(e.dataset, subject, filename, e.label), copy))
    return planned


def _subset(
    entries: list[RosterEntry], subjects: int | None, per_subject: int | None
) -> list[RosterEntry]:
    by_subject: dict[tuple[str, str], list[RosterEntry]] = {}
    for e in entries:
        by_subject.setdefault((e.dataset, e.subject), []).append(e)
    queues = {d: [k for k in by_subject if k[0] == d] for d in ("casme2", "samm", "smic")}
    chosen: list[tuple[str, str]] = []
    while any(queues.values()) and (subjects is None or len(chosen) < subjects):
        for queue in queues.values():
            if queue and (subjects is None or len(chosen) < subjects):
                chosen.append(queue.pop(0))
    kept = []
    for key in chosen:
        samples = by_subject[key]
        if per_subject is not None:
            # Interleave labels so that a few samples per subject still cover the classes.
            by_label = [[s for s in samples if s.label == c] for c in CLASSES]
            interleaved = [s for group in _zip_longest(by_label) for s in group]
            samples = interleaved[:per_subject]
        kept.extend(samples)
    return kept


def _zip_longest(groups: list[list[RosterEntry]]) -> list[list[RosterEntry]]:
    longest = max((len(g) for g in groups), default=0)
    return [[g[i] for g in groups if i < len(g)] for i in range(longest)]


def known_errors(entry: RosterEntry) -> dict[FrameField, SheetCorrection]:
    """The shipped corrections of a real sample: its sheet row is written with the error."""
    return corrections_for(entry.dataset, True).get(sample_key(entry.subject, entry.filename), {})


def _emotion_word(dataset: str, label: Label, rng: np.random.Generator) -> str:
    if dataset == "smic":
        return label
    if label == "positive":
        return POSITIVE_WORD[dataset]
    if label == "surprise":
        return SURPRISE_WORD[dataset]
    words, shares = NEGATIVE_WORDS[dataset]
    return str(rng.choice(words, p=shares))


def _other_label(label: Label, rng: np.random.Generator) -> Label:
    others = [c for c in CLASSES if c != label]
    return others[rng.integers(len(others))]


def plan_sample(index: int, entry: RosterEntry, copy: int, config: SynthConfig) -> PlannedSample:
    """Draw one sample's noise kind, movements and nuisances from its own random stream."""
    rng = np.random.default_rng([config.seed, index])
    style = STYLES[entry.dataset]
    emotion = _emotion_word(entry.dataset, entry.label, rng)
    sub_emotion = emotion.lower() if entry.label == "negative" and entry.dataset != "smic" else None
    rates = config.noise
    u = rng.random()
    noise: NoiseKind
    if u < rates.flipped:
        noise = "flipped"
    elif u < rates.flipped + rates.ambiguous:
        noise = "ambiguous"
    elif u < rates.flipped + rates.ambiguous + rates.weak:
        noise = "weak"
    else:
        noise = "clean"

    true_label: Label = entry.label
    mixed_with: Label | None = None
    movements: list[Movement]
    if noise == "flipped":
        true_label = _other_label(entry.label, rng)
        movements = [sample_movement(true_label, rng)]
    elif noise == "ambiguous":
        mixed_with = _other_label(entry.label, rng)
        main = sample_movement(entry.label, rng, sub_emotion)
        second = sample_movement(mixed_with, rng)
        movements = [main, replace(second, weight=float(rng.uniform(0.7, 1.0)))]
    else:
        movements = [sample_movement(entry.label, rng, sub_emotion)]

    scale = style.height / 170
    amplitude = float(rng.uniform(0.8, 2.0)) * scale
    drift_size = float(rng.uniform(0.05, 0.3)) * scale
    blink_chance = 0.25
    extra: dict[str, str] = {}
    if noise == "weak":
        kind = ("faint", "head", "blink")[rng.integers(3)]
        extra["weak"] = kind
        amplitude *= float(rng.uniform(0.12, 0.25)) if kind == "faint" else 0.3
        if kind == "head":
            drift_size = float(rng.uniform(0.8, 1.6)) * scale
        if kind == "blink":
            blink_chance = 1.0

    n_frames = int(rng.integers(style.frames[0], style.frames[1] + 1))
    apex_index = int(rng.integers(max(1, n_frames // 3), max(2, 2 * n_frames // 3) + 1))
    apex_index = min(apex_index, n_frames - 1)
    angle = rng.uniform(0, 2 * np.pi)
    blinks = rng.random() < blink_chance
    clip = ClipSpec(
        movements=tuple(movements),
        amplitude=amplitude,
        n_frames=n_frames,
        apex_index=apex_index,
        drift=(drift_size * float(np.cos(angle)), drift_size * float(np.sin(angle))),
        blink_at=int(rng.integers(1, n_frames)) if blinks else None,
        blink_depth=float(rng.uniform(0.5, 1.0)),
        sensor_noise=style.sensor_noise,
        flicker=style.flicker,
        noise_seed=int(rng.integers(2**31)),
        extra=extra,
    )
    if blinks and noise == "weak" and extra["weak"] == "blink":
        clip = replace(clip, blink_at=apex_index, blink_depth=1.0)
    first_frame = int(rng.integers(*style.first_frame))
    fixes = known_errors(entry) if copy == 0 else {}
    # Where the real sheet has a known error, the frames sit where its correction points.
    if "apex" in fixes:
        first_frame = fixes["apex"].frame(None, None) - apex_index
    elif "offset" in fixes:
        first_frame = fixes["offset"].frame(None, None) - (n_frames - 1)
    action_units, coding_error = code_action_units(movements, config.coding, [config.seed, index])
    return PlannedSample(
        index=index,
        entry=entry,
        copy=copy,
        emotion=emotion,
        true_label=true_label,
        noise=noise,
        mixed_with=mixed_with,
        first_frame=first_frame,
        clip=clip,
        action_units=action_units,
        coding_error=coding_error,
    )


def code_action_units(
    movements: Sequence[Movement], rates: CodingErrorRates, seed: list[int]
) -> tuple[str, CodingError]:
    """The sheet's AU cell for these movements, as a coder writes it (sides are the
    subject's: the image's left is their right), with at most one coding error. Drawn
    from a stream of its own, so the clips stay as they were before codings had errors."""
    rng = np.random.default_rng([*seed, 1])
    units: list[tuple[str, int]] = []
    for movement in movements:
        side = {"both": "", "left": "R", "right": "L"}[movement.side]
        units += [(side, au) for au in movement.aus if (side, au) not in units]
    u = rng.random()
    error: CodingError = "none"
    if u < rates.missed and len(units) > 1:
        units.pop(int(rng.integers(len(units))))
        error = "missed"
    elif rates.missed <= u < rates.missed + rates.extra:
        unused = [au for au in CODABLE if au not in {au for _, au in units}]
        units.append(("", int(rng.choice(unused))))
        error = "extra"
    elif u >= rates.missed + rates.extra and u < rates.missed + rates.extra + rates.wrong_side:
        sided = [k for k, (side, _) in enumerate(units) if side]
        if sided:
            k = sided[int(rng.integers(len(sided)))]
            units[k] = ({"L": "R", "R": "L"}[units[k][0]], units[k][1])
            error = "wrong_side"
    return "+".join(f"{side}{au}" for side, au in units), error
