// Pure helpers (no DOM) of Review next: the runs and position kept in the address, the runs
// picked, the queue's status, and the texts of the sample shown and of why a run flagged it.
// Unit-tested with node --test (tests/js/).
import { fixed, plural } from "./format.js";

export const MAX_RUNS = 5;
// The runs offered to judge by: the first the server lists.
export const OFFERED_RUNS = 12;

export const percent = (share) => `${Math.round(100 * share)}%`;

/** The runs, position and disagreement filter of address `hash` (#/triage?runs=1,2&at=3). */
export function chosenFromAddress(hash) {
  const params = new URLSearchParams(hash.split("?")[1] ?? "");
  const runs = (params.get("runs") ?? "").split(",").map(Number).filter(Number.isInteger);
  const at = Number(params.get("at") ?? 0);
  return { runs, at: Number.isInteger(at) && at >= 0 ? at : 0, disagreement: params.get("disagreement") === "true" };
}

export function triageAddress(runs, at, disagreement) {
  return `#/triage?runs=${runs.join(",")}&at=${at}${disagreement ? "&disagreement=true" : ""}`;
}

/** The runs of the address that have results, at most MAX_RUNS (none: the server's best). */
export const knownRuns = (chosen, runs) => chosen.filter((id) => runs.some((r) => r.id === id)).slice(0, MAX_RUNS);

/** The runs chosen once run `id` is ticked or not, or null where that leaves none or too many. */
export function toggledRuns(chosen, id, checked) {
  const next = checked ? [...chosen, id] : chosen.filter((c) => c !== id);
  return !next.length || next.length > MAX_RUNS ? null : next;
}

/** A run's choice in the picker. */
export function runChoiceText(run) {
  const uf1 = run.summary?.composite?.uf1_mean;
  return ` run ${run.id} (${run.method.name}, ${plural(run.epochs, "epoch")}${uf1 !== undefined ? `, UF1 ${fixed(uf1)}` : ""})`;
}

/** Where the reviewer is in the queue (`length` samples), and the queue's counts. */
export function statusText(at, length, queue) {
  const where = at < length ? `Sample ${at + 1} of ${length} in the queue` : `All ${length} samples of the queue seen`;
  return (
    `${where} · ${plural(queue.reviewed, "sample")} reviewed by me · ` +
    `${queue.flagged_unreviewed} of ${plural(queue.flagged, "flagged sample")} not yet reviewed by me`
  );
}

/** What shows where no sample is left. */
export const endText = (disagreement, length) =>
  disagreement && !length ? "No sample the experts disagree on." : "The end of the queue.";

export const sampleHeading = (sample) => `${sample.label} | ${sample.source}/${sample.subject} | ${sample.name}`;

export const myVerdictText = (myMark) =>
  myMark ? `${myMark.verdict}${myMark.typical ? " (typical)" : ""}` : "unmarked";

/** The rows of the signals' table, as [name, value, meaning]. */
export function signalRows(item) {
  const s = item.signals;
  const experts = item.marks_hidden
    ? "hidden until you mark it (blind marking)"
    : s.disagreement
      ? "disagree"
      : "no disagreement";
  const byRuns =
    s.loss === null
      ? []
      : [
          ["Out-of-fold loss", fixed(s.loss), "of its current label, where its own label never trained the model"],
          ["Flag rate", percent(s.flag_rate), "of its training updates that judged it noisy"],
          ["Label quality", fixed(s.label_quality), "confident learning's margin: near 0, another class is preferred"],
        ];
  const byAus = item.sample.action_units
    ? [
        [
          "Action units",
          `${item.sample.action_units}: ` +
            (s.au_support === null ? "cannot judge" : `${item.sample.label} ${fixed(s.au_support, 2)}`),
          s.au_reason ?? "too few samples of other subjects with AUs to judge by",
        ],
      ]
    : [];
  const byTiming =
    s.timing === null || s.timing === undefined
      ? []
      : [
          [
            "Timing",
            s.timing.length ? plural(s.timing.length, "doubt") : "no doubt",
            s.timing.length ? s.timing.join("; ") : "its onset, apex and offset agree with its motion",
          ],
        ];
  return [
    ...byRuns,
    ["Experts", experts, "clean and noisy verdicts of different experts"],
    ...byAus,
    ...byTiming,
    ["Suspicion", fixed(item.score), "the mean percentile rank of the signals in use: higher comes first"],
  ];
}

/** The caveat of a sample relabelled since the run, or null. */
export const relabelledText = (why) =>
  why.current_label !== why.given
    ? `Relabelled since: the run judged its label ${why.given}, it is now ${why.current_label}. ` +
      "The flags below concern the old label and do not count in the queue."
    : null;

/** The run's prediction, in parts (one text each); `classes` name the probabilities. */
export function predictionParts(why, classes) {
  const probabilities = why.probabilities.map((p, k) => `${classes[k]} ${fixed(p, 2)}`);
  const likeliest = classes[why.probabilities.indexOf(Math.max(...why.probabilities))];
  const proposal = why.proposed_label
    ? `; proposed relabel: ${why.proposed_label}${why.proposed_label !== likeliest ? PROPOSAL_AGAINST_PROBABILITIES : ""}`
    : "";
  return [
    `Given ${why.given}, predicted ${why.prediction} (${probabilities.join(", ")})`,
    why.seed_predictions?.length > 1 ? `; per seed: ${why.seed_predictions.join(", ")}` : "",
    proposal,
    ".",
  ];
}

// Why a proposal may name another class than the likeliest one out of fold.
export const PROPOSAL_AGAINST_PROBABILITIES =
  " (not the likeliest class above: the proposal comes from the flags raised while the " +
  "sample was trained on, the probabilities from the fold that held it out)";

/** How the sample's loss stands in its class and its subject, and its flags, in parts. */
export function lossParts(why) {
  const above = (share, group) =>
    share === null ? `it is alone ${group}` : `higher than ${percent(share)} of the other samples ${group}`;
  return [
    `Its out-of-fold loss is ${above(why.loss_above_in_class, `labelled ${why.given} (${why.class_size})`)} `,
    `and ${above(why.loss_above_in_subject, `of its subject (${why.subject_size})`)}; flagged in ${percent(why.flag_rate)} `,
    `of its training updates${why.high_loss ? "; high loss in the final model" : ""}${why.label_issue ? "; a confident-learning issue" : ""}.`,
  ];
}

/** A neighbour's name without its dataset. */
export const neighbourName = (n) => n.name.split("/").slice(1).join("/");

/** The move a key makes in the queue: 1 on, -1 back, 0 none (at `at` of `length`). */
export function queueStep(key, at, length) {
  if ((key === "j" || key === "ArrowRight") && at < length) return 1;
  if ((key === "k" || key === "ArrowLeft") && at > 0) return -1;
  return 0;
}

export const TRIAGE_KEYS = [
  ["c / n / u", "mark clean / noisy / unsure and go on"],
  ["t", "mark clean and typical and go on"],
  ["→ / j", "next in the queue"],
  ["← / k", "previous in the queue"],
  ["z", "undo my mark on the previous sample and go back to it"],
];

// The review queue's signals, as the API names them, in words.
export const SIGNAL_NAMES = {
  disagreement: "experts' disagreement",
  loss: "out-of-fold loss",
  flag_rate: "flag rate",
  label_quality: "label quality",
  au_evidence: "action units",
  timing: "timing doubts",
};

/** The signals in use once `signal` is ticked or not (`[]`: the server's default, all of
 * `available`), or null where that leaves none. */
export function toggledSignals(chosen, available, signal, checked) {
  const current = chosen.length ? chosen : available;
  const next = checked
    ? available.filter((s) => s === signal || current.includes(s))
    : current.filter((s) => s !== signal);
  if (!next.length) return null;
  return next.length === available.length ? [] : next;
}
