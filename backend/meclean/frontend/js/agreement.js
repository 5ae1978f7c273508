// Agreement between the experts who marked the dataset (their latest verdicts): Fleiss'
// kappa over all of them, Cohen's kappa and the confusion of each pair; and the switch
// that makes marking blind. Curators only: while marking is blind, these numbers would
// tell an annotator what the others think.
import { api } from "./api.js";
import { canCurate, fixed, plural, referenceName } from "./format.js";
import { h, toast } from "./ui.js";

// The grid's "experts disagree" filter: samples whose clean / noisy verdicts differ.
const DISAGREEMENT = "#/samples?disagreement=true";

// Landis & Koch (1977), the usual words for a kappa: each band and the value it is above
// (below 0 poor, up to 0.2 slight).
const BANDS = [
  [0.8, "almost perfect"],
  [0.6, "substantial"],
  [0.4, "moderate"],
  [0.2, "fair"],
];

function reading(kappa) {
  if (kappa < 0) return "poor agreement (below chance)";
  return `${BANDS.find(([above]) => kappa > above)?.[1] ?? "slight"} agreement`;
}

// Whether one said clean and the other noisy on some sample: what the grid's filter finds.
function clashes(pair, categories) {
  const [clean, noisy] = [categories.indexOf("clean"), categories.indexOf("noisy")];
  return pair.confusion[clean][noisy] + pair.confusion[noisy][clean] > 0;
}

function kappaText(kappa, reason) {
  return kappa === null ? `not defined: ${reason}` : `${fixed(kappa, 2)}, ${reading(kappa)}`;
}

function blindSwitch(dataset) {
  const box = h("input", { type: "checkbox", id: "blind-marking", checked: dataset.blind_marking });
  box.addEventListener("change", async () => {
    try {
      const changed = await api(`/api/datasets/${dataset.id}`, {
        method: "PATCH",
        body: { blind_marking: box.checked },
      });
      dataset.blind_marking = changed.blind_marking;
      toast(changed.blind_marking ? "Blind marking is on" : "Blind marking is off");
    } catch (error) {
      box.checked = dataset.blind_marking;
      toast(error.message, "error");
    }
  });
  return h(
    "p",
    { class: "blind-switch" },
    h("label", {}, box, " Blind marking"),
    h("span", { class: "note" }, ": experts see the others' verdicts on a sample only after giving their own."),
  );
}

function overall(agreement) {
  const { kappa, samples, reason } = agreement.fleiss;
  const experts = agreement.experts.map((e) => `${e.name} (${plural(e.marked, "sample")})`);
  return h(
    "section",
    { id: "fleiss" },
    h("h2", {}, "All experts"),
    h("p", {}, experts.length ? `Marked by ${experts.join(", ")}.` : "No expert has marked a sample yet."),
    h(
      "p",
      {},
      "Fleiss' kappa: ",
      h("strong", { id: "fleiss-kappa" }, kappaText(kappa, reason)),
      kappa === null ? "" : ` (on ${plural(samples, "sample")} marked by at least two experts)`,
    ),
  );
}

// Below this many shared samples a kappa's interval spans most of its range.
const FEW_SHARED = 20;

function pairsTable(pairs, categories) {
  const header = ["Experts", "Shared samples", "Same verdict", "Cohen's kappa", ""];
  return h(
    "table",
    { id: "pairs" },
    h("caption", {}, "Each pair of experts, on the samples both marked"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        header.map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      pairs.map((p) =>
        h(
          "tr",
          { dataset: { pair: `${p.first}|${p.second}` } },
          h("td", {}, `${p.first} – ${p.second}`),
          h("td", {}, p.shared),
          h("td", {}, p.percent === null ? "–" : `${fixed(p.percent, 1)} %`),
          h(
            "td",
            {},
            kappaText(p.kappa, p.kappa_reason),
            p.kappa !== null && p.shared < FEW_SHARED
              ? h("span", { class: "caveats" }, ` ⚠ on ${p.shared} samples: a rough estimate`)
              : "",
          ),
          h("td", {}, clashes(p, categories) ? h("a", { href: DISAGREEMENT }, "Samples the experts disagree on") : ""),
        ),
      ),
    ),
  );
}

// Rows: the first expert's verdicts; columns: the second's. A clean / noisy disagreement
// links to the grid's filter (which shows every pair's disagreements, not only this one's).
function confusion(pair, categories) {
  const cell = (count, row, column) => {
    const linked = count > 0 && row !== column && row !== "unsure" && column !== "unsure";
    return h(
      "td",
      {},
      linked ? h("a", { href: DISAGREEMENT, title: "Samples the experts disagree on" }, count) : count,
    );
  };
  return h(
    "table",
    { class: "pair-confusion", dataset: { pair: `${pair.first}|${pair.second}` } },
    h("caption", {}, `${pair.first} (rows) against ${pair.second} (columns)`),
    h(
      "tr",
      {},
      h("th", {}, ""),
      categories.map((c) => h("th", {}, c)),
    ),
    pair.confusion.map((counts, r) =>
      h(
        "tr",
        {},
        h("th", {}, categories[r]),
        counts.map((n, c) => cell(n, categories[r], categories[c])),
      ),
    ),
  );
}

// cleanlab's multi-annotator consensus: each expert's estimated quality, against a run the
// curator may choose among the finished ones (default: the best not trained on marks).
function weighedSection(dataset, weighed, finished, reason) {
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
    h(
      "p",
      {},
      `Against run ${weighed.run_id}'s out-of-fold probabilities, the consensus of ${weighed.samples} samples calls ` +
        `${weighed.noisy} noisy. IDC's clean set can come from it (launch form, consensus "cleanlab").`,
    ),
    h(
      "table",
      {},
      h("tr", {}, h("th", {}, "Expert"), h("th", {}, "Quality"), h("th", {}, "Agrees with the consensus")),
      weighed.experts.map((e) =>
        h(
          "tr",
          {},
          h("td", {}, e.name),
          h("td", {}, fixed(e.quality, 2)),
          h("td", {}, `${Math.round(100 * e.agreement_with_consensus)}%`),
        ),
      ),
    ),
  );
  return section;
}

export async function showAgreement(state) {
  const view = document.getElementById("view");
  const dataset = state.dataset;
  if (!canCurate(state.me)) {
    view.replaceChildren(h("h1", {}, "Agreement"), h("p", { class: "empty" }, "Agreement is for curators."));
    return;
  }
  const [agreement, runs] = await Promise.all([
    api(`/api/datasets/${dataset.id}/agreement`),
    api("/api/runs", { query: { dataset_id: dataset.id } }),
  ]);
  const shared = agreement.pairs.filter((p) => p.shared > 0);
  view.replaceChildren(
    h("h1", {}, `Agreement between the experts on ${dataset.name}`),
    blindSwitch(dataset),
    overall(agreement),
    agreement.pairs.length ? pairsTable(agreement.pairs, agreement.categories) : "",
    weighedSection(
      dataset,
      agreement.weighed,
      runs.filter((r) => r.has_results),
      agreement.weighed_reason,
    ),
    shared.length
      ? h(
          "section",
          { id: "confusions" },
          h("h2", {}, "Verdicts of each pair"),
          h(
            "div",
            { class: "side-by-side" },
            shared.map((p) => confusion(p, agreement.categories)),
          ),
        )
      : "",
  );
}
