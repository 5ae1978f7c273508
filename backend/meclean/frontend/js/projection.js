// The paper's Figure 5, interactive: the final model's UMAP, points by class, high-loss
// samples as red crosses, ILC's proposals before/after; select a group to review it.
// The plot is drawn by projection-plot.js, the selection panel by projection-selection.js.
import { api } from "./api.js";
import { canCurate } from "./format.js";
import { projectionPlot } from "./projection-plot.js";
import { alphaText, highLossAt } from "./projection-review.js";
import { selectionPanel } from "./projection-selection.js";
import { h, loadPlotly } from "./ui.js";

// A run not finished yet: say how far it is, live, and draw the projection when it is.
function waitForRun(run, view) {
  const status = h("p", { class: "status", id: "projection-wait", "aria-live": "polite" });
  const say = (r) => {
    const p = r.progress;
    status.textContent = `Run ${r.id} is ${r.status} (${Math.round(100 * p.fraction)}%, ${p.folds_done} of ${p.folds_total} LOSO folds); its projection appears here when it succeeds.`;
  };
  say(run);
  view.replaceChildren(h("p", {}, h("a", { href: `#/runs/${run.id}` }, `← Run ${run.id}`)), status);
  const events = new EventSource(`/api/runs/events?run_id=${run.id}`);
  events.addEventListener("progress", (event) => say(JSON.parse(event.data)));
  events.addEventListener("done", (event) => {
    events.close();
    const done = JSON.parse(event.data);
    if (done.has_results) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else say(done);
  });
  return () => events.close();
}

export async function showProjection(state, runId) {
  const view = document.getElementById("view");
  const [Plotly, run] = await Promise.all([loadPlotly(), api(`/api/runs/${runId}`)]);
  if (run.active) return waitForRun(run, view);
  const data = await api(`/api/runs/${runId}/projection`);
  const runAlpha = run.method.alpha; // the server records the default
  // The screen's state, shared by its parts (see projection-traces.js).
  const screen = {
    run,
    data,
    curator: canCurate(state.me),
    after: false,
    selected: [],
    lastDecision: null, // the samples of the last accept/reject, for one-step undo
    lastMarks: null, // the marks of the last bulk mark, for one-step undo
    scatter: "scattergl",
    colourBy: "label",
    subject: "",
    runAlpha,
    alpha: runAlpha,
    high: data.high_loss,
  };
  const rethreshold = () => {
    screen.high = highLossAt(screen.data, screen.alpha, runAlpha);
  };
  async function refresh() {
    screen.data = await api(`/api/runs/${run.id}/projection`);
    rethreshold();
    await figure.draw();
  }
  const panel = selectionPanel(screen, refresh);
  const figure = projectionPlot(Plotly, screen, () => {
    panel.keep();
    panel.show();
  });
  const { plot, draw } = figure;

  const stored = data.high_loss.filter(Boolean).length;
  const alphaCount = h("output", { id: "alpha-count", for: "alpha-slider" });
  const describeAlpha = () => {
    alphaCount.textContent = alphaText(screen.high, screen.alpha, runAlpha, stored);
  };
  describeAlpha();
  const noLosses = data.final_loss.every((v) => v === null);
  const slider = h("input", {
    type: "range",
    id: "alpha-slider",
    min: 0,
    max: 5,
    step: 0.1,
    value: runAlpha,
    disabled: noLosses,
    oninput: (e) => {
      screen.alpha = Number(e.target.value);
      rethreshold();
      describeAlpha();
      draw();
    },
  });
  const colouring = h(
    "select",
    {
      id: "colour-by",
      onchange: (e) => {
        screen.colourBy = e.target.value;
        draw();
      },
    },
    [
      ["label", "label"],
      ["verdict", "experts' verdicts"],
      ["loss", "final loss"],
      ["subject", "subject"],
      ["source", "source dataset"],
    ].map(([value, text]) => h("option", { value }, text)),
  );
  // Colouring by subject: no 68-entry legend, one subject picked stands out instead.
  const subjects = [...new Set(data.subject)].sort((a, b) => a.localeCompare(b));
  const subjectPick = h(
    "select",
    {
      id: "subject-pick",
      "aria-label": "Subject to pick out",
      hidden: true,
      onchange: (e) => {
        screen.subject = e.target.value;
        draw();
      },
    },
    h("option", { value: "" }, "every subject"),
    subjects.map((s) => h("option", { value: s }, s)),
  );
  colouring.addEventListener("change", () => (subjectPick.hidden = screen.colourBy !== "subject"));

  view.replaceChildren(
    h("p", {}, h("a", { href: `#/runs/${run.id}` }, `← Run ${run.id}`)),
    h(
      "div",
      { class: "projection-tools" },
      h("label", {}, "Colour by ", colouring, " ", subjectPick),
      h("label", {}, "High loss at α ", slider),
      alphaCount,
      noLosses ? h("span", { class: "note" }, "This run kept no final-model losses to re-threshold.") : "",
    ),
    h(
      "div",
      { class: "projection-tools" },
      figure.toggle,
      panel.tally,
      h("span", {}, "Lasso or box-select points to review them; click a point to open its sample."),
      figure.noWebGL,
    ),
    h("div", { class: "projection-layout" }, plot, h("div", { class: "side" }, figure.hover, panel.list)),
  );
  await draw();
  plot.on("plotly_hover", (event) => figure.showHover(event.points[0].customdata));
  plot.on("plotly_click", (event) => {
    const i = event.points[0].customdata;
    panel.remember(i);
    location.hash = `#/sample/${screen.data.sample_id[i]}`;
  });
  plot.on("plotly_selected", (event) => {
    screen.selected = [...new Set((event?.points ?? []).map((p) => p.customdata))];
    panel.keep();
    panel.show();
  });
  plot.on("plotly_deselect", () => {
    screen.selected = [];
    panel.keep();
    panel.show();
  });
  document.body.dataset.projectionReady = String(run.id);
  return () => {
    delete document.body.dataset.projectionReady;
    plot.removeAllListeners?.(); // purging deselects: that must not forget the selection
    Plotly.purge(plot);
  };
}
