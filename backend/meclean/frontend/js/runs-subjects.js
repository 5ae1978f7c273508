// A run's page: its scores per subject (coarse: a subject has few samples) and the download
// of its per-sample results.
import { api } from "./api.js";
import { fixed } from "./format.js";
import { h } from "./ui.js";

/** A section filled once the run's per-subject scores arrive. */
export function subjectsSection(run) {
  const table = h("table", { class: "subjects" });
  const section = h(
    "details",
    { class: "per-subject", id: "run-subjects" },
    h("summary", {}, "Per subject (UF1, UAR)"),
    h("p", { class: "hint" }, "A subject's few samples make these coarse; one with a single class scores at most 1/3."),
    table,
  );
  section.addEventListener(
    "toggle",
    async () => {
      const subjects = await api(`/api/runs/${run.id}/subjects`);
      table.replaceChildren(
        h(
          "tr",
          {},
          ["Subject", "Samples", "Classes", "UF1", "UAR"].map((t) => h("th", {}, t)),
        ),
        ...subjects.map((s) =>
          h(
            "tr",
            {},
            h("td", {}, s.subject),
            h("td", {}, s.samples),
            h("td", {}, s.classes),
            h("td", {}, fixed(s.uf1, 3)),
            h("td", {}, fixed(s.uar, 3)),
          ),
        ),
      );
    },
    { once: true },
  );
  const download = h(
    "p",
    {},
    h("a", { href: `/api/runs/${run.id}/results.csv`, download: "" }, "Download every sample's result (CSV)"),
    ": label, out-of-fold prediction and probabilities, flag rate, loss, proposal.",
  );
  return h("div", {}, download, section);
}

/** Finished `runs` side by side per subject (UF1 / UAR), opened on demand. */
export function subjectsComparison(runs) {
  const table = h("table", { class: "subjects" });
  const section = h(
    "details",
    { class: "per-subject", id: "compare-subjects" },
    h("summary", {}, "Per subject (UF1 / UAR of each run)"),
    table,
  );
  section.addEventListener(
    "toggle",
    async () => {
      const scores = await Promise.all(runs.map((r) => api(`/api/runs/${r.id}/subjects`)));
      const byRun = scores.map((list) => new Map(list.map((s) => [s.subject, s])));
      const subjects = [...new Set(scores.flat().map((s) => s.subject))].sort((a, b) => a.localeCompare(b));
      const cell = (found) => h("td", {}, found ? `${fixed(found.uf1, 3)} / ${fixed(found.uar, 3)}` : "–");
      table.replaceChildren(
        h(
          "tr",
          {},
          h("th", {}, "Subject"),
          runs.map((r) => h("th", {}, `Run ${r.id}`)),
        ),
        ...subjects.map((subject) =>
          h(
            "tr",
            {},
            h("td", {}, subject),
            byRun.map((m) => cell(m.get(subject))),
          ),
        ),
      );
    },
    { once: true },
  );
  return section;
}
