// The Agreement screen's cleanlab section: the multi-annotator consensus, each expert's
// estimated quality, against a run the curator may choose among the finished ones
// (default: the best not trained on marks).
import { api } from "./api.js";
import { WEIGHED_HEADER, weighedCells, weighedSummary } from "./agreement-text.js";
import { referenceName } from "./format.js";
import { h, toast } from "./ui.js";

export function weighedSection(dataset, weighed, finished, reason) {
  if (!weighed) {
    return h("p", { id: "weighed", class: "hint" }, `Each expert's quality (cleanlab) is not estimated: ${reason}.`);
  }
  const against = h(
    "select",
    {
      "aria-label": "run to weigh the experts against",
      onchange: async () => {
        try {
          const other = await api(`/api/datasets/${dataset.id}/agreement`, {
            query: { run_id: against.value },
          });
          section.replaceWith(weighedSection(dataset, other.weighed, finished, other.weighed_reason));
        } catch (error) {
          against.value = weighed.run_id; // the numbers shown are still this run's
          toast(error.message, "error");
        }
      },
    },
    finished.map((r) => h("option", { value: r.id, selected: r.id === weighed.run_id }, referenceName(r))),
  );
  const section = h(
    "section",
    { id: "weighed" },
    h("h2", {}, "Experts weighed by cleanlab"),
    h("label", {}, "Against ", against),
    h("p", {}, weighedSummary(weighed)),
    h(
      "table",
      {},
      h(
        "tr",
        {},
        WEIGHED_HEADER.map((t) => h("th", {}, t)),
      ),
      weighed.experts.map((e) =>
        h(
          "tr",
          {},
          weighedCells(e).map((cell) => h("td", {}, cell)),
        ),
      ),
    ),
  );
  return section;
}
