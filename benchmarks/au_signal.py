"""The action units as a signal of Review next, measured: how many of the synthetic set's
flipped labels the AU evidence alone reaches in the first 10% / 20% of the queue, the
model's signals alone and both, against grid order (measured in the same run); and, on
copies of the real sheets' AU and emotion columns, how many labels the AUs dispute.

Run: `.venv/bin/python benchmarks/au_signal.py --epochs 30` (about 10 minutes on 2 cores:
the synthetic composite's 442 samples, their features and one ILC run for the model's
signals; `--epochs 0` measures the AUs alone in a minute). The synthetic sheets code each
sample's AUs as its face moved, with coding errors at the generator's stated rates (a
missed AU 8%, an extra one 5%, a wrong side 4%); a flipped label keeps the AUs of its true
class. `--sheets DIR` also reads `casme2.csv`, `samm.csv` and `casme3a.csv` there (columns
subject, action_units, emotion), public copies of the releases' annotation columns that
are never committed to this project.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from table2 import make_roster
from triage import print_orders

from meclean.data.action_units import ActionUnitError, parse_action_units
from meclean.data.labels import CLASSES, class_or_none
from meclean.ml.au_evidence import au_judgements, clashes
from meclean.ml.methods import make_method
from meclean.ml.protocols import protocol_config
from meclean.ml.run import run_experiment
from meclean.ml.triage import label_quality, out_of_fold_loss, suspicion

SHEETS = {"casme2": "casme2.csv", "samm": "samm.csv", "casme3a": "casme3a.csv"}
MEB_IN_SAMPLE_F1 = {"casme2": 87, "samm": 96, "casme3a": 32}
"""MEB's Table 2 (tvaranka/meb): macro-F1 of emotions predicted from AUs, on its own
training data."""


def synthetic(epochs: int, data_seed: int, device: str | None) -> None:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        data, truth = make_roster(Path(tmp), data_seed)
    rows = [truth[i] for i in data.sample_ids]
    flipped = np.array([r["noise"] == "flipped" for r in rows])
    labels = [CLASSES[k] for k in data.labels]
    # As the readers do: SMIC-HS ships no AU coding, whatever the generator moved.
    codings = [
        None if r["dataset"] == "smic" else parse_action_units(r["coded_action_units"])
        for r in rows
    ]
    presence = [c.presence() if c else None for c in codings]
    judged = au_judgements(presence, labels, list(data.subjects), list(data.datasets), CLASSES)
    doubt = np.array([np.nan if j is None else 1 - j.probability for j in judged])
    errors = Counter(r["coding_error"] for r in rows if r["dataset"] != "smic")
    prepared = time.perf_counter() - start
    none = np.zeros(len(labels), bool)
    scores = {"AU evidence alone": suspicion([], none, doubt, use={"au_evidence"})}
    trained_note = "no run (--epochs 0)"
    if epochs:
        config = protocol_config("meclean", epochs=epochs, device=device)
        result = run_experiment(
            data, method=make_method("ilc", epochs=epochs), config=config, seeds=[0]
        )
        signals = {
            "loss": out_of_fold_loss(data.labels, result.probabilities),
            "flag_rate": result.flag_rate,
            "label_quality": label_quality(data.labels, result.probabilities),
        }
        scores["model's signals alone"] = suspicion([signals], none)
        scores["both (the queue's default)"] = suspicion([signals], none, doubt)
        uf1 = result.summary()["composite"]["uf1_mean"]
        trained_note = f"ILC {epochs} epochs, 1 seed, LOSO (composite UF1 {uf1:.3f})"
    print(
        f"{len(labels)} samples, {int(flipped.sum())} flipped; "
        f"{sum(c is not None for c in codings)} with AUs (SMIC-HS codes none), coding errors "
        f"{dict(errors)}; {sum(j is not None for j in judged)} judged by their AUs, "
        f"{sum(j is not None and j.disputed for j in judged)} disputed "
        f"({sum(bool(j and j.disputed) and f for j, f in zip(judged, flipped, strict=True))}"
        f" of them flipped); {trained_note}; {(time.perf_counter() - start) / 60:.1f} min "
        f"(data {prepared / 60:.1f})"
    )
    print_orders(scores, flipped, list(data.subjects))


def real_sheets(folder: Path) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    print(
        f"{'sheet':8s} {'rows':>5s} {'3-class':>8s} {'coded':>6s} {'unread':>7s} "
        f"{'judged':>7s} {'disputed':>9s} {'UF1 out of subject':>19s} "
        f"{'F1 in-sample (MEB)':>19s}  largest clash of emotions"
    )
    for dataset, name in SHEETS.items():
        path = folder / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        unread = 0
        presence, emotions = [], []
        for r in rows:
            try:
                coding = parse_action_units(r["action_units"])
            except ActionUnitError:
                coding, unread = None, unread + 1
            presence.append(coding.presence() if coding else None)
            emotions.append(r["emotion"].strip().lower())
        labels = [class_or_none(dataset, e) for e in emotions]
        keep = [k for k, lab in enumerate(labels) if lab is not None]
        judged = au_judgements(
            [presence[k] for k in keep],
            [str(labels[k]) for k in keep],
            [rows[k]["subject"] for k in keep],
            [dataset] * len(keep),
            CLASSES,
        )
        scored = [(j.likeliest, j.label) for j in judged if j is not None]
        uf1 = f1_score([t for _, t in scored], [p for p, _ in scored], average="macro")
        # MEB's figure: every emotion of the sheet, fitted and scored on the same samples.
        coded = [k for k, p in enumerate(presence) if p]
        aus = sorted({au for k in coded for au in presence[k] or {}})
        x = np.array([[(presence[k] or {}).get(au, 0.0) for au in aus] for k in coded])
        y = [emotions[k] for k in coded]
        model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(x, y)
        in_sample = f1_score(y, model.predict(x), average="macro")
        by_emotion = clashes(presence, emotions, [dataset] * len(rows), [False] * len(rows))
        largest = by_emotion[0] if by_emotion else None
        clash = (
            f"{'+'.join(map(str, largest.action_units))}: "
            + ", ".join(f"{e} {n}" for e, n in sorted(largest.labels.items()))
            if largest
            else "none"
        )
        print(
            f"{dataset:8s} {len(rows):5d} {len(keep):8d} {sum(bool(p) for p in presence):6d} "
            f"{unread:7d} {len(scored):7d} {sum(j.disputed for j in judged if j):9d} "
            f"{uf1:19.3f} {f'{in_sample * 100:.0f} ({MEB_IN_SAMPLE_F1[dataset]})':>19s}  {clash}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30, help="0: the AUs alone, no run")
    parser.add_argument("--data-seed", type=int, default=0)
    parser.add_argument("--device", default=None)
    parser.add_argument("--sheets", type=Path, default=None, help="folder of sheet copies")
    args = parser.parse_args()
    synthetic(args.epochs, args.data_seed, args.device)
    if args.sheets:
        real_sheets(args.sheets)


if __name__ == "__main__":
    main()
