// Agreement between the experts who marked the dataset (their latest verdicts): Fleiss'
// kappa over all of them, Cohen's kappa and the confusion of each pair; and the switch
// that makes marking blind. Curators only: while marking is blind, these numbers would
// tell an annotator what the others think.
import { api } from "./api.js";
import { expertsText, fleissScope, kappaText } from "./agreement-text.js";
import { confusion, pairsTable } from "./agreement-tables.js";
import { weighedSection } from "./agreement-weighed.js";
import { canCurate } from "./format.js";
import { h, toast } from "./ui.js";

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
  return h(
    "section",
    { id: "fleiss" },
    h("h2", {}, "All experts"),
    h("p", {}, expertsText(agreement.experts)),
    h(
      "p",
      {},
      "Fleiss' kappa: ",
      h("strong", { id: "fleiss-kappa" }, kappaText(kappa, reason)),
      fleissScope(kappa, samples),
    ),
  );
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
