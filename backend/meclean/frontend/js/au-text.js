// Pure helpers (no DOM): what a sample's action units say, in the words the sample page,
// the review queue and the AU screen show. Unit-tested with node --test (tests/js/).
import { fixed } from "./format.js";

/** The AUs' judgement of a sample's label in one sentence, or null where they cannot judge
 * it (no AUs, too few other subjects with AUs). */
export function auVerdictText(sample) {
  if (sample.au_support === null || sample.au_support === undefined) return null;
  const given = `given them: ${sample.label} ${fixed(sample.au_support, 2)}`;
  if (sample.au_verdict === "supported") return `Its AUs support its label (${given}).`;
  const likelier = `${sample.au_likeliest} is likelier`;
  return sample.au_verdict === "disputed"
    ? `Its AUs dispute its label: ${likelier} (${given}).`
    : `Its AUs lean away from its label: ${likelier} (${given}).`;
}

/** How the sheet coded a sample's AUs: one list of AUs in words per coding it offers. */
export function codingsText(codings) {
  if (codings.length === 0) return [];
  if (codings.length === 1) return [codings[0].join("; ")];
  return codings.map((coding, k) => `coding ${k + 1}: ${coding.join("; ")}`);
}

/** An AU set of the clash table: "AU1+AU2", or "no AU" for the empty set. */
export const auSetText = (aus) => (aus.length ? aus.map((au) => `AU${au}`).join("+") : "no AU");

/** A clash's labels, most samples first: "positive 5, negative 1". */
export const clashLabelsText = (labels) =>
  Object.entries(labels)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([label, count]) => `${label} ${count}`)
    .join(", ");

/** A typical AU of a class: "AU12 lip corner puller: 92% of the class, 4% of the others". */
export const typicalText = (t) =>
  `AU${t.au} ${t.name}: ${Math.round(t.in_class * 100)}% of the class, ${Math.round(t.in_others * 100)}% of the others`;
