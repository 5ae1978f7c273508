// A run's flags beside the experts' verdicts and by group, and two runs compared sample by
// sample: the sections the run page and the runs comparison show.
import { api } from "./api.js";
import { fixed, plural } from "./format.js";
import { h } from "./ui.js";

const share = (value) => (value === null ? "–" : fixed(value, 2));

function agreementRows(title, groups) {
  return Object.entries(groups).map(([name, a]) =>
    h(
      "tr",
      {},
      h("th", {}, `${title}${name}`),
      h("td", {}, a.judged),
      h("td", {}, a.noisy),
      h("td", {}, a.flagged),
      h("td", {}, a.both),
      h("td", {}, share(a.precision)),
      h("td", {}, share(a.recall)),
      h("td", { class: "caveats" }, a.few ? "few judged samples: anecdotal" : ""),
    ),
  );
}

function groupTable(caption, groups) {
  return h(
    "table",
    { class: "group-flags" },
    h("caption", {}, caption),
    h("tr", {}, h("th", {}, ""), h("th", {}, "Samples"), h("th", {}, "Flagged"), h("th", {}, "Mean flag rate")),
    Object.entries(groups).map(([name, g]) =>
      h(
        "tr",
        {},
        h("th", {}, name),
        h("td", {}, g.samples),
        h("td", {}, g.flagged),
        h("td", {}, fixed(g.mean_flag_rate, 2)),
        h("td", { class: "caveats" }, g.few ? "⚠ few samples: a share here means little" : ""),
      ),
    ),
  );
}

/** The run's flags against the experts' noisy verdicts, by class and dataset, with where they differ. */
export function flagsSection(run) {
  const section = h("section", { id: "flags", "aria-label": "Flags and experts" });
  async function show(consensus) {
    const report = await api(`/api/runs/${run.id}/flags`, { query: { consensus } });
    const rule = h(
      "select",
      { "aria-label": "Consensus of the experts", onchange: (e) => show(e.target.value).catch(() => {}) },
      [
        ["majority", "majority of the experts"],
        ["any-noisy", "any expert says noisy"],
      ].map(([value, text]) => h("option", { value, selected: value === consensus }, text)),
    );
    const o = report.overall;
    section.replaceChildren(
      h("h2", {}, "The run's flags and the experts"),
      run.clean_samples !== null
        ? h(
            "p",
            { class: "caveats" },
            "This run trained on the experts' clean marks: its flags are not independent of the verdicts they are scored against.",
          )
        : "",
      h(
        "p",
        {},
        "Flagged: high loss of the final model, a confident-learning issue or a flag rate of 0.5 or more. Noisy by ",
        rule,
        `: of ${plural(o.judged, "judged sample")}, the experts call ${o.noisy} noisy and the run flags ${o.flagged}; ` +
          `precision ${share(o.precision)}, recall ${share(o.recall)}.`,
      ),
      h(
        "table",
        { class: "experts-vs-model" },
        h(
          "tr",
          {},
          ["", "Judged", "Experts: noisy", "Run: flagged", "Both", "Precision", "Recall", ""].map((t) =>
            h("th", {}, t),
          ),
        ),
        agreementRows("", { all: o }),
        agreementRows("class ", report.by_class),
        agreementRows("dataset ", report.by_source),
      ),
      h("h3", {}, `Where they differ (${report.disagreements_total})`),
      h(
        "ul",
        { class: "disagreements" },
        report.disagreements
          .slice(0, 50)
          .map((d) =>
            h(
              "li",
              {},
              h("a", { href: `#/sample/${d.sample_id}` }, d.name),
              ` (${d.label}): ${d.flagged ? "flagged by the run" : "not flagged"}, experts say ${d.experts}, flag rate ${fixed(d.flag_rate, 2)}`,
            ),
          ),
      ),
      groupTable("Flag rate by class", report.flag_rate_by_class),
      h("details", {}, h("summary", {}, "Flag rate by subject"), groupTable("", report.flag_rate_by_subject)),
    );
  }
  show("majority").catch((error) => section.replaceChildren(h("p", { class: "error" }, error.message)));
  return section;
}

/** Which samples changed prediction, flag or proposed label from run `a` to run `b`. */
export function sampleChanges(a, b) {
  const section = h("section", { id: "sample-changes" }, h("p", {}, "Comparing samples…"));
  api("/api/runs/compare/samples", { query: { a, b } })
    .then((report) => {
      const pair = ([x, y]) => (x === y ? String(x ?? "–") : `${x ?? "–"} → ${y ?? "–"}`);
      section.replaceChildren(
        h("h3", {}, `Run ${a} → run ${b}, sample by sample`),
        h(
          "p",
          {},
          `Of ${report.samples} samples: ${report.prediction_changed} changed prediction, ${report.flag_changed} ` +
            `changed flag, ${report.proposal_changed} changed proposed label. UF1 change: ` +
            Object.entries(report.uf1_change)
              .map(([g, d]) => `${g} ${d === null ? "–" : `${d >= 0 ? "+" : ""}${fixed(d, 4)}`}`)
              .join(", "),
          report.caveats.length ? ` (${report.caveats.join("; ")})` : "",
          report.changes.length > 100
            ? ` Showing the first 100 of ${report.changes.length}${report.changes.length >= 500 ? " or more" : ""} changed samples, flag changes first.`
            : "",
        ),
        h(
          "table",
          { class: "changes" },
          h(
            "tr",
            {},
            ["Sample", "Prediction", "Flagged", "Proposed label"].map((t) => h("th", {}, t)),
          ),
          report.changes
            .slice(0, 100)
            .map((c) =>
              h(
                "tr",
                {},
                h("td", {}, h("a", { href: `#/sample/${c.sample_id}` }, c.name)),
                h("td", {}, pair(c.prediction)),
                h("td", {}, pair(c.flagged.map((f) => (f ? "yes" : "no")))),
                h("td", {}, pair(c.proposed_label)),
              ),
            ),
        ),
      );
    })
    .catch((error) => section.replaceChildren(h("p", { class: "error" }, error.message)));
  return section;
}
