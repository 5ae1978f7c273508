"""Label-noise detectors that work on out-of-fold predictions, for comparison with LTM/ILC."""

from __future__ import annotations

import numpy as np


def confident_learning_issues(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Samples that confident learning (cleanlab's ``find_label_issues``) judges mislabelled.

    ``probabilities`` must be out-of-fold, as LOSO gives them: a sample's own label must not
    have trained the model that scored it.
    """
    from cleanlab.filter import find_label_issues

    # n_jobs=1: by default cleanlab forks a process pool, and forking a process that runs
    # other threads (a worker's heartbeat, the API server) can deadlock the child. The
    # result does not depend on n_jobs.
    return find_label_issues(
        labels=labels, pred_probs=probabilities, filter_by="prune_by_noise_rate", n_jobs=1
    )
