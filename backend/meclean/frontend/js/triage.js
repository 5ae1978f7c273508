// Review next: one sample at a time, the most suspicious labels first (by the chosen runs'
// out-of-fold loss, flag rate and label quality, and by experts who disagree), with why a
// run flagged it. Marking by keyboard moves on to the next sample.
import { api, render } from "./api.js";
import { mark, onMarksChanged, undo } from "./marks.js";
import { fixed, plural } from "./format.js";
import { h, screenKeys, svg } from "./ui.js";
import { choicesOfVerdict, classes, keyVerdict } from "./vocabulary.js";

const percent = (share) => `${Math.round(100 * share)}%`;

function chosenFromAddress() {
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const runs = (params.get("runs") ?? "").split(",").map(Number).filter(Number.isInteger);
  const at = Number(params.get("at") ?? 0);
  return { runs, at: Number.isInteger(at) && at >= 0 ? at : 0, disagreement: params.get("disagreement") === "true" };
}

function address(runs, at, disagreement) {
  return `#/triage?runs=${runs.join(",")}&at=${at}${disagreement ? "&disagreement=true" : ""}`;
}

function signalsTable(item) {
  const s = item.signals;
  const experts = item.marks_hidden
    ? "hidden until you mark it (blind marking)"
    : s.disagreement
      ? "disagree"
      : "no disagreement";
  const row = (name, value, meaning) => h("tr", {}, h("th", {}, name), h("td", {}, value), h("td", {}, meaning));
  return h(
    "table",
    { class: "signals", "aria-label": "Why it is this far up" },
    row("Out-of-fold loss", fixed(s.loss), "of its current label, where its own label never trained the model"),
    row("Flag rate", percent(s.flag_rate), "of its training updates that judged it noisy"),
    row("Label quality", fixed(s.label_quality), "confident learning's margin: near 0, another class is preferred"),
    row("Experts", experts, "clean and noisy verdicts of different experts"),
    row("Suspicion", fixed(item.score), "the mean percentile rank of the four signals: higher comes first"),
  );
}

// The sample's training loss per epoch beside its class's median: a wrong label's loss stays
// high until the network memorises it, late in training; a correct one's falls with the class.
const CURVE = { width: 480, height: 160, left: 48, right: 12, top: 10, bottom: 24 };

function lossCurves(why) {
  if (!why.loss_curve) {
    return h(
      "p",
      { class: "hint" },
      "Loss over epochs: not kept for this run (Manifold Mixup trains on mixtures of samples; " +
        "runs trained before meclean kept curves have none).",
    );
  }
  const mine = why.loss_curve;
  const theirs = why.class_loss_curve ?? [];
  const known = [...mine, ...theirs].filter((v) => v !== null);
  const top = Math.max(...known, 1e-6);
  const { width, height, left, right, top: above, bottom } = CURVE;
  const x = (epoch) => left + (epoch / Math.max(1, mine.length - 1)) * (width - left - right);
  const y = (loss) => height - bottom - (loss / top) * (height - above - bottom);
  const point = (v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  // A gap where a curve has no value (epochs no batch held the sample) starts a new stroke.
  const path = (values) =>
    values.map((v, i) => (v === null ? "" : `${(values[i - 1] ?? null) === null ? "M" : "L"}${point(v, i)}`)).join("");
  // A value with no neighbour to draw a line to (one epoch, or amid gaps) is drawn as a dot.
  const dots = (values, name) =>
    values.map((v, i) =>
      v !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null
        ? svg("circle", { class: name, cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 3 })
        : "",
    );
  const ends = (values) => {
    const set = values.filter((v) => v !== null);
    return set.length
      ? `${fixed(set[0], 2)} at the first epoch with a value, ${fixed(set.at(-1), 2)} at the last`
      : "none";
  };
  const summary =
    `Training loss over ${plural(mine.length, "epoch")}: ${ends(mine)}` +
    (theirs.length ? `; the median of the other samples labelled ${why.given}: ${ends(theirs)}.` : ".");
  return h(
    "figure",
    { class: "loss-curves" },
    svg(
      "svg",
      { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": summary },
      svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width - right, y2: height - bottom }),
      svg("line", { class: "axis", x1: left, y1: above, x2: left, y2: height - bottom }),
      svg("text", { x: left - 4, y: above + 8, "text-anchor": "end" }, fixed(top, 2)),
      svg("text", { x: left - 4, y: height - bottom, "text-anchor": "end" }, "0"),
      svg("text", { x: 2, y: (height - bottom + above) / 2 }, "loss"),
      svg("text", { x: left, y: height - 6 }, "epoch 1"),
      mine.length > 1
        ? svg("text", { x: width - right, y: height - 6, "text-anchor": "end" }, `epoch ${mine.length}`)
        : "",
      svg("path", { class: "class-median", d: path(theirs) }),
      dots(theirs, "class-median"),
      svg("path", { class: "this-sample", d: path(mine) }),
      dots(mine, "this-sample"),
    ),
    h(
      "figcaption",
      {},
      h("span", { class: "this-sample" }, "this sample"),
      theirs.length ? h("span", { class: "class-median" }, `median of the other ${why.given} samples`) : "",
      h("span", { class: "summary" }, summary),
    ),
  );
}

function whyPanel(why, runId) {
  const probabilities = why.probabilities.map((p, k) => `${classes()[k]} ${fixed(p, 2)}`);
  const above = (share, group) =>
    share === null ? `it is alone ${group}` : `higher than ${percent(share)} of the other samples ${group}`;
  const neighbours = why.neighbours.length
    ? h(
        "ul",
        { class: "neighbours" },
        why.neighbours.map((n) =>
          h(
            "li",
            {},
            h(
              "a",
              { href: `#/sample/${n.sample_id}`, title: n.name },
              h("img", { src: render(n.sample_id, "triptych", 60), alt: `flow of ${n.name}`, height: 60 }),
            ),
            h("span", { class: "name" }, n.name.split("/").slice(1).join("/")),
            h("span", { class: n.label === why.given ? "same" : "other" }, `${n.label} (predicted ${n.prediction})`),
          ),
        ),
      )
    : h("p", {}, "No neighbours: this run kept no final model.");
  return h(
    "section",
    { class: "why", id: "why", "aria-label": "Why flagged" },
    h("h2", {}, `Why run ${runId} judged it so`),
    why.current_label !== why.given
      ? h(
          "p",
          { class: "caveats" },
          `Relabelled since: the run judged its label ${why.given}, it is now ${why.current_label}. ` +
            "The flags below concern the old label and do not count in the queue.",
        )
      : "",
    h(
      "p",
      {},
      `Given ${why.given}, predicted ${why.prediction} (${probabilities.join(", ")})`,
      why.seed_predictions?.length > 1 ? `; per seed: ${why.seed_predictions.join(", ")}` : "",
      why.proposed_label ? `; proposed relabel: ${why.proposed_label}` : "",
      ".",
    ),
    h(
      "p",
      {},
      `Its out-of-fold loss is ${above(why.loss_above_in_class, `labelled ${why.given} (${why.class_size})`)} `,
      `and ${above(why.loss_above_in_subject, `of its subject (${why.subject_size})`)}; flagged in ${percent(why.flag_rate)} `,
      `of its training updates${why.high_loss ? "; high loss in the final model" : ""}${why.label_issue ? "; a confident-learning issue" : ""}.`,
    ),
    lossCurves(why),
    h("h3", {}, "Nearest in the network's hidden space"),
    neighbours,
  );
}

const MAX_RUNS = 5;

export async function showTriage(state) {
  const view = document.getElementById("view");
  const runs = (await api("/api/runs", { query: { dataset_id: state.dataset.id } })).filter((r) => r.has_results);
  if (!runs.length) {
    view.replaceChildren(
      h("h1", {}, "Review next"),
      h("p", { class: "empty" }, "No run has finished on this dataset yet: launch one from Runs first."),
    );
    return;
  }
  let { runs: chosen, at, disagreement } = chosenFromAddress();
  // None chosen: the server judges by its best finished run (composite UF1).
  chosen = chosen.filter((id) => runs.some((r) => r.id === id)).slice(0, MAX_RUNS);
  // The queue's order as it was when opened: a mark can move samples (experts who
  // disagree raise one), so the reviewer steps through this snapshot, sample by sample.
  let order = [];
  let queue = null;
  let item = null;
  // Samples marked here: their own copy holds my verdict, saved or on its way.
  const touched = new Map();

  const status = h("p", { class: "status", id: "triage-status", "aria-live": "polite" });
  const body = h("div", { id: "triage-item" });
  const uf1 = (r) => r.summary?.composite?.uf1_mean;
  const picker = h(
    "fieldset",
    { class: "triage-runs" },
    h("legend", {}, `Judge by runs (up to ${MAX_RUNS})`),
    runs.slice(0, 12).map((r) =>
      h(
        "label",
        {},
        h("input", {
          type: "checkbox",
          value: r.id,
          checked: chosen.includes(r.id),
          onchange: (e) => {
            const id = Number(e.target.value);
            const next = e.target.checked ? [...chosen, id] : chosen.filter((c) => c !== id);
            if (!next.length || next.length > MAX_RUNS) {
              e.target.checked = !e.target.checked;
              return;
            }
            chosen = next;
            restart(0);
          },
        }),
        ` run ${r.id} (${r.method.name}, ${plural(r.epochs, "epoch")}${uf1(r) !== undefined ? `, UF1 ${fixed(uf1(r))}` : ""})`,
      ),
    ),
  );
  const onlyDisagreements = h(
    "label",
    {},
    h("input", {
      type: "checkbox",
      checked: disagreement,
      onchange: (e) => {
        disagreement = e.target.checked;
        restart(0);
      },
    }),
    " Only samples the experts disagree on",
  );
  // The order as it stands now, resuming at my first unreviewed sample in it.
  const resume = h("button", { type: "button", onclick: () => restart(null) }, "My first unreviewed");

  const query = (extra) => ({ run_id: chosen, disagreement, limit: 1, ...extra });

  async function restart(position) {
    const ask = ++asked;
    const snapshot = await api(`/api/datasets/${state.dataset.id}/triage`, { query: query({ with_order: true }) });
    if (ask !== asked) return;
    order = snapshot.order;
    chosen = snapshot.run_ids;
    for (const box of picker.querySelectorAll("input")) box.checked = chosen.includes(Number(box.value));
    go(position ?? snapshot.next_unreviewed ?? order.length);
  }

  function go(position) {
    if (!view.isConnected) return; // the expert left this screen while it loaded
    at = Math.max(0, Math.min(position, order.length));
    history.replaceState(null, "", address(chosen, at, disagreement));
    load();
  }

  function describeStatus() {
    const where =
      at < order.length
        ? `Sample ${at + 1} of ${order.length} in the queue`
        : `All ${order.length} samples of the queue seen`;
    status.textContent =
      `${where} · ${plural(queue.reviewed, "sample")} reviewed by me · ` +
      `${queue.flagged_unreviewed} of ${plural(queue.flagged, "flagged sample")} not yet reviewed by me`;
  }

  // Keys can move faster than answers come: only the last move's answers are shown, and
  // until a move's sample is on screen marking keys do nothing, so a verdict only ever
  // goes to the sample the expert sees.
  let asked = 0;
  let loading = false;
  async function load() {
    const ask = ++asked;
    loading = true;
    const savesBefore = saves;
    const sampleId = order[at];
    const answer = await api(`/api/datasets/${state.dataset.id}/triage`, {
      query: sampleId === undefined ? query({ offset: 0 }) : query({ sample_id: sampleId }),
    });
    if (ask !== asked) return;
    const next = sampleId === undefined ? null : (answer.items[0] ?? null);
    const why = next && (await api(`/api/runs/${chosen[0]}/samples/${next.sample.id}/why`));
    if (ask !== asked) return;
    queue = answer;
    item = next;
    loading = false;
    describeStatus();
    if (saves !== savesBefore) refreshCounts();
    if (!item) {
      const empty = disagreement && !order.length ? "No sample the experts disagree on." : "The end of the queue.";
      body.replaceChildren(h("p", { class: "empty" }, empty));
      return;
    }
    if (touched.has(item.sample.id)) item.sample = touched.get(item.sample.id);
    const sample = item.sample;
    body.replaceChildren(
      h(
        "h2",
        {},
        `${sample.label} | ${sample.source}/${sample.subject} | ${sample.name}`,
        item.flagged ? h("span", { class: "flag" }, " flagged") : "",
      ),
      item.caveats.length
        ? h(
            "ul",
            { class: "caveats" },
            item.caveats.map((c) => h("li", {}, `⚠ ${c}`)),
          )
        : "",
      h(
        "div",
        { class: "side-by-side" },
        h("img", { src: render(sample.id, "triptych", 240), alt: `flow of ${sample.name}`, height: 240 }),
        h("img", { src: render(sample.id, "flow", 240), alt: `colour flow of ${sample.name}`, height: 240 }),
      ),
      h(
        "p",
        { class: "my-mark" },
        h("strong", {}, "My verdict: "),
        sample.my_mark ? `${sample.my_mark.verdict}${sample.my_mark.typical ? " (typical)" : ""}` : "unmarked",
      ),
      h(
        "div",
        { class: "actions" },
        choicesOfVerdict().map(({ verdict, typical, label, key }) =>
          h("button", { type: "button", onclick: () => decide(verdict, typical) }, `${label} (${key})`),
        ),
        h("a", { href: `#/sample/${sample.id}` }, "Open the sample page"),
      ),
      signalsTable(item),
      whyPanel(why, chosen[0]),
    );
  }

  function decide(verdict, typical) {
    if (!item || loading) return;
    mark(item.sample, verdict, typical);
    touched.set(item.sample.id, item.sample);
    go(at + 1);
  }

  // The counts follow my saves; an answer that may predate a save is asked again.
  let saves = 0;
  function refreshCounts() {
    const counted = saves;
    api(`/api/datasets/${state.dataset.id}/triage`, { query: query({ offset: 0 }) })
      .then((fresh) => {
        if (!queue) return;
        Object.assign(queue, { ...fresh, items: queue.items });
        describeStatus();
        if (saves !== counted) refreshCounts();
      })
      .catch(() => {});
  }
  const stop = onMarksChanged((_, how) => {
    if (how !== "saved") return;
    saves += 1;
    if (queue) refreshCounts();
  });
  const onKey = (event) => {
    if (event.target.closest("input, textarea, select, dialog[open]") || event.ctrlKey || event.metaKey || event.altKey)
      return;
    const chosen = keyVerdict(event.key);
    if (chosen) decide(...chosen);
    else if ((event.key === "j" || event.key === "ArrowRight") && at < order.length) go(at + 1);
    else if ((event.key === "k" || event.key === "ArrowLeft") && at > 0) go(at - 1);
    else if (event.key === "z" && at > 0) {
      // The sample before this one in the snapshot is the one the last mark went to.
      const previous = touched.get(order[at - 1]);
      if (previous && undo(previous)) go(at - 1);
    }
  };
  const stopKeys = screenKeys(
    view,
    [
      ["c / n / u", "mark clean / noisy / unsure and go on"],
      ["t", "mark clean and typical and go on"],
      ["→ / j", "next in the queue"],
      ["← / k", "previous in the queue"],
      ["z", "undo my mark on the previous sample and go back to it"],
    ],
    onKey,
  );
  view.replaceChildren(
    h("h1", {}, "Review next"),
    picker,
    h("div", { class: "toolbar" }, status, onlyDisagreements, resume),
    body,
  );
  await restart(at);
  return () => {
    stopKeys();
    stop();
  };
}
