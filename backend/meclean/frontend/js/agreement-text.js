// Pure helpers (no DOM) of the Agreement screen: kappas in words, which pairs and cells link
// to the grid's disagreements, the tables' cells as data. Unit-tested with node --test
// (tests/js/).
import { fixed, plural } from "./format.js";

// The grid's "experts disagree" filter: samples whose clean / noisy verdicts differ.
export const DISAGREEMENT = "#/samples?disagreement=true";

// Landis & Koch (1977), the usual words for a kappa: each band and the value it is above
// (below 0 poor, up to 0.2 slight).
const BANDS = [
  [0.8, "almost perfect"],
  [0.6, "substantial"],
  [0.4, "moderate"],
  [0.2, "fair"],
];

export function reading(kappa) {
  if (kappa < 0) return "poor agreement (below chance)";
  return `${BANDS.find(([above]) => kappa > above)?.[1] ?? "slight"} agreement`;
}

export function kappaText(kappa, reason) {
  return kappa === null ? `not defined: ${reason}` : `${fixed(kappa, 2)}, ${reading(kappa)}`;
}

// Whether one said clean and the other noisy on some sample: what the grid's filter finds.
export function clashes(pair, categories) {
  const [clean, noisy] = [categories.indexOf("clean"), categories.indexOf("noisy")];
  return pair.confusion[clean][noisy] + pair.confusion[noisy][clean] > 0;
}

// Whether a cell of a pair's confusion links to the grid's filter: a clean / noisy
// disagreement (the filter shows every pair's disagreements, not only this one's).
export const linkedCell = (count, row, column) =>
  count > 0 && row !== column && row !== "unsure" && column !== "unsure";

export const pairKey = (pair) => `${pair.first}|${pair.second}`;

export function expertsText(experts) {
  const named = experts.map((e) => `${e.name} (${plural(e.marked, "sample")})`);
  return named.length ? `Marked by ${named.join(", ")}.` : "No expert has marked a sample yet.";
}

export const fleissScope = (kappa, samples) =>
  kappa === null ? "" : ` (on ${plural(samples, "sample")} marked by at least two experts)`;

// Below this many shared samples a kappa's interval spans most of its range.
export const FEW_SHARED = 20;

export const PAIRS_HEADER = ["Experts", "Shared samples", "Same verdict", "Cohen's kappa", ""];

// A pair's first three cells.
export const pairCells = (pair) => [
  `${pair.first} – ${pair.second}`,
  pair.shared,
  pair.percent === null ? "–" : `${fixed(pair.percent, 1)} %`,
];

// The caveat after a pair's kappa, or null.
export const roughText = (pair) =>
  pair.kappa !== null && pair.shared < FEW_SHARED ? ` ⚠ on ${pair.shared} samples: a rough estimate` : null;

export const weighedSummary = (weighed) =>
  `Against run ${weighed.run_id}'s out-of-fold probabilities, the consensus of ${weighed.samples} samples calls ` +
  `${weighed.noisy} noisy. IDC's clean set can come from it (launch form, consensus "cleanlab").`;

export const WEIGHED_HEADER = ["Expert", "Quality", "Agrees with the consensus"];
export const weighedCells = (expert) => [
  expert.name,
  fixed(expert.quality, 2),
  `${Math.round(100 * expert.agreement_with_consensus)}%`,
];
