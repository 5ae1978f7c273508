"""The one place that maps each dataset's emotion words to meclean's three classes."""

from __future__ import annotations

from typing import Literal

Label = Literal["negative", "positive", "surprise"]
CLASSES: tuple[Label, ...] = ("negative", "positive", "surprise")

# None means "known, but excluded from the 3-class task".
_EMOTION_TO_CLASS: dict[str, dict[str, Label | None]] = {
    "casme2": {
        "happiness": "positive",
        "disgust": "negative",
        "repression": "negative",
        "surprise": "surprise",
        "others": None,
        "fear": None,
        "sadness": None,
    },
    "samm": {
        "happiness": "positive",
        "anger": "negative",
        "contempt": "negative",
        "disgust": "negative",
        "fear": "negative",
        "sadness": "negative",
        "surprise": "surprise",
        "other": None,
    },
    # SMIC-HS names its classes by folder; MEGC rosters use the short forms.
    "smic": {
        "negative": "negative",
        "positive": "positive",
        "surprise": "surprise",
        "ne": "negative",
        "po": "positive",
        "sur": "surprise",
    },
    # Generic manifests and the MEGC roster give the class itself.
    "generic": {c: c for c in CLASSES},
}


class UnknownEmotion(ValueError):
    """An emotion word that the dataset's mapping does not know."""


def emotion_to_class(dataset: str, emotion: str) -> Label | None:
    """Map a dataset's emotion to a class; ``None`` when the emotion is excluded."""
    mapping = _EMOTION_TO_CLASS.get(dataset, _EMOTION_TO_CLASS["generic"])
    key = emotion.strip().lower()
    if key not in mapping:
        known = ", ".join(sorted(mapping))
        raise UnknownEmotion(f"unknown emotion {emotion!r} for {dataset} (known: {known})")
    return mapping[key]


def emotions_for(dataset: str, label: Label) -> list[str]:
    """The dataset's emotion words that map to ``label`` (for writing sheets)."""
    mapping = _EMOTION_TO_CLASS[dataset]
    return [emotion for emotion, cls in mapping.items() if cls == label]
