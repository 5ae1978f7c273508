// The paper's Figure 5, interactive: the final model's UMAP, points by class, high-loss
// samples as red crosses, ILC's proposals before/after; select a group to review it.
import { api, render } from "./api.js";
import { FLAG_COLOUR, classColour, canCurate, fixed, h, loadPlotly, toast } from "./ui.js";

export async function showProjection(state, runId) {
  const view = document.getElementById("view");
  const [Plotly, run, first] = await Promise.all([
    loadPlotly(), api(`/api/runs/${runId}`), api(`/api/runs/${runId}/projection`),
  ]);
  let data = first;
  let after = false;
  let selected = [];
  let scatter = "scattergl";
  const curator = canCurate(state.me);
  // Two kinds of "high loss", named apart: the relabels come from the method's flags during
  // LOSO training; the red crosses from the final all-sample model, scored in eval mode.
  const ilc = run.method.name.includes("ilc");
  const flagger = run.method.name.split("+").at(-1).toUpperCase();
  const proposal = (i) => ilc ? `ILC proposes ${data.proposed_label[i]}`
    : `relabel ${data.proposed_label[i]} suggested by ${flagger}'s training flags (${flagger} itself only leaves flagged samples out)`;
  const plot = h("div", { id: "projection", class: "projection", role: "img",
    "aria-label": "UMAP projection of the final model's last hidden layer" });
  const hover = h("aside", { class: "hover-card", "aria-live": "polite" }, "Hover a point to see its flow.");
  const list = h("aside", { class: "selection", id: "selection" });
  const toggle = h("button", { type: "button", id: "toggle-ilc", "aria-pressed": "false",
    onclick: () => { after = !after; toggle.setAttribute("aria-pressed", String(after)); draw(); } },
  "Show after ILC");
  const noWebGL = h("span", { class: "note", id: "no-webgl", hidden: true },
    "This browser offers no WebGL, so the plot is drawn without it and may be slow with many points.");

  function colourClass(i) {
    return after && data.proposed_label[i] && data.review[i] !== "rejected" ? data.proposed_label[i] : data.current_label[i];
  }

  const probabilities = (i) =>
    data.classes.map((c, k) => `${c} ${fixed(data.probabilities[i][k], 2)}`).join(", ");

  function traces() {
    const index = data.sample_id.map((_, i) => i);
    const byClass = data.classes.map((c, k) => {
      const points = index.filter((i) => colourClass(i) === c);
      return {
        type: scatter, mode: "markers", name: c,
        x: points.map((i) => data.x[i]), y: points.map((i) => data.y[i]),
        customdata: points.map((i) => i),
        text: points.map((i) => `${data.name[i]}<br>label ${data.current_label[i]}, predicted ${data.prediction[i]}` +
          `<br>${probabilities(i)}${data.proposed_label[i] ? `<br>${proposal(i)}` : ""}` +
          `<br>flag rate ${fixed(data.flag_rate[i], 2)}`),
        hovertemplate: "%{text}<extra></extra>",
        marker: { color: classColour(c, k), size: 8, opacity: 0.85,
          line: { width: points.map((i) => (data.proposed_label[i] ? 2 : 0)), color: "#222" } },
      };
    });
    // A legend entry for the outline that marks proposals (the points draw it themselves).
    byClass.push({
      type: scatter, mode: "markers", name: "○ relabel proposed (flagged in training)", x: [null], y: [null],
      hoverinfo: "skip",
      marker: { color: "#ffffff", size: 8, line: { width: 2, color: "#222" } },
    });
    const flagged = index.filter((i) => data.high_loss[i]);
    byClass.push({
      type: scatter, mode: "markers", name: "✕ high loss of the final model",
      x: flagged.map((i) => data.x[i]), y: flagged.map((i) => data.y[i]), customdata: flagged,
      text: flagged.map((i) => data.name[i]), hovertemplate: "%{text} (high loss of the final model, scored in eval mode)<extra></extra>",
      // An open cross over the class-coloured point, so both stay readable.
      marker: { color: FLAG_COLOUR, symbol: "x-open", size: 15, line: { width: 2, color: FLAG_COLOUR } },
    });
    return byClass;
  }

  async function draw() {
    toggle.textContent = `Show ${after ? "before" : "after"} ${ilc ? "ILC" : "the relabels"}`;
    const keep = selected;
    await Plotly.react(plot, traces(), {
      title: { text: `Run ${run.id} (${run.method.name}): ${after ? "after" : "before"} ${ilc ? "ILC relabelling" : "the suggested relabels"}` },
      dragmode: "lasso", hovermode: "closest", height: 560,
      legend: { title: { text: "class / flag" } },
      xaxis: { title: { text: "UMAP 1" }, zeroline: false }, yaxis: { title: { text: "UMAP 2" }, zeroline: false },
      margin: { l: 50, r: 10, t: 50, b: 50 },
    }, { responsive: true, displaylogo: false });
    if (scatter === "scattergl" && plot.querySelector(".no-webgl")) {
      // Plotly found no WebGL (some VMs, remote desktops): the same traces drawn as SVG.
      scatter = "scatter";
      noWebGL.hidden = false;
      Plotly.purge(plot);
      return draw();
    }
    selected = keep; // redrawing clears Plotly's selection, not the reviewer's list
    showSelection();
  }

  function showSelection() {
    const withProposal = selected.filter((i) => data.proposed_label[i]);
    const ids = selected.map((i) => data.sample_id[i]);
    const review = async (accept, replaceChanged = false) => {
      const sampleIds = withProposal.map((i) => data.sample_id[i]);
      try {
        const result = await api(`/api/runs/${run.id}/relabels`, { method: "POST", body: { sample_ids: sampleIds, accept, replace_changed: replaceChanged } });
        const into = result.label_version_id ? ` into label version ${result.label_version_id}` : "";
        const already = result.unchanged.length ? ` (${result.unchanged.length} already had the proposed label)` : "";
        toast(accept ? `Accepted ${result.reviewed} relabels${into}${already}` : `Rejected ${result.reviewed} relabels`);
        data = await api(`/api/runs/${run.id}/projection`);
        await draw();
      } catch (error) {
        const changed = error.detail?.changed;
        if (error.status === 409 && changed && !replaceChanged
            && confirm(`${error.message}.\n\nReplace the experts' labels of ${Object.keys(changed).length} samples?`)) {
          return review(accept, true);
        }
        toast(error.message, "error");
      }
    };
    const bulk = async (verdict) => {
      try {
        await api("/api/marks/bulk", { method: "POST", body: { sample_ids: ids, verdict } });
        toast(`Marked ${ids.length} samples ${verdict}`);
      } catch (error) {
        toast(error.message, "error");
      }
    };
    list.replaceChildren(
      h("h2", {}, `${selected.length} selected`, withProposal.length ? `, ${withProposal.length} with a proposed relabel` : ""),
      selected.length ? h("div", { class: "actions" },
        h("button", { type: "button", onclick: () => bulk("clean") }, "Mark clean"),
        h("button", { type: "button", onclick: () => bulk("noisy") }, "Mark noisy"),
        curator && withProposal.length ? h("button", { type: "button", id: "accept-relabels", onclick: () => review(true) }, "Accept relabels") : "",
        curator && withProposal.length ? h("button", { type: "button", id: "reject-relabels", onclick: () => review(false) }, "Reject relabels") : "") : "",
      h("ul", {}, selected.slice(0, 300).map((i) => h("li", {},
        h("a", { href: `#/sample/${data.sample_id[i]}` }, data.name[i]),
        ` ${data.current_label[i]}`,
        data.proposed_label[i] ? h("span", { class: "proposal" }, ` → ${data.proposed_label[i]}`) : "",
        data.review[i] ? h("span", { class: `review ${data.review[i]}` }, ` (${data.review[i]})`) : "",
        data.high_loss[i] ? h("span", { class: "flag", title: "high loss of the final model" }, " ✕ high loss") : ""))),
      selected.length > 300 ? h("p", {}, `and ${selected.length - 300} more`) : "");
  }

  view.replaceChildren(
    h("p", {}, h("a", { href: `#/runs/${run.id}` }, `← Run ${run.id}`)),
    h("div", { class: "projection-tools" }, toggle,
      h("span", {}, "Lasso or box-select points to review them; click a point to open its sample."),
      noWebGL),
    h("div", { class: "projection-layout" }, plot, h("div", { class: "side" }, hover, list)));
  await draw();
  plot.on("plotly_hover", (event) => {
    const i = event.points[0].customdata;
    const sampleId = data.sample_id[i];
    hover.replaceChildren(
      h("img", { src: render(sampleId, "triptych", 120), alt: `flow of ${data.name[i]}`, height: 120 }),
      h("p", {}, data.name[i]),
      h("p", {}, `label ${data.current_label[i]}, predicted ${data.prediction[i]}, flag rate ${fixed(data.flag_rate[i], 2)}`),
      h("p", { class: "probabilities" }, `out of fold: ${probabilities(i)}`),
      data.proposed_label[i] ? h("p", {}, proposal(i)) : "",
      data.high_loss[i] ? h("p", { class: "flag" }, "✕ high loss of the final model (eval mode)") : "");
  });
  plot.on("plotly_click", (event) => {
    location.hash = `#/sample/${data.sample_id[event.points[0].customdata]}`;
  });
  plot.on("plotly_selected", (event) => {
    selected = [...new Set((event?.points ?? []).map((p) => p.customdata))];
    showSelection();
  });
  plot.on("plotly_deselect", () => {
    selected = [];
    showSelection();
  });
  document.body.dataset.projectionReady = String(run.id);
  return () => {
    delete document.body.dataset.projectionReady;
    Plotly.purge(plot);
  };
}
