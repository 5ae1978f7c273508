// Runs: the launch form (curators), the dataset's runs live over server-sent events,
// cancel, and the comparison of the runs picked.
import { api } from "./api.js";
import { canCurate, groupsOf } from "./format.js";
import { oneClassFlagged, progressCell, scoreCell } from "./runs-cells.js";
import { comparison } from "./runs-compare.js";
import { launchForm } from "./runs-launch.js";
import { cancelQuestion, methodText, newestFirst } from "./runs-text.js";
import { h, toast } from "./ui.js";

export async function showRuns(state) {
  const groups = groupsOf(state.dataset);
  const view = document.getElementById("view");
  const curator = canCurate(state.me);
  const [runs, versions, catalogue] = await Promise.all([
    api("/api/runs", { query: { dataset_id: state.dataset.id } }),
    api(`/api/datasets/${state.dataset.id}/label-versions`),
    api("/api/methods"),
  ]);
  // Which methods train by alpha is the server's to say (MethodSpec.alpha_trains).
  const trainsByAlpha = new Set(catalogue.methods.filter((m) => m.alpha_trains).map((m) => m.name));
  // Any expert who marked this dataset: IDC may train on one expert's marks.
  const experts = curator ? await api(`/api/datasets/${state.dataset.id}/experts`) : [];
  const byId = new Map(runs.map((r) => [r.id, r]));
  const finishedRuns = () => newestFirst([...byId.values()].filter((r) => r.has_results));
  const chosen = new Set();
  const body = h("tbody");
  const { section, compare } = comparison(groups, byId, chosen);

  function row(run) {
    const active = run.active;
    return h(
      "tr",
      { dataset: { run: run.id } },
      h(
        "td",
        {},
        h("input", {
          type: "checkbox",
          "aria-label": `compare run ${run.id}`,
          checked: chosen.has(run.id),
          onchange: (e) => {
            e.target.checked ? chosen.add(run.id) : chosen.delete(run.id);
            compare();
          },
        }),
      ),
      h("td", {}, h("a", { href: `#/runs/${run.id}` }, run.id)),
      h("td", {}, methodText(run, trainsByAlpha)),
      h("td", {}, `${run.epochs} × ${run.seeds.length}`),
      h("td", { class: `status ${run.status}` }, run.status),
      progressCell(run),
      oneClassFlagged(scoreCell(run.summary, "composite"), run),
      h(
        "td",
        {},
        run.has_results ? h("a", { href: `#/runs/${run.id}/projection` }, "Projection") : "",
        curator && active ? h("button", { type: "button", onclick: () => cancel(run.id) }, "Cancel") : "",
      ),
    );
  }

  function draw() {
    body.replaceChildren(...newestFirst(byId.values()).map(row));
  }

  async function cancel(id) {
    if (!confirm(cancelQuestion(id, byId.get(id)))) return;
    try {
      byId.set(id, await api(`/api/runs/${id}/cancel`, { method: "POST" }));
      draw();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  view.replaceChildren(
    h("h1", {}, "Runs"),
    curator
      ? launchForm(state, versions, experts, catalogue, finishedRuns, (run) => {
          byId.set(run.id, run);
          draw();
        })
      : "",
    h(
      "table",
      { class: "runs", id: "runs" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["", "Run", "Method", "Epochs × seeds", "Status", "Progress", "Composite UF1 / UAR", ""].map((t) =>
            h("th", {}, t),
          ),
        ),
      ),
      body,
    ),
    section,
  );
  draw();
  const events = new EventSource(`/api/runs/events?dataset_id=${state.dataset.id}`);
  events.addEventListener("progress", (event) => {
    const run = JSON.parse(event.data);
    byId.set(run.id, run);
    draw();
    compare();
  });
  return () => events.close();
}
