// Pure helpers (no DOM) of relabelling: the question asked before replacing a label experts
// judged clean, and what a decision did. Unit-tested with node --test (tests/js/).
import { plural } from "./format.js";

/** The confirm before replacing labels experts judged clean (`clean`: sample id -> names). */
export function overrideCleanQuestion(clean, nameOf = (id) => `sample ${id}`) {
  const lines = Object.entries(clean)
    .slice(0, 10)
    .map(([id, experts]) => `• ${nameOf(Number(id))}: clean by ${experts.join(", ")}`);
  const more = Object.keys(clean).length > 10 ? [`and ${Object.keys(clean).length - 10} more`] : [];
  return [
    `Experts judged the current label of ${plural(Object.keys(clean).length, "sample")} clean:`,
    ...lines,
    ...more,
    "",
    "Replace their labels anyway? Their verdicts stay, shown as judging the old label.",
  ].join("\n");
}

/** What a relabel decision did, for the toast. */
export function decisionText(result, label) {
  const moved = result.changes.length;
  const kept = result.unchanged.length ? ` (${result.unchanged.length} already ${label})` : "";
  return `Relabelled ${plural(moved, "sample")} ${label} in label version ${result.label_version_id}${kept}`;
}

/** The classes a sample may be relabelled to: every class but its own. */
export const otherClasses = (classes, label) => classes.filter((c) => c !== label);

/** The experts' verdicts on a sample in a line: each with what it should be, and the label
 * it judged where the sample has another now (`label`). */
export function expertVerdictsText(verdicts, label) {
  if (!verdicts.length) return " no expert verdict";
  const one = (v) => {
    const should = v.should_be ? ` → ${v.should_be}` : "";
    const other = v.judged_label && v.judged_label !== label ? ` (on ${v.judged_label})` : "";
    return `${v.user}: ${v.verdict}${should}${other}`;
  };
  return ` experts: ${verdicts.map(one).join("; ")}`;
}
