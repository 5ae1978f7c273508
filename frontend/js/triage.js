// Review next: one sample at a time, the most suspicious labels first (by the chosen runs'
// out-of-fold loss, flag rate and label quality, and by experts who disagree), with why a
// run flagged it. Marking by keyboard moves on to the next sample.
import { api, render } from "./api.js";
import { KEY_VERDICTS, isUnsaved, mark, onMarksChanged, undo } from "./marks.js";
import { fixed, h, plural, setShortcuts } from "./ui.js";

const percent = (share) => `${Math.round(100 * share)}%`;

function chosenFromAddress() {
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const runs = (params.get("runs") ?? "").split(",").filter(Boolean).map(Number);
  return { runs, at: Number(params.get("at") ?? 0), disagreement: params.get("disagreement") === "true" };
}

function address(runs, at, disagreement) {
  return `#/triage?runs=${runs.join(",")}&at=${at}${disagreement ? "&disagreement=true" : ""}`;
}

function signalsTable(item) {
  const s = item.signals;
  const row = (name, value, meaning) => h("tr", {}, h("th", {}, name), h("td", {}, value), h("td", {}, meaning));
  return h(
    "table",
    { class: "signals", "aria-label": "Why it is this far up" },
    row("Out-of-fold loss", fixed(s.loss), "of its current label, where its own label never trained the model"),
    row("Flag rate", percent(s.flag_rate), "of its training updates that judged it noisy"),
    row("Label quality", fixed(s.label_quality), "confident learning's margin: near 0, another class is preferred"),
    row("Experts", s.disagreement ? "disagree" : "no disagreement", "clean and noisy verdicts of different experts"),
    row("Suspicion", fixed(item.score), "mean percentile of the four: 1 is the most suspicious sample"),
  );
}

function whyPanel(why, runId) {
  const probabilities = why.probabilities.map((p, k) => `${["negative", "positive", "surprise"][k]} ${fixed(p, 2)}`);
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
            h("span", { class: n.label === why.given ? "same" : "other" }, `${n.label} (predicted ${n.prediction})`),
          ),
        ),
      )
    : h("p", {}, "No neighbours: this run kept no final model.");
  return h(
    "section",
    { class: "why", id: "why", "aria-label": "Why flagged" },
    h("h2", {}, `Why run ${runId} judged it so`),
    h(
      "p",
      {},
      `Given ${why.given}, predicted ${why.prediction} (${probabilities.join(", ")})`,
      why.seed_predictions?.length > 1 ? `; per seed: ${why.seed_predictions.join(", ")}` : "",
      why.proposed_label ? `; ILC proposes ${why.proposed_label}` : "",
      ".",
    ),
    h(
      "p",
      {},
      `Its loss is above ${percent(why.loss_percentile_in_class)} of the ${why.class_size} samples labelled ${why.given} `,
      `and ${percent(why.loss_percentile_in_subject)} of its subject's ${why.subject_size}; flagged in ${percent(why.flag_rate)} `,
      `of its updates${why.high_loss ? "; high loss in the final model" : ""}${why.label_issue ? "; a confident-learning issue" : ""}.`,
    ),
    h("p", { class: "hint" }, "Loss over epochs: this run did not store it."),
    h("h3", {}, "Nearest in the network's hidden space"),
    neighbours,
  );
}

export async function showTriage(state) {
  const view = document.getElementById("view");
  const runs = (await api("/api/runs", { query: { dataset_id: state.dataset.id } })).filter(
    (r) => r.status === "succeeded",
  );
  if (!runs.length) {
    view.replaceChildren(
      h("h1", {}, "Review next"),
      h("p", { class: "empty" }, "No run has finished on this dataset yet: launch one from Runs first."),
    );
    return;
  }
  let { runs: chosen, at, disagreement } = chosenFromAddress();
  chosen = chosen.filter((id) => runs.some((r) => r.id === id));
  if (!chosen.length) chosen = [runs[0].id];
  let item = null;
  // Samples marked here whose save may not have reached the server yet: their own copy
  // holds my verdict until it has.
  const touched = new Map();

  const status = h("p", { class: "status", id: "triage-status", "aria-live": "polite" });
  const body = h("div", { id: "triage-item" });
  const picker = h(
    "fieldset",
    { class: "triage-runs" },
    h("legend", {}, "Judge by runs"),
    runs.slice(0, 8).map((r) =>
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
            if (!next.length) {
              e.target.checked = true;
              return;
            }
            chosen = next;
            go(0);
          },
        }),
        ` run ${r.id} (${r.method.name}, ${r.epochs} epochs)`,
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
        go(0);
      },
    }),
    " Only samples the experts disagree on",
  );
  const resume = h("button", { type: "button", onclick: () => go(queue.next_unreviewed ?? 0) }, "My first unreviewed");
  let queue = null;

  function go(position) {
    history.replaceState(null, "", address(chosen, position, disagreement));
    at = position;
    load();
  }

  function describeStatus() {
    status.textContent =
      `Sample ${at + 1} of ${queue.total} in the queue · ${plural(queue.reviewed, "sample")} reviewed by me · ` +
      `${queue.flagged_unreviewed} of ${plural(queue.flagged, "flagged sample")} not yet reviewed by me`;
  }

  // Keys can move faster than answers come: only the last move's answers are shown.
  let asked = 0;
  async function load() {
    const ask = ++asked;
    const answer = await api(`/api/datasets/${state.dataset.id}/triage`, {
      query: { run_id: chosen, disagreement, offset: at, limit: 1 },
    });
    if (ask !== asked) return;
    queue = answer;
    item = queue.items[0] ?? null;
    describeStatus();
    if (!item) {
      body.replaceChildren(
        h(
          "p",
          { class: "empty" },
          disagreement && !queue.total ? "No sample the experts disagree on." : "The end of the queue.",
        ),
      );
      return;
    }
    const local = touched.get(item.sample.id);
    if (local && isUnsaved(local.id)) item.sample = local;
    const sample = item.sample;
    const verdict = h(
      "p",
      { class: "my-mark" },
      h("strong", {}, "My verdict: "),
      sample.my_mark ? sample.my_mark.verdict : "unmarked",
    );
    const why = await api(`/api/runs/${chosen[0]}/samples/${sample.id}/why`);
    if (ask !== asked) return;
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
      verdict,
      h(
        "div",
        { class: "actions" },
        ["clean", "noisy", "unsure"].map((v) =>
          h(
            "button",
            { type: "button", onclick: () => decide(v, false) },
            `${v[0].toUpperCase()}${v.slice(1)} (${v[0]})`,
          ),
        ),
        h("a", { href: `#/sample/${sample.id}` }, "Open the sample page"),
      ),
      signalsTable(item),
      whyPanel(why, chosen[0]),
    );
  }

  function decide(verdict, typical) {
    if (!item) return;
    mark(item.sample, verdict, typical);
    touched.set(item.sample.id, item.sample);
    go(at + 1);
  }

  const stop = onMarksChanged((_, how) => {
    if (how !== "saved" || !queue) return;
    api(`/api/datasets/${state.dataset.id}/triage`, { query: { run_id: chosen, disagreement, offset: at, limit: 1 } })
      .then((fresh) => {
        Object.assign(queue, { ...fresh, items: queue.items });
        describeStatus();
      })
      .catch(() => {});
  });
  const onKey = (event) => {
    if (event.target.closest("input, textarea, select, dialog[open]") || event.ctrlKey || event.metaKey || event.altKey)
      return;
    if (event.key in KEY_VERDICTS) decide(...KEY_VERDICTS[event.key]);
    else if ((event.key === "j" || event.key === "ArrowRight") && item) go(at + 1);
    else if ((event.key === "k" || event.key === "ArrowLeft") && at > 0) go(at - 1);
    else if (event.key === "z" && at > 0) {
      const back = at - 1;
      api(`/api/datasets/${state.dataset.id}/triage`, {
        query: { run_id: chosen, disagreement, offset: back, limit: 1 },
      }).then((previous) => {
        const undone = previous.items[0] && undo(previous.items[0].sample);
        if (!undone) return;
        touched.set(undone.id, undone);
        go(back);
      });
    }
  };
  document.addEventListener("keydown", onKey);
  setShortcuts([
    ["c / n / u", "mark clean / noisy / unsure and go on"],
    ["t", "mark clean and typical and go on"],
    ["→ / j", "next in the queue"],
    ["← / k", "previous in the queue"],
    ["z", "undo my mark on the previous sample and go back to it"],
  ]);
  view.replaceChildren(
    h("h1", {}, "Review next"),
    picker,
    h("div", { class: "toolbar" }, status, onlyDisagreements, resume),
    body,
  );
  await load();
  return () => {
    document.removeEventListener("keydown", onKey);
    stop();
  };
}
