"""The paper's Table 2 on the synthetic stand-in: every method, UF1/UAR per dataset.

Run: `.venv/bin/python benchmarks/table2.py --epochs 15 --seeds 2` (the protocol is 200
epochs and 3+ seeds; choose what the machine affords, the same for every method);
`--protocols meclean,paper` runs each method under both protocols side by side. Every row
is compared with the baseline of its protocol (and a `paper` row with the same method under
`meclean`): the UF1 difference with a 95% bootstrap interval over subjects and a paired
t-test over seeds, marked `real` only when both say so. `--out` keeps each row's
predictions; `--versus` compares each row with the same method and protocol in such a
file (e.g. written by an earlier commit), the same way. Uses the
synthetic roster's ground truth, which the app never reads, to score what the detectors
flag (precision and recall against the flipped samples) and how often ILC's proposed
relabels are right. IDC gets marks simulated as an expert would give them, with a share
of mistakes, never the ground truth itself; the `true-labels` row trains on the ground
truth to show how much the noise costs.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from meclean.data.labels import CLASSES
from meclean.ml.comparison import SeedPredictions, UF1Difference, uf1_difference
from meclean.ml.methods import make_method
from meclean.ml.metrics import score
from meclean.ml.protocols import protocol_config
from meclean.ml.run import RunResult, TrainingSet, run_experiment

DEFAULT_METHODS = "baseline,qpercentile,gce,ltm,ilc,idc,idc+ilc,mixup,true-labels"
# How often a simulated expert marks a sample noisy, by what generated it.
EXPERT_MARKS_NOISY = {"clean": 0.08, "flipped": 0.7, "ambiguous": 0.45, "weak": 0.55}


def make_roster(tmp: Path, seed: int) -> tuple[TrainingSet, dict[str, dict[str, str]]]:
    from meclean.data.feature_store import FeatureStore
    from meclean.data.features import compute_features
    from meclean.data.flow import FlowSettings
    from meclean.data.readers import ImportOptions, read_dataset
    from meclean.data.synth.generator import generate
    from meclean.data.synth.plan import SynthConfig
    from meclean.ml.training_data import training_set

    root = tmp / "synth"
    generate(root, SynthConfig(seed=seed), workers=2)
    samples = read_dataset("megc2019", root, ImportOptions(roster=root / "roster.csv")).samples
    store = FeatureStore(tmp / "features")
    results = compute_features(samples, FlowSettings(), store, workers=2)
    data = training_set(samples, [r.key for r in results], store)
    with (root / "ground_truth.csv").open() as f:
        truth = {f"{r['dataset']}/{r['subject']}/{r['filename']}": r for r in csv.DictReader(f)}
    return data, truth


def simulated_expert_marks(noise: np.ndarray, seed: int) -> np.ndarray:
    """Clean (True) or noisy marks, right more often than not, wrong at realistic rates."""
    rng = np.random.default_rng(seed)
    p_noisy = np.array([EXPERT_MARKS_NOISY[k] for k in noise])
    return rng.random(len(noise)) >= p_noisy


def precision_recall(flagged: np.ndarray, truly_noisy: np.ndarray) -> tuple[float, float]:
    hits = (flagged & truly_noisy).sum()
    return hits / max(flagged.sum(), 1), hits / max(truly_noisy.sum(), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument(
        "--first-seed", type=int, default=0, help="seeds run: first-seed, first-seed + 1, ..."
    )
    parser.add_argument("--methods", default=DEFAULT_METHODS)
    parser.add_argument("--protocols", default="meclean", help="comma-separated: meclean,paper")
    parser.add_argument("--data-seed", type=int, default=0)
    parser.add_argument(
        "--flag-rate",
        type=float,
        default=0.5,
        help="a sample counts as flagged by a run above this flag rate",
    )
    parser.add_argument("--device", default=None)
    parser.add_argument("--out", type=Path, help="write every row and comparison as JSON here")
    parser.add_argument(
        "--versus", type=Path, help="an earlier --out file: compare each row with its own there"
    )
    args = parser.parse_args()
    earlier = {}
    if args.versus:
        before = json.loads(args.versus.read_text())
        for row in before["rows"]:
            earlier[row["method"], row["protocol"]] = row

    with tempfile.TemporaryDirectory() as tmp:
        data, truth = make_roster(Path(tmp), args.data_seed)
    rows = [truth[i] for i in data.sample_ids]
    true_labels = np.array([CLASSES.index(r["true_label"]) for r in rows])
    noise = np.array([r["noise"] for r in rows])
    flipped = noise == "flipped"
    marks = simulated_expert_marks(noise, args.data_seed)
    protocols = args.protocols.split(",")
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    print(
        f"{len(data.labels)} samples; noise: "
        + ", ".join(f"{k} {int((noise == k).sum())}" for k in EXPERT_MARKS_NOISY)
        + f"; simulated expert marks noisy {int((~marks).sum())}, of which flipped "
        f"{int((~marks & flipped).sum())}"
    )
    print(
        f"budget: {args.epochs} epochs x {args.seeds} seeds per method and protocol "
        f"({', '.join(protocols)}), 68 LOSO folds; warm-ups keep their share of the "
        "protocol's 200 epochs\n"
    )
    header = f"{'method':22s}" + "".join(
        f"{g:>18s}" for g in ("composite", "casme2", "samm", "smic")
    )
    print(header + "   UAR composite   UF1 vs truth   flag P/R   relabel acc   minutes")
    done: dict[tuple[str, str], SeedPredictions] = {}
    rows_out: list[dict[str, object]] = []
    report = {
        "epochs": args.epochs,
        "seeds": seeds,
        "data_seed": args.data_seed,
        "sample_ids": list(data.sample_ids),
        "rows": rows_out,
    }
    if args.versus:
        setup = ("epochs", "data_seed", "sample_ids")
        differs = [k for k in setup if before.get(k) != report[k]]
        if differs:
            raise SystemExit(f"{args.versus} was run on another setup: {', '.join(differs)}")
    for name in args.methods.split(","):
        for protocol in protocols:
            start = time.perf_counter()
            config = protocol_config(protocol, epochs=args.epochs, device=args.device)
            method_name = "baseline" if name == "true-labels" else name
            method = make_method(method_name, epochs=args.epochs)
            run_data = data
            if name == "true-labels":
                run_data = replace(data, labels=true_labels)
            elif method.needs_marks:
                run_data = replace(data, clean=marks)
            result = run_experiment(
                run_data, method=method, config=config, seeds=seeds, final_model=False
            )
            minutes = (time.perf_counter() - start) / 60
            label = f"{name} ({protocol})"
            print(_row(label, result, flipped, true_labels, args.flag_rate, minutes), flush=True)
            predictions = SeedPredictions(
                seeds, np.stack([p.argmax(1) for p in result.seed_probabilities]), data.labels
            )
            done[name, protocol] = predictions
            versus = {}
            if name != "baseline" and ("baseline", protocol) in done:
                versus[f"baseline ({protocol})"] = done["baseline", protocol]
            if protocol != protocols[0]:
                versus[f"{name} ({protocols[0]})"] = done[name, protocols[0]]
            if (name, protocol) in earlier:
                before = earlier[name, protocol]
                versus[f"{label} in {args.versus.name}"] = SeedPredictions(
                    before["seeds"], np.asarray(before["predictions"]), data.labels
                )
            comparisons = {}
            for other, theirs in versus.items():
                difference = uf1_difference(predictions, theirs, data.subjects)
                comparisons[other] = difference.as_dict()
                print(f"    vs {other}: {describe_difference(difference)}", flush=True)
            if name == "baseline":
                issues = result.label_issues
                p, r = precision_recall(issues, flipped)
                print(
                    "    + confident learning (cleanlab) on the out-of-fold probabilities: "
                    f"flag P/R {p:.2f}/{r:.2f} ({int(issues.sum())} flagged)"
                )
            rows_out.append(
                {
                    "method": name,
                    "protocol": protocol,
                    "summary": result.summary(),
                    "minutes": minutes,
                    "versus": comparisons,
                    "seeds": seeds,
                    "predictions": predictions.predictions.tolist(),
                }
            )
            if args.out:
                args.out.write_text(json.dumps(report, indent=2))


def describe_difference(d: UF1Difference) -> str:
    p = "n/a" if d.p_value is None else f"{d.p_value:.3f}"
    verdict = "real" if d.real else "within noise"
    return (
        f"UF1 {d.difference:+.4f} [{d.ci_low:+.4f}, {d.ci_high:+.4f}] over {d.subjects} "
        f"subjects, paired t-test over {d.paired_seeds} seeds p={p}: {verdict}"
    )


def spread(std: float | None) -> str:
    """A sample standard deviation over seeds (ddof=1); one seed has none."""
    return "  n/a" if std is None else f"{std:.3f}"


def _row(
    name: str,
    result: RunResult,
    flipped: np.ndarray,
    true_labels: np.ndarray,
    flag_rate: float,
    minutes: float,
) -> str:
    summary = result.summary()
    cells = "".join(
        f"{summary[g]['uf1_mean']:>11.4f}±{spread(summary[g]['uf1_std'])}"
        for g in ("composite", "casme2", "samm", "smic")
    )
    uar = f"{summary['composite']['uar_mean']:.4f}±{spread(summary['composite']['uar_std'])}"
    # Scored against the ground truth instead of the given labels: what the noise cost.
    versus_truth = [
        score(true_labels, p.argmax(1), ["all"] * len(p))["composite"].uf1
        for p in result.seed_probabilities
    ]
    truth_std = np.std(versus_truth, ddof=1) if len(versus_truth) > 1 else None
    truth = f"{np.mean(versus_truth):.4f}±{spread(truth_std)}"
    flagged = result.flag_rate > flag_rate
    flags = "      -     "
    if flagged.any():
        p, r = precision_recall(flagged, flipped)
        flags = f"  {p:.2f}/{r:.2f}   "
    proposed = result.proposed_label >= 0
    relabel = "     -     "
    if name.startswith(("ilc", "idc+ilc")) and proposed.any():
        accuracy = (result.proposed_label[proposed] == true_labels[proposed]).mean()
        relabel = f"{accuracy:.2f} of {int(proposed.sum()):3d}"
    return f"{name:22s}{cells}   {uar:>13s}  {truth:>13s}  {flags}  {relabel}  {minutes:7.1f}"


if __name__ == "__main__":
    main()
