"""2-D UMAP projections of the network's last hidden layer."""

from __future__ import annotations

import numpy as np


def umap_projection(embedding: np.ndarray, seed: int = 0, n_neighbors: int = 15) -> np.ndarray:
    """(N, 2) coordinates; deterministic for a seed (UMAP then runs single-threaded)."""
    import umap  # imported here: it costs seconds (numba) and only runs need it

    n_neighbors = max(2, min(n_neighbors, len(embedding) - 1))
    reducer = umap.UMAP(n_neighbors=n_neighbors, min_dist=0.1, random_state=seed, n_jobs=1)
    return reducer.fit_transform(embedding).astype(np.float32)
