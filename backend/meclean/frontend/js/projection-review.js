// Pure helpers (no DOM) of the projection's review: the proposals' states and order, the
// high-loss line drawn at another alpha, the selection kept across pages, and the texts of
// the panel and the hover card. Unit-tested with node --test (tests/js/).
import { fixed, plural } from "./format.js";

/** A sample's proposed relabel: "pending" until decided, null where there is none. */
export const reviewOf = (data, i) => (data.proposed_label[i] ? (data.review[i] ?? "pending") : null);

export function reviewCounts(data) {
  const tally = { pending: 0, accepted: 0, rejected: 0 };
  data.sample_id.forEach((_, i) => {
    const r = reviewOf(data, i);
    if (r) tally[r] += 1;
  });
  return tally;
}

export function tallyText(data) {
  const t = reviewCounts(data);
  return `Proposed relabels: ${t.pending} pending, ${t.accepted} accepted, ${t.rejected} rejected`;
}

// Pending proposals first, then decided ones, then the samples without a proposal.
export const inReviewOrder = (data, indices) =>
  ["pending", "accepted", "rejected", null].flatMap((state) =>
    indices.filter((i) => (reviewOf(data, i) ?? null) === state),
  );

// High loss of the final model re-drawn at another alpha, from the stored losses: the
// same rule as the run's (loss above mean + alpha * sample std), no new run needed.
export function thresholdAt(finalLoss, a) {
  const losses = finalLoss.filter((v) => v !== null);
  if (losses.length < 2) return null;
  const mean = losses.reduce((t, v) => t + v, 0) / losses.length;
  const std = Math.sqrt(losses.reduce((t, v) => t + (v - mean) ** 2, 0) / (losses.length - 1));
  return mean + a * std;
}

/** Which samples are high loss at `alpha`: at the run's own alpha, the server's answer. */
export function highLossAt(data, alpha, runAlpha) {
  const cut = alpha === runAlpha ? null : thresholdAt(data.final_loss, alpha);
  return cut === null ? data.high_loss : data.final_loss.map((v) => v !== null && v > cut);
}

export function alphaText(high, alpha, runAlpha, stored) {
  return (
    `${plural(high.filter(Boolean).length, "sample")} above mean + ${alpha} std of the final model's losses` +
    (alpha === runAlpha ? "" : ` (the run drew ${stored} at α = ${runAlpha})`)
  );
}

export const probabilitiesText = (data, i) =>
  data.classes.map((c, k) => `${c} ${fixed(data.probabilities[i][k], 2)}`).join(", ");

// Two kinds of "high loss", named apart: the relabels come from the method's flags during
// LOSO training; the red crosses from the final all-sample model, scored in eval mode.
export const isIlc = (methodName) => methodName.includes("ilc");
export function proposalText(data, i, methodName) {
  const flagger = methodName.split("+").at(-1).toUpperCase();
  return isIlc(methodName)
    ? `ILC proposes ${data.proposed_label[i]}`
    : `relabel ${data.proposed_label[i]} suggested by ${flagger}'s training flags (${flagger} itself only leaves flagged samples out)`;
}

/** What the server did with accepted or rejected proposals. */
export function decisionText(result, accept) {
  const into = result.label_version_id ? ` into label version ${result.label_version_id}` : "";
  const already = result.unchanged.length ? ` (${result.unchanged.length} already had the proposed label)` : "";
  return `${accept ? "Accepted" : "Rejected"} ${plural(result.reviewed, "relabel")}${accept ? `${into}${already}` : ""}`;
}

export function withdrawnText(result) {
  const restored = result.label_version_id ? `; labels restored in version ${result.label_version_id}` : "";
  return `Took back ${plural(result.withdrawn, "decision")}${restored}`;
}

/** The question before a bulk mark replaces the expert's other marks (`changed`: id → verdict). */
export function replaceMarksQuestion(changed, data, verdict) {
  const count = Object.keys(changed).length;
  const names = Object.entries(changed)
    .slice(0, 10)
    .map(([id, was]) => `${data.name[data.sample_id.indexOf(Number(id))] ?? id} (${was})`);
  const more = count > 10 ? `\n…and ${count - 10} more` : "";
  return `${count} of these samples already have another mark of yours:\n${names.join("\n")}${more}\n\nReplace them with "${verdict}"?`;
}

/** The points of the samples kept selected (ids), in the projection's order. */
export const keptIndices = (data, keptIds) => data.sample_id.flatMap((id, i) => (keptIds.includes(id) ? [i] : []));

/** Where a sample opened from the projection returns, and the samples its page steps through:
 * the selection in review order, or the sample alone. */
export function returnTrail(data, selected, i, hash) {
  const ids = selected.length ? inReviewOrder(data, selected).map((k) => data.sample_id[k]) : [data.sample_id[i]];
  return { hash, id: data.sample_id[i], ids, cursor: null, total: ids.length };
}
