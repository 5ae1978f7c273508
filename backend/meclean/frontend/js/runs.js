// Training runs: launch (curators), live progress over server-sent events, cancel,
// comparison in the shape of the paper's Tables 2 and 3, and confusion matrices.
import { api } from "./api.js";
import { flagsSection, sampleChanges } from "./flags.js";
import { canCurate, duration, fixed, groupsOf, plural, referenceName, sourceName } from "./format.js";
import { h, loadPlotly, toast } from "./ui.js";

// The methods the paper compares first, then their peers; the server's list is the truth.
const FIRST = ["ilc", "ltm", "idc", "idc+ilc", "idc+ltm"];
const inFormOrder = (methods) =>
  [...methods].sort((a, b) => ((FIRST.indexOf(a.name) + 99) % 100) - ((FIRST.indexOf(b.name) + 99) % 100));

function progressCell(run) {
  const p = run.progress;
  const percent = Math.round(100 * p.fraction);
  // Tasks train side by side: one task's stage would jump between them, so the list
  // counts folds and names a stage only while one task runs. The estimate waits for 10%.
  const stage = p.running_parts === 1 && p.stage ? `, ${p.stage}` : "";
  const eta = p.eta_s && p.fraction >= 0.1 ? `, ${duration(p.eta_s)} left` : "";
  const detail =
    run.status === "running"
      ? `${percent}%, ${p.folds_done} of ${p.folds_total} LOSO folds${stage}${eta}${p.loss !== null ? `, loss ${fixed(p.loss)}` : ""}${p.uf1 !== null ? `, UF1 so far ${fixed(p.uf1)}` : ""}`
      : run.status === "failed"
        ? run.error
        : `${percent}%`;
  return h(
    "td",
    { class: "progress-cell" },
    h("progress", { max: 100, value: percent, "aria-label": `run ${run.id} progress` }),
    h("span", { class: "progress-text" }, detail),
  );
}

function scoreCell(summary, group) {
  const s = summary?.[group];
  return h(
    "td",
    {},
    s ? `${fixed(s.uf1_mean, 4)} ± ${fixed(s.uf1_std, 4)} / ${fixed(s.uar_mean, 4)} ± ${fixed(s.uar_std, 4)}` : "–",
  );
}

function differenceCell(d) {
  if (d === "reference") return h("td", {}, "reference");
  if (!d) return h("td", { class: "difference" }, "…");
  if (d.difference === null) return h("td", { class: "difference" }, d.reason);
  const seeds =
    d.p_value === null
      ? `no paired test (${d.paired_seeds} shared seed${d.paired_seeds === 1 ? "" : "s"})`
      : `p = ${fixed(d.p_value, 3)} over ${d.paired_seeds} seeds`;
  const sign = (v) => `${v >= 0 ? "+" : "-"}${fixed(Math.abs(v), 4)}`;
  return h(
    "td",
    { class: `difference ${d.real ? "real" : "noise"}`, title: d.caveats.join("; ") },
    `${sign(d.difference)} [${sign(d.ci_low)}, ${sign(d.ci_high)}], ${seeds}: `,
    h("strong", {}, d.real ? "real" : "within noise"),
    d.caveats.length ? h("span", { class: "caveats" }, ` (${d.caveats.join("; ")})`) : "",
  );
}

function launchForm(state, versions, users, catalogue, finished, onLaunched) {
  const field = (label, input, attributes = {}) => h("label", attributes, label, input);
  const { methods, defaults } = catalogue;
  const byName = new Map(methods.map((m) => [m.name, m]));
  const form = h(
    "form",
    { class: "launch", id: "launch-form", "aria-label": "Launch a run" },
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
        h("option", { value: "meclean" }, "meclean"),
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
    field(
      "IDC marks from ",
      h(
        "select",
        { name: "marks_user" },
        h("option", { value: "" }, "all experts"),
        users.map((u) => h("option", { value: u }, u)),
      ),
      { "data-needs": "marks" },
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
    const takes = {
      q: method.q_default !== null,
      warmup: method.warmup_share !== null,
      marks: method.needs_marks,
      cleanlab: method.needs_marks && form.elements.consensus.value === "cleanlab",
    };
    for (const label of form.querySelectorAll("[data-needs]")) label.hidden = !takes[label.dataset.needs];
    form.elements.q.placeholder = takes.q ? `default ${method.q_default}` : "";
    const epochs = Number(form.elements.epochs.value) || defaults.epochs;
    form.elements.warmup_epochs.placeholder = takes.warmup
      ? `default ${Math.max(1, Math.round(method.warmup_share * epochs))}`
      : "";
    form.querySelector("#method-summary").textContent = method.summary;
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
  const planText = form.querySelector("#run-plan");

  function launchBody() {
    const data = Object.fromEntries(new FormData(form));
    const method = chosen();
    const body = {
      method: data.method,
      device: data.device,
      protocol: data.protocol,
      alpha: Number(data.alpha),
      epochs: Number(data.epochs),
      seeds: Number(data.seeds),
      label_version_id: Number(data.label_version_id),
    };
    if (method.q_default !== null && data.q) body.q = Number(data.q);
    if (method.warmup_share !== null && data.warmup_epochs) body.warmup_epochs = Number(data.warmup_epochs);
    if (method.needs_marks) {
      body.consensus = data.consensus;
      if (data.marks_user) body.marks_user = data.marks_user;
      if (data.consensus === "cleanlab" && data.consensus_run_id) body.consensus_run_id = Number(data.consensus_run_id);
    }
    return body;
  }

  // The run as the server would launch it: effective parameters, or why it cannot run.
  let asked = 0;
  async function showPlan() {
    const ask = ++asked;
    try {
      const plan = await api(`/api/datasets/${state.dataset.id}/runs/plan`, { method: "POST", body: launchBody() });
      if (ask !== asked) return;
      const { method, ...parameters } = plan.method;
      const effective = Object.entries(parameters)
        .map(([k, v]) => `${k.replace("_epochs", "")} ${v}`)
        .join(", ");
      const clean = plan.clean_per_class
        ? `; IDC clean set ${Object.entries(plan.clean_per_class)
            .map(([c, n]) => `${c} ${n}`)
            .join(
              ", ",
            )}${plan.consensus_run_id ? ` (experts weighed by cleanlab against run ${plan.consensus_run_id})` : ""}`
        : "";
      const estimate =
        plan.estimate_s !== null
          ? `; about ${duration(plan.estimate_s)} at the pace of this dataset's last runs`
          : "; no finished run yet to estimate its duration from";
      planText.textContent = `Runs ${method}${effective ? ` (${effective})` : ""}: ${plan.folds} LOSO folds × ${plural(plan.seeds, "seed")} × ${plural(plan.epochs, "epoch")}${clean}${estimate}.`;
      planText.classList.remove("error");
      launchButton.disabled = false;
    } catch (error) {
      if (ask !== asked) return;
      const field = error.detail?.field ? ` (${error.detail.field.replaceAll("_", " ")})` : "";
      planText.textContent = `Cannot run: ${error.message}${field}`;
      planText.classList.add("error");
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
      const run = await api(`/api/datasets/${state.dataset.id}/runs`, { method: "POST", body: launchBody() });
      form.querySelector(".error").textContent = "";
      toast(`Run ${run.id} queued`);
      onLaunched(run);
      showPlan();
    } catch (error) {
      const where = error.detail?.field ? ` (${error.detail.field})` : "";
      form.querySelector(".error").textContent = `${error.message}${where}`;
    }
  });
  return form;
}

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
  const users = curator && state.me.role === "admin" ? (await api("/api/users")).map((u) => u.name) : [state.me.name];
  const byId = new Map(runs.map((r) => [r.id, r]));
  const finishedRuns = () => [...byId.values()].filter((r) => r.has_results).sort((a, b) => b.id - a.id);
  const chosen = new Set();
  const body = h("tbody");
  const comparison = h("section", { id: "comparison" });

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
      h(
        "td",
        {},
        `${run.method.name}${trainsByAlpha.has(run.method.name) ? ` α=${run.method.alpha}` : ""}${run.protocol === "paper" ? " (paper protocol)" : ""}`,
      ),
      h("td", {}, `${run.epochs} × ${run.seeds.length}`),
      h("td", { class: `status ${run.status}` }, run.status),
      progressCell(run),
      scoreCell(run.summary, "composite"),
      h(
        "td",
        {},
        run.has_results ? h("a", { href: `#/runs/${run.id}/projection` }, "Projection") : "",
        curator && active ? h("button", { type: "button", onclick: () => cancel(run.id) }, "Cancel") : "",
      ),
    );
  }

  function draw() {
    body.replaceChildren(...[...byId.values()].sort((a, b) => b.id - a.id).map(row));
  }

  // Differences against the first run picked, fetched once per set of picked runs.
  let differences = new Map();
  let asked = "";

  function compare() {
    const picked = [...chosen].map((id) => byId.get(id)).filter(Boolean);
    const key = picked.map((r) => `${r.id}:${r.status}`).join(",");
    if (key !== asked) {
      asked = key;
      differences = new Map();
      if (picked.length > 1) {
        api("/api/runs/compare", { query: { ids: picked.map((r) => r.id) } })
          .then((result) => {
            if (asked !== key) return;
            differences = new Map(result.differences.map((d) => [d.run_id, d]));
            drawComparison(picked);
          })
          .catch((error) => toast(error.message, "error"));
      }
    }
    drawComparison(picked);
  }

  // Two finished runs are also compared sample by sample (fetched once per pair).
  let changes = { key: null, section: null };
  function changesOf(picked) {
    if (picked.length !== 2 || picked.some((r) => !r.has_results)) return "";
    const key = `${picked[0].id}-${picked[1].id}`;
    if (changes.key !== key) changes = { key, section: sampleChanges(picked[0].id, picked[1].id) };
    return changes.section;
  }

  function drawComparison(picked) {
    const reference = picked[0];
    comparison.replaceChildren(
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
            picked.length > 1
              ? h(
                  "p",
                  { class: "hint" },
                  "Differences: mean UF1 over seeds minus the first run picked, with a 95% interval from resampling subjects " +
                    "and a paired t-test over the seeds both runs trained with. A difference is real when the interval " +
                    "excludes zero and, where the runs share two seeds or more, the seeds agree (p < 0.05); with fewer " +
                    "shared seeds only the subjects' interval speaks, and the caveat says so.",
                )
              : "",
            changesOf(picked),
          ]
        : []),
    );
  }

  async function cancel(id) {
    const run = byId.get(id);
    const trained = Math.round(100 * (run?.progress.fraction ?? 0));
    const done = trained ? `; the ${trained}% trained so far is lost` : "";
    if (!confirm(`Cancel run ${id}${done}?`)) return;
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
      ? launchForm(state, versions, users, catalogue, finishedRuns, (run) => {
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
    comparison,
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

async function heatmap(element, matrix, classes, title) {
  const Plotly = await loadPlotly();
  await Plotly.newPlot(
    element,
    [
      {
        type: "heatmap",
        z: matrix,
        x: classes,
        y: classes,
        colorscale: "Viridis",
        showscale: true,
        hovertemplate: "true %{y}, predicted %{x}: %{z}<extra></extra>",
        text: matrix.map((r) => r.map(String)),
        texttemplate: "%{text}",
      },
    ],
    {
      title: { text: title },
      width: 340,
      height: 320,
      margin: { l: 80, r: 10, t: 40, b: 60 },
      xaxis: { title: { text: "predicted" } },
      yaxis: { title: { text: "true" }, autorange: "reversed" },
    },
    { displayModeBar: false, responsive: true },
  );
}

function partsTable(run) {
  const epochs = run.epochs;
  const folds = (p) => (p.folds.length ? p.folds.map((f) => f + 1).join(", ") : "–");
  const progress = (p) =>
    p.kind === "folds"
      ? `${Math.min(Math.floor(p.done / epochs), p.folds.length)} / ${p.folds.length} folds, ${p.done} / ${p.total} epochs`
      : `${p.done} / ${p.total}`;
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
        h("td", {}, folds(p)),
        h("td", { class: `status ${p.status}` }, p.status),
        h("td", {}, p.attempts),
        h("td", {}, p.worker ?? "–"),
        h("td", {}, p.device ?? "–"),
        h("td", {}, progress(p)),
      ),
    ),
  );
}

function liveStatus(run) {
  const p = run.progress;
  const folds = `${p.folds_done} of ${p.folds_total} LOSO folds trained`;
  return h(
    "div",
    { id: "run-live", "aria-live": "polite" },
    h("p", { class: `status ${run.status}` }, `Status: ${run.status}${run.error ? ` (${run.error})` : ""}`),
    h(
      "p",
      { class: "progress-cell" },
      h("progress", { max: 100, value: Math.round(100 * p.fraction), "aria-label": `run ${run.id} progress` }),
      h(
        "span",
        { class: "progress-text" },
        ` ${folds}${p.stage ? `; now ${p.stage}` : ""}${p.eta_s ? `; ${duration(p.eta_s)} left` : ""}`,
      ),
    ),
  );
}

function parameters(run) {
  const resolved = run.method.resolved ?? run.method;
  const shown = Object.entries(resolved)
    .filter(([k]) => k !== "method")
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return h(
    "p",
    { class: "parameters" },
    `Parameters: ${resolved.method}${shown ? ` (${shown})` : ""}; ${plural(run.epochs, "epoch")} × ${plural(run.seeds.length, "seed")}; label version v${run.label_version_id}; ${run.protocol} protocol` +
      (run.clean_set_from ? `; clean set of ${run.clean_samples} from ${run.clean_set_from}.` : "."),
  );
}

export async function showRun(state, runId) {
  const view = document.getElementById("view");
  let run = await api(`/api/runs/${runId}`);
  const groups = groupsOf(state.dataset);

  async function draw() {
    const heatmaps = h("div", { class: "heatmaps" });
    view.replaceChildren(
      h("p", {}, h("a", { href: "#/runs" }, "← Runs")),
      h(
        "h1",
        {},
        `Run ${run.id}: ${run.method.name}, ${plural(run.epochs, "epoch")} × ${plural(run.seeds.length, "seed")}, ${run.protocol} protocol`,
      ),
      parameters(run),
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
              "pre",
              {},
              JSON.stringify({ method: run.method.resolved ?? run.method, ...run.training, flow: run.flow }, null, 2),
            ),
          )
        : "",
      liveStatus(run),
      run.has_results ? h("p", {}, h("a", { href: `#/runs/${run.id}/projection` }, "Open the projection review")) : "",
      run.has_results ? flagsSection(run) : "",
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
      document.getElementById("run-live")?.replaceWith(liveStatus(run));
      document.getElementById("run-parts")?.replaceWith(partsTable(run));
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
