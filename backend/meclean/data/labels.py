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
    # CAS(ME)^3 Part A: the sheet's 'emotion' column (some rows say 'Others').
    "casme3a": {
        "happy": "positive",
        "anger": "negative",
        "disgust": "negative",
        "fear": "negative",
        "sad": "negative",
        "surprise": "surprise",
        "others": None,
    },
    "mmew": {
        "happiness": "positive",
        "anger": "negative",
        "disgust": "negative",
        "fear": "negative",
        "sadness": "negative",
        "surprise": "surprise",
        "others": None,
    },
    # 4DME's five classes; repression is negative, as CASME II's is in MEGC.
    "4dme": {
        "positive": "positive",
        "negative": "negative",
        "repression": "negative",
        "surprise": "surprise",
        "others": None,
    },
    # CAS(ME)^2's estimated emotion (its fourth class, others, is left out).
    "casmesq": {
        "positive": "positive",
        "negative": "negative",
        "surprise": "surprise",
        "others": None,
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
    if "+" in key and all(part.strip() in mapping for part in key.split("+")):
        return None  # several emotions at once (4DME's 'Surprise+Positive'): no single class
    if key not in mapping:
        known = ", ".join(sorted(mapping))
        raise UnknownEmotion(f"unknown emotion {emotion!r} for {dataset} (known: {known})")
    return mapping[key]


def class_or_none(dataset: str, emotion: str) -> Label | None:
    """The emotion's class; None when it is excluded or unknown to the dataset's mapping."""
    try:
        return emotion_to_class(dataset, emotion)
    except UnknownEmotion:
        return None


def emotions_for(dataset: str, label: Label) -> list[str]:
    """The dataset's emotion words that map to ``label`` (for writing sheets)."""
    mapping = _EMOTION_TO_CLASS[dataset]
    return [emotion for emotion, cls in mapping.items() if cls == label]


def dataset_emotions(dataset: str) -> frozenset[str]:
    """Every emotion word the dataset's mapping knows, lower case."""
    return frozenset(_EMOTION_TO_CLASS[dataset])
