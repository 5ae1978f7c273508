// The sample page's tables of what happened to it: its label history and each finished
// run's verdict.
import { HISTORY_HEADER, historyCells, runCells, runsHeader } from "./sample-text.js";
import { h } from "./ui.js";

export const historyTable = (sample) =>
  h(
    "table",
    { class: "history" },
    h("caption", {}, "Label history"),
    h(
      "tr",
      {},
      HISTORY_HEADER.map((t) => h("th", {}, t)),
    ),
    sample.label_history.map((e) =>
      h(
        "tr",
        {},
        historyCells(e).map((cell) => h("td", {}, cell)),
      ),
    ),
  );

export const runsTable = (sample, classes) =>
  h(
    "table",
    { class: "verdicts" },
    h("caption", {}, "Runs"),
    h("tr", {}, ...runsHeader(classes).map((t) => h("th", {}, t))),
    sample.runs.map((r) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `#/runs/${r.run_id}` }, r.run_id)),
        runCells(r).map((cell) => h("td", {}, cell)),
      ),
    ),
  );
