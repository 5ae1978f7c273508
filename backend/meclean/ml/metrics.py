"""MEGC metrics on the concatenated out-of-fold predictions: UF1, UAR, confusion matrices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, classes: int = 3) -> np.ndarray:
    """Counts (classes, classes): rows are true classes, columns predictions."""
    matrix = np.zeros((classes, classes), np.int64)
    np.add.at(matrix, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return matrix


def uf1(matrix: np.ndarray) -> float:
    """Unweighted F1: the mean over classes of 2TP / (2TP + FP + FN)."""
    tp = np.diag(matrix).astype(float)
    denominator = 2 * tp + (matrix.sum(0) - tp) + (matrix.sum(1) - tp)
    per_class = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    return float(per_class.mean())


def uar(matrix: np.ndarray) -> float:
    """Unweighted average recall: the mean over classes of TP / N_c."""
    tp = np.diag(matrix).astype(float)
    support = matrix.sum(1)
    per_class = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    return float(per_class.mean())


@dataclass(frozen=True)
class Scores:
    uf1: float
    uar: float
    confusion: list[list[int]]
    samples: int


def score(
    y_true: np.ndarray, y_pred: np.ndarray, groups: Sequence[str], classes: int = 3
) -> dict[str, Scores]:
    """Scores for the composite and for each source dataset, never averaged over folds."""
    groups_arr = np.asarray(groups)
    result = {}
    for name in ["composite", *sorted(set(groups_arr.tolist()))]:
        mask = np.ones(len(y_true), bool) if name == "composite" else groups_arr == name
        matrix = confusion_matrix(y_true[mask], y_pred[mask], classes)
        result[name] = Scores(uf1(matrix), uar(matrix), matrix.tolist(), int(mask.sum()))
    return result


ONE_CLASS_SHARE = 0.9
"""A run predicting one class for at least this share of the samples has collapsed onto it
(the composite's largest class, negative, is 57% of it): its UF1 says little of a method."""


@dataclass(frozen=True)
class OneClass:
    """Most predictions of a run fall in one class."""

    label: int
    count: int
    samples: int

    def describe(self, classes: Sequence[str] | None = None) -> str:
        name = classes[self.label] if classes else f"class {self.label}"
        return f"predicts {name} for {self.count} of its {self.samples} predictions"


def one_class(predicted: np.ndarray) -> OneClass | None:
    """The class a run almost always predicts (``ONE_CLASS_SHARE`` or more of its
    predictions; ``predicted`` counts them per class), or None."""
    counts = np.asarray(predicted).ravel()
    total = int(counts.sum())
    if total == 0:
        return None
    label = int(counts.argmax())
    if counts[label] < ONE_CLASS_SHARE * total:
        return None
    return OneClass(label, int(counts[label]), total)
