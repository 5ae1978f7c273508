// The runs picked in the list side by side, in the shape of the paper's Tables 2 and 3:
// each group's scores, the composite UF1's difference from the first run picked as the
// server measured it, and two finished runs sample by sample.
import { api } from "./api.js";
import { sampleChanges } from "./flags.js";
import { sourceName } from "./format.js";
import { differenceCell, scoreCell } from "./runs-cells.js";
import { subjectsComparison } from "./runs-subjects.js";
import { comparisonKey } from "./runs-text.js";
import { h, toast } from "./ui.js";

const DIFFERENCES =
  "Differences: mean UF1 over seeds minus the first run picked, with a 95% interval from resampling subjects " +
  "and a paired t-test over the seeds both runs trained with. A difference is real when the interval " +
  "excludes zero and, where the runs share two seeds or more, the seeds agree (p < 0.05); with fewer " +
  "shared seeds only the subjects' interval speaks, and the caveat says so.";

/** The comparison's section, and `compare()` to redraw it from the runs picked (`chosen`,
 * ids into `byId`). */
export function comparison(groups, byId, chosen) {
  const section = h("section", { id: "comparison" });

  // Differences against the first run picked, fetched once per set of picked runs.
  let differences = new Map();
  let asked = "";

  function compare() {
    const picked = [...chosen].map((id) => byId.get(id)).filter(Boolean);
    const key = comparisonKey(picked);
    if (key !== asked) {
      asked = key;
      differences = new Map();
      if (picked.length > 1) {
        api("/api/runs/compare", { query: { ids: picked.map((r) => r.id) } })
          .then((result) => {
            if (asked !== key) return;
            differences = new Map(result.differences.map((d) => [d.run_id, d]));
            draw(picked);
          })
          .catch((error) => toast(error.message, "error"));
      }
    }
    draw(picked);
  }

  // Two finished runs are also compared sample by sample (fetched once per pair).
  let changes = { key: null, section: null };
  function changesOf(picked) {
    if (picked.length !== 2 || picked.some((r) => !r.has_results)) return "";
    const key = `${picked[0].id}-${picked[1].id}`;
    if (changes.key !== key) changes = { key, section: sampleChanges(picked[0].id, picked[1].id) };
    return changes.section;
  }

  // The finished runs' scores per subject, side by side (fetched once per set of runs).
  let perSubject = { key: null, section: null };
  function subjectsOf(picked) {
    const finished = picked.filter((r) => r.has_results);
    if (finished.length < 2) return "";
    const key = finished.map((r) => r.id).join(",");
    if (perSubject.key !== key) perSubject = { key, section: subjectsComparison(finished) };
    return perSubject.section;
  }

  function draw(picked) {
    const reference = picked[0];
    section.replaceChildren(
      ...(picked.length
        ? [
            h("h2", {}, "Comparison (UF1 ± std / UAR ± std over seeds)"),
            h(
              "table",
              { class: "compare" },
              h(
                "tr",
                {},
                h("th", {}, "Run"),
                h("th", {}, "Method"),
                ...groups.map((g) => h("th", {}, sourceName(g))),
                picked.length > 1 ? h("th", {}, `Composite UF1 vs run ${reference.id}`) : "",
              ),
              picked.map((r, i) =>
                h(
                  "tr",
                  { dataset: { run: r.id } },
                  h("td", {}, r.id),
                  h("td", {}, `${r.method.name}, ${r.protocol} protocol`),
                  ...groups.map((g) => scoreCell(r.summary, g)),
                  picked.length > 1 ? differenceCell(i === 0 ? "reference" : differences.get(r.id)) : "",
                ),
              ),
            ),
            picked.length > 1 ? h("p", { class: "hint" }, DIFFERENCES) : "",
            subjectsOf(picked),
            changesOf(picked),
          ]
        : []),
    );
  }

  return { section, compare };
}
