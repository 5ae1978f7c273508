// The launch form (curators): only the fields the chosen method takes, the server's plan
// of the run as it would launch it, and the launch.
import { api } from "./api.js";
import { plural, referenceName } from "./format.js";
import {
  fieldsTaken,
  inFormOrder,
  launchBody,
  launchRefusal,
  marksAddress,
  placeholders,
  planRefusal,
  planText,
} from "./runs-plans.js";
import { h, toast } from "./ui.js";

export function launchForm(state, versions, experts, catalogue, finished, onLaunched) {
  const field = (label, input, attributes = {}) => h("label", attributes, label, input);
  const { methods, defaults } = catalogue;
  const byName = new Map(methods.map((m) => [m.name, m]));
  const form = h(
    "form",
    // The form starts from the defaults on every visit: no browser-restored choices.
    { class: "launch", id: "launch-form", "aria-label": "Launch a run", autocomplete: "off" },
    h("h2", {}, "Launch a run"),
    field(
      "Method ",
      h(
        "select",
        { name: "method" },
        inFormOrder(methods).map((m) => h("option", { value: m.name, title: m.summary }, m.name)),
      ),
    ),
    h("p", { class: "method-summary", id: "method-summary" }),
    field(
      "α (high loss; LTM/ILC train by it) ",
      h("input", { name: "alpha", type: "number", step: "0.1", min: 0, max: 10, value: defaults.alpha }),
    ),
    field("q ", h("input", { name: "q", type: "number", step: "any", min: 0, max: 100 }), { "data-needs": "q" }),
    field("Warm-up epochs ", h("input", { name: "warmup_epochs", type: "number", min: 0, max: 2000 }), {
      "data-needs": "warmup",
    }),
    field(
      "Epochs ",
      h("input", { name: "epochs", type: "number", min: 1, max: 2000, value: defaults.epochs, required: true }),
    ),
    field(
      "Seeds ",
      h("input", { name: "seeds", type: "number", min: 1, max: 10, value: defaults.seeds, required: true }),
    ),
    field(
      "Protocol ",
      h(
        "select",
        {
          name: "protocol",
          title:
            "meclean: logits, SSSNet24, scaled inputs. paper: as the published code (double softmax, SSSNet 28, unscaled inputs, its LTM and IDC batches)",
        },
        h("option", { value: "meclean", selected: true }, "meclean"),
        h("option", { value: "paper" }, "paper (as published)"),
      ),
    ),
    field(
      "Label version ",
      h(
        "select",
        { name: "label_version_id" },
        versions.map((v) =>
          h("option", { value: v.id, selected: v.current }, `v${v.id}${v.current ? " (current)" : ""}`),
        ),
      ),
    ),
    h(
      "p",
      { "data-needs": "marks", class: "marks-choice" },
      field(
        "IDC marks from ",
        h(
          "select",
          { name: "marks_user" },
          h("option", { value: "" }, "all experts"),
          experts.map((e) => h("option", { value: e.name }, `${e.name} (${plural(e.samples, "sample")})`)),
        ),
      ),
      " ",
      h("a", { id: "marks-download", download: "" }, "download these marks (CSV)"),
    ),
    field(
      "Consensus ",
      h(
        "select",
        { name: "consensus" },
        h("option", { value: "majority" }, "majority"),
        h("option", { value: "any-noisy" }, "any noisy"),
        h("option", { value: "cleanlab" }, "cleanlab (experts weighed by quality)"),
      ),
      { "data-needs": "marks" },
    ),
    field(
      "Weighed against ",
      h("select", {
        name: "consensus_run_id",
        title: "The finished run whose out-of-fold probabilities cleanlab judges the experts by",
      }),
      { "data-needs": "cleanlab" },
    ),
    field(
      "Device ",
      h(
        "select",
        { name: "device" },
        ["auto", "cuda", "cpu"].map((d) => h("option", { value: d, selected: d === defaults.device }, d)),
      ),
    ),
    h("p", { class: "plan", id: "run-plan", "aria-live": "polite" }),
    h("button", { type: "submit" }, "Launch"),
    h("p", { class: "error", role: "alert" }),
  );
  const chosen = () => byName.get(form.elements.method.value);

  // Only the parameters the chosen method takes are shown and sent.
  function showParameters() {
    const method = chosen();
    const takes = fieldsTaken(method, form.elements.consensus.value);
    for (const label of form.querySelectorAll("[data-needs]")) label.hidden = !takes[label.dataset.needs];
    const shown = placeholders(method, takes, form.elements.epochs.value, defaults);
    form.elements.q.placeholder = shown.q;
    form.elements.warmup_epochs.placeholder = shown.warmup;
    form.querySelector("#method-summary").textContent = method.summary;
    form.querySelector("#marks-download").href = marksAddress(
      state.dataset.id,
      form.elements.marks_user.value,
      form.elements.consensus.value,
    );
    if (takes.cleanlab) offerRunsToWeighAgainst();
  }

  // Runs finish while the screen is open: the choice is refreshed each time it is shown.
  function offerRunsToWeighAgainst() {
    const select = form.elements.consensus_run_id;
    const kept = select.value;
    select.replaceChildren(
      h("option", { value: "" }, "the best finished run (UF1, not trained on marks)"),
      ...finished().map((r) => h("option", { value: r.id, selected: String(r.id) === kept }, referenceName(r))),
    );
  }
  form.addEventListener("input", showParameters);
  showParameters();
  const launchButton = form.querySelector("button[type=submit]");
  const planLine = form.querySelector("#run-plan");
  const body = () => launchBody(Object.fromEntries(new FormData(form)), chosen());

  // The run as the server would launch it: effective parameters, or why it cannot run.
  let asked = 0;
  async function showPlan() {
    const ask = ++asked;
    try {
      const plan = await api(`/api/datasets/${state.dataset.id}/runs/plan`, { method: "POST", body: body() });
      if (ask !== asked) return;
      planLine.textContent = planText(plan);
      planLine.classList.remove("error");
      launchButton.disabled = false;
    } catch (error) {
      if (ask !== asked) return;
      planLine.textContent = planRefusal(error);
      planLine.classList.add("error");
      launchButton.disabled = error.status === 422;
    }
  }
  let pending;
  form.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(showPlan, 250);
  });
  showPlan();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const run = await api(`/api/datasets/${state.dataset.id}/runs`, { method: "POST", body: body() });
      form.querySelector(".error").textContent = "";
      toast(`Run ${run.id} queued`);
      onLaunched(run);
      showPlan();
    } catch (error) {
      form.querySelector(".error").textContent = launchRefusal(error);
    }
  });
  return form;
}
