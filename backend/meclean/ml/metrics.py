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
