// Review next: one sample at a time, the most suspicious labels first (by the chosen runs'
// out-of-fold loss, flag rate and label quality, by experts who disagree and by what the
// coded action units say; before any run, by the last two), with why a run flagged it. Marking by keyboard moves on to the next sample. The sample shown is drawn
// by triage-sample.js and triage-why.js; this is the queue: runs picked, position, keys.
import { api, ApiError } from "./api.js";
import { canCurate } from "./format.js";
import { mark, onMarksChanged, undo } from "./marks.js";
import { sampleShown } from "./triage-sample.js";
import { signalPicker } from "./triage-signals.js";
import {
  chosenFromAddress,
  endText,
  knownRuns,
  MAX_RUNS,
  OFFERED_RUNS,
  queueStep,
  runChoiceText,
  statusText,
  toggledRuns,
  TRIAGE_KEYS,
  triageAddress,
} from "./triage-text.js";
import { h, screenKeys } from "./ui.js";
import { keyVerdict } from "./vocabulary.js";

export async function showTriage(state) {
  const view = document.getElementById("view");
  const runs = (await api("/api/runs", { query: { dataset_id: state.dataset.id } })).filter((r) => r.has_results);
  let { runs: chosen, at, disagreement } = chosenFromAddress(location.hash);
  // The signals that rank the queue ([]: every one it has), and those it has.
  const ranking = { signals: [] };
  const signals = h("div", { id: "triage-signals" });
  // None chosen: the server judges by its best finished run (composite UF1).
  chosen = knownRuns(chosen, runs);
  // The queue's order as it was when opened: a mark can move samples (experts who
  // disagree raise one), so the reviewer steps through this snapshot, sample by sample.
  let order = [];
  let queue = null;
  let item = null;
  // Samples marked here: their own copy holds my verdict, saved or on its way.
  const touched = new Map();

  const status = h("p", { class: "status", id: "triage-status", "aria-live": "polite" });
  const body = h("div", { id: "triage-item" });
  const picker = h(
    "fieldset",
    { class: "triage-runs" },
    h("legend", {}, `Judge by runs (up to ${MAX_RUNS})`),
    runs.slice(0, OFFERED_RUNS).map((r) =>
      h(
        "label",
        {},
        h("input", {
          type: "checkbox",
          value: r.id,
          checked: chosen.includes(r.id),
          onchange: (e) => {
            const next = toggledRuns(chosen, Number(e.target.value), e.target.checked);
            if (next === null) {
              e.target.checked = !e.target.checked;
              return;
            }
            chosen = next;
            restart(0);
          },
        }),
        runChoiceText(r),
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

  const query = (extra) => ({ run_id: chosen, disagreement, signal: ranking.signals, limit: 1, ...extra });

  async function restart(position) {
    const ask = ++asked;
    let snapshot;
    try {
      snapshot = await api(`/api/datasets/${state.dataset.id}/triage`, { query: query({ with_order: true }) });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409) throw error;
      view.replaceChildren(h("h1", {}, "Review next"), h("p", { class: "empty" }, error.message));
      return;
    }
    if (ask !== asked) return;
    if (!signals.childElementCount) signals.append(signalPicker(snapshot.signals, ranking, () => restart(0)));
    order = snapshot.order;
    chosen = snapshot.run_ids;
    for (const box of picker.querySelectorAll("input")) box.checked = chosen.includes(Number(box.value));
    go(position ?? snapshot.next_unreviewed ?? order.length);
  }

  function go(position) {
    if (!view.isConnected) return; // the expert left this screen while it loaded
    at = Math.max(0, Math.min(position, order.length));
    history.replaceState(null, "", triageAddress(chosen, at, disagreement));
    load();
  }

  const describeStatus = () => (status.textContent = statusText(at, order.length, queue));

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
    const why = next && chosen.length ? await api(`/api/runs/${chosen[0]}/samples/${next.sample.id}/why`) : null;
    if (ask !== asked) return;
    queue = answer;
    item = next;
    loading = false;
    describeStatus();
    if (saves !== savesBefore) refreshCounts();
    if (!item) {
      body.replaceChildren(h("p", { class: "empty" }, endText(disagreement, order.length)));
      return;
    }
    if (touched.has(item.sample.id)) item.sample = touched.get(item.sample.id);
    body.replaceChildren(...sampleShown(item, why, chosen[0], decide, canCurate(state.me)));
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
    const step = queueStep(event.key, at, order.length);
    if (chosen) decide(...chosen);
    else if (step) go(at + step);
    else if (event.key === "z" && at > 0) {
      // The sample before this one in the snapshot is the one the last mark went to.
      const previous = touched.get(order[at - 1]);
      if (previous && undo(previous)) go(at - 1);
    }
  };
  const stopKeys = screenKeys(view, TRIAGE_KEYS, onKey);
  view.replaceChildren(
    h("h1", {}, "Review next"),
    runs.length ? picker : "",
    signals,
    h("div", { class: "toolbar" }, status, onlyDisagreements, resume),
    body,
  );
  await restart(at);
  return () => {
    stopKeys();
    stop();
  };
}
