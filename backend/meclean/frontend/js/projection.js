// The paper's Figure 5, interactive: the final model's UMAP, points by class, high-loss
// samples as red crosses, ILC's proposals before/after; select a group to review it.
import { api, render } from "./api.js";
import { RETURN_KEY } from "./grid.js";
import { canCurate, classColour, fixed, FLAG_COLOUR, plotlyText, plural } from "./format.js";
import { h, loadPlotly, toast } from "./ui.js";

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
  const first = await api(`/api/runs/${runId}/projection`);
  let data = first;
  let after = false;
  let selected = [];
  let lastDecision = null; // the samples of the last accept/reject, for one-step undo
  let lastMarks = null; // the marks of the last bulk mark, for one-step undo
  let scatter = "scattergl";
  let colourBy = "label";
  // High loss of the final model re-drawn at another alpha, from the stored losses: the
  // same rule as the run's (loss above mean + alpha * sample std), no new run needed.
  const runAlpha = run.method.alpha; // the server records the default
  let alpha = runAlpha;
  let high = data.high_loss;
  function thresholdAt(a) {
    const losses = data.final_loss.filter((v) => v !== null);
    if (losses.length < 2) return null;
    const mean = losses.reduce((t, v) => t + v, 0) / losses.length;
    const std = Math.sqrt(losses.reduce((t, v) => t + (v - mean) ** 2, 0) / (losses.length - 1));
    return mean + a * std;
  }
  function rethreshold() {
    const cut = alpha === runAlpha ? null : thresholdAt(alpha);
    high = cut === null ? data.high_loss : data.final_loss.map((v) => v !== null && v > cut);
  }
  const curator = canCurate(state.me);
  // Two kinds of "high loss", named apart: the relabels come from the method's flags during
  // LOSO training; the red crosses from the final all-sample model, scored in eval mode.
  const ilc = run.method.name.includes("ilc");
  const flagger = run.method.name.split("+").at(-1).toUpperCase();
  const proposal = (i) =>
    ilc
      ? `ILC proposes ${data.proposed_label[i]}`
      : `relabel ${data.proposed_label[i]} suggested by ${flagger}'s training flags (${flagger} itself only leaves flagged samples out)`;
  const plot = h("div", {
    id: "projection",
    class: "projection",
    role: "img",
    "aria-label": "UMAP projection of the final model's last hidden layer",
  });
  const hover = h("aside", { class: "hover-card", "aria-live": "polite" }, "Hover a point to see its flow.");
  const list = h("aside", { class: "selection", id: "selection" });
  const toggle = h(
    "button",
    {
      type: "button",
      id: "toggle-ilc",
      "aria-pressed": "false",
      onclick: () => {
        after = !after;
        toggle.setAttribute("aria-pressed", String(after));
        draw();
      },
    },
    "Show after ILC",
  );
  const noWebGL = h(
    "span",
    { class: "note", id: "no-webgl", hidden: true },
    "This browser offers no WebGL, so the plot is drawn without it and may be slow with many points.",
  );

  const groupOf = (i) =>
    colourBy === "subject" ? data.subject[i] : colourBy === "source" ? data.source[i] : colourClass(i);
  const groups = () =>
    colourBy === "label"
      ? data.classes
      : [...new Set(data.sample_id.map((_, i) => groupOf(i)))].sort((a, b) => a.localeCompare(b));

  function colourClass(i) {
    return after && data.proposed_label[i] && data.review[i] !== "rejected"
      ? data.proposed_label[i]
      : data.current_label[i];
  }

  const probabilities = (i) => data.classes.map((c, k) => `${c} ${fixed(data.probabilities[i][k], 2)}`).join(", ");

  // Proposals drawn by their review state: pending ones need a decision, so they stand out.
  const REVIEW_STYLE = {
    pending: { symbol: "circle", line: "#222222", width: 2.5, legend: "relabel pending" },
    accepted: { symbol: "diamond", line: "#222222", width: 1, legend: "relabel accepted" },
    rejected: { symbol: "circle", line: "#9a9a9a", width: 1.5, legend: "relabel rejected" },
  };
  const reviewOf = (i) => (data.proposed_label[i] ? (data.review[i] ?? "pending") : null);
  const counts = () => {
    const tally = { pending: 0, accepted: 0, rejected: 0 };
    data.sample_id.forEach((_, i) => {
      const r = reviewOf(i);
      if (r) tally[r] += 1;
    });
    return tally;
  };

  function traces() {
    const index = data.sample_id.map((_, i) => i);
    const style = (i) => REVIEW_STYLE[reviewOf(i)];
    // Redrawn after a decision, the plot keeps showing what is selected.
    const chosen = new Set(selected);
    const selection = (points) =>
      chosen.size ? { selectedpoints: points.flatMap((i, k) => (chosen.has(i) ? [k] : [])) } : {};
    const byClass = groups().map((c, k) => {
      const points = index.filter((i) => groupOf(i) === c);
      return {
        type: scatter,
        mode: "markers",
        name: plotlyText(c),
        legendrank: k + 1,
        ...selection(points),
        x: points.map((i) => data.x[i]),
        y: points.map((i) => data.y[i]),
        customdata: points.map((i) => i),
        text: points.map(
          (i) =>
            `${plotlyText(data.name[i])}<br>label ${data.current_label[i]}, predicted ${data.prediction[i]}` +
            `<br>${probabilities(i)}${data.proposed_label[i] ? `<br>${proposal(i)} (${reviewOf(i)})` : ""}` +
            `<br>flag rate ${fixed(data.flag_rate[i], 2)}`,
        ),
        hovertemplate: "%{text}<extra></extra>",
        marker: {
          // Subjects outnumber any palette: hues spread by the golden angle stay apart.
          color: colourBy === "label" ? classColour(c, k) : `hsl(${(k * 137.508) % 360}, 65%, 45%)`,
          size: 8,
          opacity: 0.85,
          symbol: points.map((i) => style(i)?.symbol ?? "circle"),
          line: {
            width: points.map((i) => style(i)?.width ?? 0),
            color: points.map((i) => style(i)?.line ?? "#222222"),
          },
        },
      };
    });
    // Legend entries for the review states (the points draw them themselves), with counts.
    const states = counts();
    for (const [state, look] of Object.entries(REVIEW_STYLE)) {
      byClass.push({
        type: scatter,
        mode: "markers",
        name: `${look.legend} (${states[state]})`,
        x: [null],
        y: [null],
        legendrank: 1000 + Object.keys(REVIEW_STYLE).indexOf(state),
        hoverinfo: "skip",
        marker: {
          color: "#ffffff",
          size: 9,
          symbol: look.symbol,
          line: { width: Math.max(1.5, look.width), color: look.line },
        },
      });
    }
    const flagged = index.filter((i) => high[i]);
    // Drawn first, under the points: a cross must not hide a proposal's outline.
    byClass.unshift({
      type: scatter,
      mode: "markers",
      name: alpha === runAlpha ? "high loss of the final model" : `high loss at α = ${alpha}`,
      legendrank: 2000,
      ...selection(flagged),
      x: flagged.map((i) => data.x[i]),
      y: flagged.map((i) => data.y[i]),
      customdata: flagged,
      text: flagged.map((i) => plotlyText(data.name[i])),
      hovertemplate: "%{text} (high loss of the final model, scored in eval mode)<extra></extra>",
      // An open cross over the class-coloured point, so both stay readable.
      marker: { color: FLAG_COLOUR, symbol: "x-open", size: 15, line: { width: 2, color: FLAG_COLOUR } },
    });
    return byClass;
  }

  async function draw() {
    toggle.textContent = `Show ${after ? "before" : "after"} ${ilc ? "ILC" : "the relabels"}`;
    const keep = selected;
    await Plotly.react(
      plot,
      traces(),
      {
        title: {
          text: `Run ${run.id} (${run.method.name}): ${after ? "after" : "before"} ${ilc ? "ILC relabelling" : "the suggested relabels"}`,
        },
        dragmode: "lasso",
        hovermode: "closest",
        height: 560,
        legend: { title: { text: `${{ label: "class", subject: "subject", source: "dataset" }[colourBy]} / flag` } },
        xaxis: { title: { text: "UMAP 1" }, zeroline: false },
        yaxis: { title: { text: "UMAP 2" }, zeroline: false },
        margin: { l: 50, r: 10, t: 50, b: 50 },
      },
      { responsive: true, displaylogo: false, showSendToCloud: false, showEditInChartStudio: false, showLink: false },
    );
    if (scatter === "scattergl" && plot.querySelector(".no-webgl")) {
      // Plotly found no WebGL (some VMs, remote desktops): the same traces drawn as SVG.
      scatter = "scatter";
      noWebGL.hidden = false;
      Plotly.purge(plot);
      return draw();
    }
    selected = keep; // redrawing clears Plotly's selection, not the reviewer's list
    keepSelection();
    showSelection();
  }

  const tallyText = () => {
    const t = counts();
    return `Proposed relabels: ${t.pending} pending, ${t.accepted} accepted, ${t.rejected} rejected`;
  };
  const tally = h("span", { id: "review-counts", class: "counts" }, "");

  async function refresh() {
    data = await api(`/api/runs/${run.id}/projection`);
    rethreshold();
    await draw();
  }

  // Decide on proposals (accept or reject), or take decisions back; a decision that
  // would replace an expert's later label asks first.
  async function decide(indices, accept, replaceChanged = false) {
    const sampleIds = indices.map((i) => data.sample_id[i]);
    try {
      const result = await api(`/api/runs/${run.id}/relabels`, {
        method: "POST",
        body: { sample_ids: sampleIds, accept, replace_changed: replaceChanged },
      });
      const into = result.label_version_id ? ` into label version ${result.label_version_id}` : "";
      const already = result.unchanged.length ? ` (${result.unchanged.length} already had the proposed label)` : "";
      toast(
        `${accept ? "Accepted" : "Rejected"} ${plural(result.reviewed, "relabel")}${accept ? `${into}${already}` : ""}`,
      );
      lastDecision = indices;
      await refresh();
    } catch (error) {
      const changed = error.detail?.changed;
      if (
        error.status === 409 &&
        changed &&
        !replaceChanged &&
        confirm(`${error.message}.\n\nReplace the experts' labels of ${Object.keys(changed).length} samples?`)
      ) {
        return decide(indices, accept, true);
      }
      toast(error.message, "error");
    }
  }

  async function undoDecisions(indices) {
    try {
      const result = await api(`/api/runs/${run.id}/relabels/undo`, {
        method: "POST",
        body: { sample_ids: indices.map((i) => data.sample_id[i]) },
      });
      const restored = result.label_version_id ? `; labels restored in version ${result.label_version_id}` : "";
      toast(`Took back ${plural(result.withdrawn, "decision")}${restored}`);
      lastDecision = null;
      await refresh();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  async function bulkMark(ids, verdict, overwrite = false) {
    try {
      const result = await api("/api/marks/bulk", { method: "POST", body: { sample_ids: ids, verdict, overwrite } });
      lastMarks = result.mark_ids;
      window.dispatchEvent(new CustomEvent("meclean:marks-saved"));
      toast(`Marked ${result.marked} samples ${verdict}`);
      showSelection();
    } catch (error) {
      const changed = error.detail?.changed;
      if (error.status === 409 && changed && !overwrite) {
        const names = Object.entries(changed)
          .slice(0, 10)
          .map(([id, was]) => `${data.name[data.sample_id.indexOf(Number(id))] ?? id} (${was})`);
        const more = Object.keys(changed).length > 10 ? `\n…and ${Object.keys(changed).length - 10} more` : "";
        if (
          confirm(
            `${Object.keys(changed).length} of these samples already have another mark of yours:\n${names.join("\n")}${more}\n\nReplace them with "${verdict}"?`,
          )
        ) {
          return bulkMark(ids, verdict, true);
        }
        return toast("Nothing was marked", "info");
      }
      toast(error.message, "error");
    }
  }

  async function undoMarks() {
    try {
      const result = await api("/api/marks/bulk/undo", { method: "POST", body: { mark_ids: lastMarks } });
      window.dispatchEvent(new CustomEvent("meclean:marks-saved"));
      toast(`Undid the marks on ${result.marked} samples`);
      lastMarks = null;
      showSelection();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  function item(i) {
    const state = reviewOf(i);
    const decisions =
      curator && state
        ? state === "pending"
          ? [
              h("button", { type: "button", class: "small accept", onclick: () => decide([i], true) }, "Accept"),
              h("button", { type: "button", class: "small reject", onclick: () => decide([i], false) }, "Reject"),
            ]
          : [h("button", { type: "button", class: "small undo", onclick: () => undoDecisions([i]) }, "Undo")]
        : [];
    return h(
      "li",
      { dataset: { sample: data.sample_id[i] } },
      h("img", { src: render(data.sample_id[i], "triptych", 60), alt: "", height: 40, loading: "lazy" }),
      h(
        "div",
        {},
        h("a", { href: `#/sample/${data.sample_id[i]}`, onclick: () => remember(i) }, data.name[i]),
        h(
          "span",
          { class: "labels" },
          ` ${data.label[i]}`,
          data.proposed_label[i] ? h("span", { class: "proposal" }, ` → ${data.proposed_label[i]}`) : "",
          state ? h("span", { class: `review ${state}` }, ` ${state}`) : "",
        ),
        h(
          "span",
          { class: "probabilities" },
          `out of fold ${probabilities(i)}; flag rate ${fixed(data.flag_rate[i], 2)}`,
        ),
        high[i] ? h("span", { class: "flag", title: "high loss of the final model" }, " ✕ high loss") : "",
      ),
      h("span", { class: "decisions" }, decisions),
    );
  }

  // Pending proposals first, then decided ones, then the samples without a proposal.
  const inReviewOrder = (indices) =>
    ["pending", "accepted", "rejected", null].flatMap((state) =>
      indices.filter((i) => (reviewOf(i) ?? null) === state),
    );

  function showSelection() {
    tally.textContent = tallyText();
    const ids = selected.map((i) => data.sample_id[i]);
    const pending = selected.filter((i) => reviewOf(i) === "pending");
    const decided = selected.filter((i) => reviewOf(i) && reviewOf(i) !== "pending");
    const undoLast = lastDecision?.filter((i) => reviewOf(i) && reviewOf(i) !== "pending");
    list.replaceChildren(
      h("h2", {}, `${selected.length} selected`, pending.length ? `, ${pending.length} relabels pending` : ""),
      h(
        "div",
        { class: "actions" },
        selected.length
          ? [
              h("button", { type: "button", onclick: () => bulkMark(ids, "clean") }, "Mark clean"),
              h("button", { type: "button", onclick: () => bulkMark(ids, "noisy") }, "Mark noisy"),
            ]
          : "",
        lastMarks ? h("button", { type: "button", id: "undo-marks", onclick: undoMarks }, "Undo marks") : "",
        curator && pending.length
          ? [
              h(
                "button",
                { type: "button", id: "accept-relabels", onclick: () => decide(pending, true) },
                `Accept ${plural(pending.length, "relabel")}`,
              ),
              h(
                "button",
                { type: "button", id: "reject-relabels", onclick: () => decide(pending, false) },
                `Reject ${plural(pending.length, "relabel")}`,
              ),
            ]
          : "",
        curator && decided.length
          ? h(
              "button",
              { type: "button", id: "undo-decisions", onclick: () => undoDecisions(decided) },
              `Take back ${plural(decided.length, "decision")}`,
            )
          : "",
        curator && undoLast?.length && !decided.length
          ? h(
              "button",
              { type: "button", id: "undo-last", onclick: () => undoDecisions(undoLast) },
              "Undo last decision",
            )
          : "",
      ),
      h("ul", {}, inReviewOrder(selected).slice(0, 300).map(item)),
      selected.length > 300 ? h("p", {}, `and ${selected.length - 300} more`) : "",
    );
  }

  // A sample opened from here comes back to the same selection; its page steps through it.
  const selectionKey = `meclean.projection-selection-${run.id}`;
  const keepSelection = () =>
    sessionStorage.setItem(selectionKey, JSON.stringify(selected.map((i) => data.sample_id[i])));
  const kept = JSON.parse(sessionStorage.getItem(selectionKey) ?? "[]");
  selected = data.sample_id.flatMap((id, i) => (kept.includes(id) ? [i] : []));
  const remember = (i) => {
    const ids = selected.length ? inReviewOrder(selected).map((k) => data.sample_id[k]) : [data.sample_id[i]];
    sessionStorage.setItem(
      RETURN_KEY,
      JSON.stringify({ hash: location.hash, id: data.sample_id[i], ids, cursor: null, total: ids.length }),
    );
  };

  const stored = data.high_loss.filter(Boolean).length;
  const alphaCount = h("output", { id: "alpha-count", for: "alpha-slider" });
  const describeAlpha = () => {
    alphaCount.textContent =
      `${plural(high.filter(Boolean).length, "sample")} above mean + ${alpha} std of the final model's losses` +
      (alpha === runAlpha ? "" : ` (the run drew ${stored} at α = ${runAlpha})`);
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
      alpha = Number(e.target.value);
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
        colourBy = e.target.value;
        draw();
      },
    },
    [
      ["label", "label"],
      ["subject", "subject"],
      ["source", "source dataset"],
    ].map(([value, text]) => h("option", { value }, text)),
  );

  view.replaceChildren(
    h("p", {}, h("a", { href: `#/runs/${run.id}` }, `← Run ${run.id}`)),
    h(
      "div",
      { class: "projection-tools" },
      h("label", {}, "Colour by ", colouring),
      h("label", {}, "High loss at α ", slider),
      alphaCount,
      noLosses ? h("span", { class: "note" }, "This run kept no final-model losses to re-threshold.") : "",
    ),
    h(
      "div",
      { class: "projection-tools" },
      toggle,
      tally,
      h("span", {}, "Lasso or box-select points to review them; click a point to open its sample."),
      noWebGL,
    ),
    h("div", { class: "projection-layout" }, plot, h("div", { class: "side" }, hover, list)),
  );
  await draw();
  plot.on("plotly_hover", (event) => {
    const i = event.points[0].customdata;
    const sampleId = data.sample_id[i];
    hover.replaceChildren(
      h("img", { src: render(sampleId, "triptych", 120), alt: `flow of ${data.name[i]}`, height: 120 }),
      h("p", {}, data.name[i]),
      h(
        "p",
        {},
        `label ${data.current_label[i]}, predicted ${data.prediction[i]}, flag rate ${fixed(data.flag_rate[i], 2)}`,
      ),
      h("p", { class: "probabilities" }, `out of fold: ${probabilities(i)}`),
      data.proposed_label[i] ? h("p", {}, proposal(i)) : "",
      high[i] ? h("p", { class: "flag" }, "✕ high loss of the final model (eval mode)") : "",
    );
  });
  plot.on("plotly_click", (event) => {
    const i = event.points[0].customdata;
    remember(i);
    location.hash = `#/sample/${data.sample_id[i]}`;
  });
  plot.on("plotly_selected", (event) => {
    selected = [...new Set((event?.points ?? []).map((p) => p.customdata))];
    keepSelection();
    showSelection();
  });
  plot.on("plotly_deselect", () => {
    selected = [];
    keepSelection();
    showSelection();
  });
  document.body.dataset.projectionReady = String(run.id);
  return () => {
    delete document.body.dataset.projectionReady;
    plot.removeAllListeners?.(); // purging deselects: that must not forget the selection
    Plotly.purge(plot);
  };
}
