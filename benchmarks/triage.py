"""Review next, measured: how many of the synthetic set's flipped labels an expert reaches
in the first 10% / 20% of the triage queue, against grid order (the baseline, measured in
the same run) and against each signal alone.

Run: `.venv/bin/python benchmarks/triage.py --epochs 30` (about 10 minutes on 2 cores:
features of 442 samples, one ILC run over the 68 LOSO folds with its final model). The
ground truth of the synthetic roster, which the app never reads, says which labels were
flipped. The queue is built exactly as the API builds it (``meclean.ml.triage``) from the
run's out-of-fold probabilities, flag rates and confident learning; a second queue adds
two simulated experts' marks on a random 30% of the samples (their disagreement is the
fourth signal). Differences from grid order come with a 95% interval from resampling
subjects.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from table2 import make_roster, simulated_expert_marks

from meclean.ml.methods import make_method
from meclean.ml.protocols import protocol_config
from meclean.ml.run import run_experiment
from meclean.ml.triage import label_quality, out_of_fold_loss, suspicion

SHARES = (0.1, 0.2)
BOOTSTRAP = 2000


def reached(order: np.ndarray, flipped: np.ndarray, share: float) -> float:
    """Share of the flipped samples of ``order`` (indices, repeats allowed) that lie in its
    first ``share``."""
    head = order[: round(share * len(order))]
    return flipped[head].sum() / max(flipped[order].sum(), 1)


def interval(
    score: np.ndarray, baseline: np.ndarray, flipped: np.ndarray, subjects: list[str], share: float
) -> tuple[float, float]:
    """95% interval of reached(score order) - reached(baseline order), resampling subjects."""
    rng = np.random.default_rng(0)
    names = sorted(set(subjects))
    members = {s: np.flatnonzero(np.asarray(subjects) == s) for s in names}
    differences = []
    for _ in range(BOOTSTRAP):
        picked = np.concatenate([members[s] for s in rng.choice(names, len(names))])
        ours = picked[np.argsort(-score[picked], kind="stable")]
        theirs = picked[np.argsort(baseline[picked], kind="stable")]
        differences.append(reached(ours, flipped, share) - reached(theirs, flipped, share))
    low, high = np.percentile(differences, [2.5, 97.5])
    return float(low), float(high)


def print_orders(scores: dict[str, np.ndarray], flipped: np.ndarray, subjects: list[str]) -> None:
    """Each order's share of the flipped labels in its first 10% and 20%, against grid
    order (sample ids follow the roster) measured in the same run, with intervals."""
    grid = np.arange(len(flipped), dtype=float)
    print(f"{'order':34s}" + "".join(f"{f'first {int(s * 100)}%':>34s}" for s in SHARES))
    base = {s: reached(np.argsort(grid, kind="stable"), flipped, s) for s in SHARES}
    print(f"{'grid order (baseline)':34s}" + "".join(f"{base[s]:>34.1%}" for s in SHARES))
    for name, score in scores.items():
        order = np.argsort(-score, kind="stable")
        cells = []
        for s in SHARES:
            share = reached(order, flipped, s)
            low, high = interval(score, grid, flipped, subjects, s)
            ratio = share / base[s] if base[s] else float("inf")
            cells.append(f"{share:.1%} (x{ratio:.1f}, [{low:+.0%}, {high:+.0%}])")
        print(f"{name:34s}" + "".join(f"{c:>34s}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--data-seed", type=int, default=0)
    parser.add_argument("--device", default=None)
    args = parser.parse_args()

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        data, truth = make_roster(Path(tmp), args.data_seed)
    rows = [truth[i] for i in data.sample_ids]
    flipped = np.array([r["noise"] == "flipped" for r in rows])
    prepared = time.perf_counter() - start
    config = protocol_config("meclean", epochs=args.epochs, device=args.device)
    result = run_experiment(
        data, method=make_method("ilc", epochs=args.epochs), config=config, seeds=[0]
    )
    trained = time.perf_counter() - start - prepared

    labels, probabilities = data.labels, result.probabilities
    signals = {
        "loss": out_of_fold_loss(labels, probabilities),
        "flag_rate": result.flag_rate,
        "label_quality": label_quality(labels, probabilities),
    }
    # Two experts, each right more often than not, have marked a random 30% of the samples.
    rng = np.random.default_rng(args.data_seed)
    marked = rng.random(len(labels)) < 0.3
    noise = np.array([r["noise"] for r in rows])
    first, second = (simulated_expert_marks(noise, seed) for seed in (1, 2))
    disagreement = marked & (first != second)

    scores = {
        "out-of-fold loss alone": signals["loss"],
        "flag rate alone": signals["flag_rate"],
        "label quality alone (cleanlab)": -signals["label_quality"],
        "queue: model signals": suspicion([signals], np.zeros(len(labels), bool)),
        "queue: + 2 experts on 30%": suspicion([signals], disagreement),
    }
    print(
        f"{len(labels)} samples, {int(flipped.sum())} flipped; ILC {args.epochs} epochs, "
        f"1 seed, 68 LOSO folds (composite UF1 {result.summary()['composite']['uf1_mean']:.3f}); "
        f"data {prepared / 60:.1f} min, training {trained / 60:.1f} min"
    )
    print_orders(scores, flipped, list(data.subjects))


if __name__ == "__main__":
    main()
