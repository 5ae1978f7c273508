// A run's page: its parameters and protocol, live status and tasks while it trains, its
// flags against the experts, its scores and confusion matrices once it has results.
import { api } from "./api.js";
import { flagsSection } from "./flags.js";
import { canCurate, groupsOf, sourceName } from "./format.js";
import { scoreCell } from "./runs-cells.js";
import {
  cancelQuestion,
  heatmapFigure,
  liveText,
  parametersText,
  partFolds,
  partProgress,
  protocolRows,
  runTitle,
} from "./runs-text.js";
import { subjectsSection } from "./runs-subjects.js";
import { h, loadPlotly, toast } from "./ui.js";

async function heatmap(element, matrix, classes, title) {
  const Plotly = await loadPlotly();
  await Plotly.newPlot(element, ...heatmapFigure(matrix, classes, title));
}

function partsTable(run) {
  return h(
    "table",
    { class: "parts", id: "run-parts" },
    h("caption", {}, "Tasks"),
    h(
      "tr",
      {},
      ...["Task", "Kind", "Seed", "LOSO folds", "Status", "Tries", "Worker", "Device", "Progress"].map((t) =>
        h("th", {}, t),
      ),
    ),
    run.parts.map((p) =>
      h(
        "tr",
        {},
        h("td", {}, p.id),
        h("td", {}, p.kind),
        h("td", {}, p.seed),
        h("td", {}, partFolds(p)),
        h("td", { class: `status ${p.status}` }, p.status),
        h("td", {}, p.attempts),
        h("td", {}, p.worker ?? "–"),
        h("td", {}, p.device ?? "–"),
        h("td", {}, partProgress(p, run.epochs)),
      ),
    ),
  );
}

// While it is queued or running, a curator may cancel it (asking first).
function cancelButton(run, canCancel) {
  if (!run.active || !canCancel) return "";
  const cancel = async () => {
    if (!confirm(cancelQuestion(run.id, run))) return;
    try {
      await api(`/api/runs/${run.id}/cancel`, { method: "POST" });
      toast(`Run ${run.id} cancelled`);
    } catch (error) {
      toast(error.message, "error");
    }
  };
  return h("button", { type: "button", class: "cancel-run", onclick: cancel }, "Cancel the run");
}

function liveStatus(run, canCancel) {
  const live = liveText(run);
  return h(
    "div",
    { id: "run-live", "aria-live": "polite" },
    h("p", { class: `status ${run.status}` }, live.status, " ", cancelButton(run, canCancel)),
    h(
      "p",
      { class: "progress-cell" },
      h("progress", { max: 100, value: live.percent, "aria-label": `run ${run.id} progress` }),
      h("span", { class: "progress-text" }, live.progress),
    ),
  );
}

export async function showRun(state, runId) {
  const view = document.getElementById("view");
  let run = await api(`/api/runs/${runId}`);
  const groups = groupsOf(state.dataset);
  const canCancel = canCurate(state.me);

  async function draw() {
    const heatmaps = h("div", { class: "heatmaps" });
    view.replaceChildren(
      h("p", {}, h("a", { href: "#/runs" }, "← Runs")),
      h("h1", {}, runTitle(run)),
      h("p", { class: "parameters" }, parametersText(run)),
      run.metrics?.deviations?.length
        ? h(
            "ul",
            { class: "deviations", "aria-label": "Differences from the protocol" },
            run.metrics.deviations.map((d) => h("li", {}, `Differs from the protocol: ${d}`)),
          )
        : "",
      run.training
        ? h(
            "details",
            { class: "protocol" },
            h("summary", {}, "Training protocol"),
            h(
              "table",
              { class: "protocol-table" },
              protocolRows({ ...(run.method.resolved ?? run.method), ...run.training, flow: run.flow }).map(
                ([field, value]) => h("tr", {}, h("th", {}, field), h("td", {}, value)),
              ),
            ),
          )
        : "",
      liveStatus(run, canCancel),
      run.one_class
        ? h("p", { class: "warning one-class" }, `This run ${run.one_class}: its UF1 says little of its method.`)
        : "",
      run.has_results ? h("p", {}, h("a", { href: `#/runs/${run.id}/projection` }, "Open the projection review")) : "",
      run.has_results ? flagsSection(run) : "",
      run.has_results ? subjectsSection(run) : "",
      h(
        "table",
        { class: "compare" },
        h("tr", {}, ...groups.map((g) => h("th", {}, sourceName(g)))),
        h("tr", {}, ...groups.map((g) => scoreCell(run.summary, g))),
      ),
      heatmaps,
      partsTable(run),
      run.traceback ? h("details", {}, h("summary", {}, "Traceback"), h("pre", {}, run.traceback)) : "",
    );
    const scores = run.metrics?.scores?.[0];
    for (const group of groups) {
      if (!scores?.[group]) continue;
      const element = h("div", { class: "heatmap" });
      heatmaps.append(element);
      await heatmap(
        element,
        scores[group].confusion,
        state.dataset.classes,
        `${sourceName(group)} (seed ${run.seeds[0]})`,
      );
    }
  }

  await draw();
  if (!run.active) return undefined;
  // Live: each change updates the status, progress and tasks; the end redraws everything.
  const events = new EventSource(`/api/runs/events?run_id=${run.id}`);
  let fetching = false;
  const update = async (whole) => {
    if (fetching && !whole) return;
    fetching = true;
    try {
      run = await api(`/api/runs/${run.id}`);
      if (whole) return await draw();
      // This page's own elements: a reply landing after the expert moved on changes nothing.
      view.querySelector("#run-live")?.replaceWith(liveStatus(run, canCancel));
      view.querySelector("#run-parts")?.replaceWith(partsTable(run));
    } finally {
      fetching = false;
    }
  };
  events.addEventListener("progress", () => update(false).catch(() => {}));
  events.addEventListener("done", () => {
    events.close();
    update(true).catch((e) => toast(e.message, "error"));
  });
  return () => events.close();
}
