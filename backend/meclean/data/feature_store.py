"""Content-addressed feature files: the key covers both frames' bytes, the face box they
are cropped to and the flow settings."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from meclean.data.faces import FaceCrop
from meclean.data.flow import FlowSettings
from meclean.files import write_atomically

FEATURE_VERSION = "2"
"""Bump when the feature computation changes, so old files are not reused."""


class FeatureStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def key_for(
        onset: Path, apex: Path, settings: FlowSettings, face: FaceCrop | None = None
    ) -> str:
        digest = hashlib.sha256(f"v{FEATURE_VERSION}|{settings.fingerprint()}".encode())
        if face is not None:
            digest.update(face.fingerprint().encode())
        for frame in (onset, apex):
            digest.update(b"|")
            digest.update(frame.read_bytes())
        return digest.hexdigest()

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.npy"

    def __contains__(self, key: str) -> bool:
        return self.path(key).is_file()

    def load(self, key: str) -> np.ndarray:
        return np.load(self.path(key))

    def save(self, key: str, features: np.ndarray) -> None:
        """Write atomically: a crash never leaves a half-written feature file behind."""
        write_atomically(self.path(key), lambda f: np.save(f, features))
