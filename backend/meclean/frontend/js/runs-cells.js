// Table cells the runs list, the comparison and a run's page share.
import { differenceText, progressText, scoreText } from "./runs-text.js";
import { h } from "./ui.js";

export function progressCell(run) {
  const { percent, detail } = progressText(run);
  return h(
    "td",
    { class: "progress-cell" },
    h("progress", { max: 100, value: percent, "aria-label": `run ${run.id} progress` }),
    h("span", { class: "progress-text" }, detail),
  );
}

export function scoreCell(summary, group) {
  return h("td", {}, scoreText(summary, group));
}

/** A run's composite UF1 against the first run picked, as the server judged it. */
export function differenceCell(d) {
  if (d === "reference") return h("td", {}, "reference");
  if (!d) return h("td", { class: "difference" }, "…");
  if (d.difference === null) return h("td", { class: "difference" }, d.reason);
  const kind = d.confounds.length ? "confounded" : d.real ? "real" : "noise";
  return h(
    "td",
    { class: `difference ${kind}`, title: d.caveats.join("; ") },
    differenceText(d),
    h("strong", {}, d.verdict),
    d.caveats.length ? h("span", { class: "caveats" }, ` (${d.caveats.join("; ")})`) : "",
  );
}

/** A score cell with a warning added when the run predicts nearly one class only. */
export function oneClassFlagged(cell, run) {
  if (run.one_class) cell.append(h("span", { class: "warning one-class", title: run.one_class }, " ⚠ one class"));
  return cell;
}
