// The expert's main screen: sample cards, filters, keyboard marking.
import { api, render } from "./api.js";
import { isUnsaved, mark, onMarksChanged, undo } from "./marks.js";
import { fixed, sourceName } from "./format.js";
import { h, select, screenKeys, toast } from "./ui.js";
import { choicesOfVerdict, keyVerdict, verdicts } from "./vocabulary.js";

const PAGE = 60;
const RENDERS = [
  ["triptych", "Vx | Vy | strain"],
  ["flow", "Colour flow"],
  ["arrows", "Arrows on apex"],
];

const DEFAULTS = {
  source: "",
  label: "",
  subject: "",
  verdict: "",
  disagreement: false,
  run_id: "",
  flagged: false,
  sort: "name",
  kind: "triptych",
  shared: false,
};

// Filters live in the address (#/samples?label=positive&...), so a view can be bookmarked
// or shared; without any there, the last ones used on this browser.
function loadFilters() {
  const query = location.hash.split("?")[1];
  if (query) {
    const params = new URLSearchParams(query);
    const filters = { ...DEFAULTS };
    for (const key of Object.keys(DEFAULTS)) {
      if (!params.has(key)) continue;
      filters[key] = typeof DEFAULTS[key] === "boolean" ? params.get(key) === "true" : params.get(key);
    }
    return filters;
  }
  try {
    return { ...DEFAULTS, ...JSON.parse(localStorage.getItem("meclean.filters") ?? "{}") };
  } catch {
    return { ...DEFAULTS };
  }
}

function saveFilters(filters) {
  localStorage.setItem("meclean.filters", JSON.stringify(filters));
  const changed = Object.entries(filters).filter(([k, v]) => v !== DEFAULTS[k] && v !== "");
  const query = new URLSearchParams(changed.map(([k, v]) => [k, String(v)])).toString();
  history.replaceState(null, "", `#/samples${query ? `?${query}` : ""}`);
}

// The sample last opened from the grid (and the grid's order), to come back to it.
export const RETURN_KEY = "meclean.grid-return";

export async function showGrid(state) {
  const view = document.getElementById("view");
  const filters = loadFilters();
  const runs = (await api("/api/runs", { query: { dataset_id: state.dataset.id } })).filter((r) => r.has_results);
  if (filters.run_id && !runs.some((r) => String(r.id) === String(filters.run_id))) {
    Object.assign(filters, { run_id: "", flagged: false, sort: "name" });
  }
  const grid = h("section", { class: "grid", id: "grid", "aria-label": "Samples" });
  const sentinel = h("div", { class: "sentinel" });
  const status = h("p", { class: "grid-status", "aria-live": "polite" });
  let samples = [];
  let cursor = null;
  let done = false;
  let loading = null;
  let focus = 0;
  let generation = 0;
  let total = 0;

  const setFilter = (key) => (value) => {
    filters[key] = value;
    if (key === "run_id" && !value) Object.assign(filters, { flagged: false, sort: "name" });
    saveFilters(filters);
    reload();
  };
  const runFilters = h("span", { class: "run-filters" });
  const drawRunFilters = () =>
    runFilters.replaceChildren(
      ...(filters.run_id
        ? [
            h(
              "label",
              {},
              h("input", {
                type: "checkbox",
                name: "flagged",
                checked: filters.flagged,
                onchange: (e) => setFilter("flagged")(e.target.checked),
              }),
              " flagged by the run",
            ),
            select(
              "sort",
              [
                ["name", "Sort: name"],
                ["loss", "Sort: run's loss"],
                ["flag_rate", "Sort: flag rate"],
              ],
              filters.sort,
              setFilter("sort"),
            ),
          ]
        : []),
    );
  drawRunFilters();
  const bar = h(
    "form",
    { class: "filters", "aria-label": "Filters", onsubmit: (e) => e.preventDefault() },
    select(
      "source",
      [["", "All datasets"], ...Object.keys(state.dataset.sources).map((s) => [s, sourceName(s)])],
      filters.source,
      setFilter("source"),
    ),
    select(
      "label",
      [["", "All labels"], ...state.dataset.classes.map((c) => [c, c])],
      filters.label,
      setFilter("label"),
    ),
    h(
      "label",
      {},
      "Subject ",
      h("input", {
        name: "subject",
        size: 8,
        value: filters.subject,
        list: "subjects",
        onchange: (e) => setFilter("subject")(e.target.value.trim()),
      }),
    ),
    h(
      "datalist",
      { id: "subjects" },
      (state.dataset.subjects ?? []).map((s) => h("option", { value: s })),
    ),
    select(
      "verdict",
      [
        ["", "Any verdict of mine"],
        ["unmarked", "Unmarked by me"],
        ...verdicts().map((verdict) => [verdict, `I marked ${verdict}`]),
      ],
      filters.verdict,
      setFilter("verdict"),
    ),
    h(
      "label",
      {},
      h("input", {
        type: "checkbox",
        name: "disagreement",
        checked: filters.disagreement,
        onchange: (e) => setFilter("disagreement")(e.target.checked),
      }),
      " experts disagree",
    ),
    select(
      "run_id",
      [["", "No run"], ...runs.map((r) => [r.id, `Run ${r.id} (${r.method.name})`])],
      filters.run_id,
      (v) => {
        setFilter("run_id")(v);
        drawRunFilters();
      },
    ),
    runFilters,
    select(
      "kind",
      RENDERS,
      filters.kind,
      (v) => {
        filters.kind = v;
        redrawRenders();
      },
      "Render ",
    ),
    h(
      "label",
      { title: "Colour limits of the whole dataset instead of each sample's own, so that cards compare" },
      h("input", {
        type: "checkbox",
        name: "shared",
        checked: filters.shared,
        onchange: (e) => {
          filters.shared = e.target.checked;
          redrawRenders();
        },
      }),
      " one colour scale",
    ),
  );
  function redrawRenders() {
    saveFilters(filters);
    for (const img of grid.querySelectorAll("img")) img.src = render(img.dataset.id, filters.kind, 150, filters.shared);
  }
  view.replaceChildren(bar, status, grid, sentinel);

  function badge(m, mine) {
    const text = m.verdict + (m.typical ? " ★" : "");
    return h(
      "span",
      { class: `badge ${m.verdict}${mine ? " mine" : ""}`, title: `${m.user}: ${text}${m.note ? ` (${m.note})` : ""}` },
      mine ? text : `${m.user}: ${text}`,
    );
  }

  function card(sample, index) {
    const others = sample.marks.filter((m) => m.user !== state.me.name);
    const mine = sample.my_mark
      ? badge({ ...sample.my_mark, user: state.me.name }, true)
      : h("span", { class: "badge unmarked mine" }, "unmarked");
    return h(
      "article",
      {
        class: `card${isUnsaved(sample.id) ? " unsaved" : ""}`,
        tabindex: index === focus ? 0 : -1,
        dataset: { id: sample.id, index },
        "aria-label": `${sample.label} ${sample.subject} ${sample.name}`,
        onclick: () => setFocus(index),
        ondblclick: () => open(sample),
      },
      h("h3", {}, `${sample.label} | ${sample.subject} | ${sample.name}`),
      h("img", {
        src: render(sample.id, filters.kind, 150, filters.shared),
        alt: `flow of ${sample.name}`,
        loading: "lazy",
        decoding: "async",
        height: 150,
        dataset: { id: sample.id },
      }),
      sample.run_loss !== null && sample.run_loss !== undefined
        ? h(
            "p",
            { class: "run-numbers" },
            `run ${filters.run_id}: loss ${fixed(sample.run_loss, 3)}, flag rate ${fixed(sample.run_flag_rate, 2)}`,
          )
        : "",
      h(
        "div",
        { class: "badges" },
        mine,
        others.map((m) => badge(m, false)),
        sample.agreement === false ? h("span", { class: "badge disagree" }, "disagree") : "",
      ),
      h(
        "div",
        { class: "mark-buttons", role: "group", "aria-label": `mark ${sample.name}` },
        choicesOfVerdict()
          .filter((c) => !c.typical)
          .map(({ verdict, typical, label: text }) =>
            h(
              "button",
              {
                type: "button",
                class: `small ${verdict}`,
                "aria-pressed": String(
                  sample.my_mark?.verdict === verdict && Boolean(sample.my_mark?.typical) === typical,
                ),
                onclick: (event) => {
                  event.stopPropagation();
                  setFocus(index);
                  mark(sample, verdict, typical);
                },
              },
              text,
            ),
          ),
      ),
    );
  }

  // The samples API's query for these filters (the render options are the grid's own).
  const apiQuery = () => ({
    ...filters,
    kind: undefined,
    shared: undefined,
    run_id: filters.run_id || undefined,
    flagged: filters.flagged || undefined,
  });

  function open(sample) {
    // The grid's order, and where its next page starts, for the sample page's previous
    // and next (which go on past the cards loaded here).
    const order = {
      ids: samples.map((s) => s.id),
      cursor: done ? null : cursor,
      total,
      url: `/api/datasets/${state.dataset.id}/samples`,
      query: apiQuery(),
    };
    sessionStorage.setItem(RETURN_KEY, JSON.stringify({ hash: location.hash, id: sample.id, ...order }));
    location.hash = `#/sample/${sample.id}`;
  }

  // Back from a sample page: the same filters, and the focus on the sample left from.
  async function returnToLastSample() {
    const back = JSON.parse(sessionStorage.getItem(RETURN_KEY) ?? "null");
    sessionStorage.removeItem(RETURN_KEY);
    if (!back || back.hash !== location.hash) return;
    let index = samples.findIndex((s) => s.id === back.id);
    while (index < 0 && !done) {
      await loadMore();
      index = samples.findIndex((s) => s.id === back.id);
    }
    if (index >= 0) {
      setFocus(index);
      grid.children[index].scrollIntoView({ block: "center" });
    }
  }

  function redraw(index) {
    const old = grid.children[index];
    if (!old) return;
    const hadFocus = old === document.activeElement;
    const fresh = card(samples[index], index);
    old.replaceWith(fresh);
    if (hadFocus) fresh.focus({ preventScroll: true });
  }

  async function loadMore() {
    if (done || loading) return loading;
    const mine = generation;
    loading = (async () => {
      const page = await api(`/api/datasets/${state.dataset.id}/samples`, {
        query: { ...apiQuery(), cursor, limit: PAGE },
      });
      if (mine !== generation) return;
      const start = samples.length;
      samples.push(...page.items);
      grid.append(...page.items.map((s, k) => card(s, start + k)));
      cursor = page.next_cursor;
      done = cursor === null;
      if (page.total !== null && page.total !== undefined) total = page.total;
      status.textContent = `${samples.length} of ${total} samples shown`;
      if (start === 0 && samples.length) setFocus(0);
      if (!samples.length) status.textContent = "No sample matches these filters.";
    })();
    try {
      await loading;
    } catch (error) {
      status.textContent = `Could not load samples: ${error.message}`;
    } finally {
      loading = null;
    }
  }

  function reload() {
    generation += 1;
    samples = [];
    cursor = null;
    done = false;
    focus = 0;
    grid.replaceChildren();
    loading = null;
    loadMore();
  }

  function setFocus(index) {
    if (!samples.length) return;
    focus = Math.max(0, Math.min(index, samples.length - 1));
    for (const el of grid.querySelectorAll(".card[tabindex='0']")) el.tabIndex = -1;
    const el = grid.children[focus];
    el.tabIndex = 0;
    el.focus();
    el.scrollIntoView({ block: "nearest" });
    if (focus > samples.length - 10) loadMore();
  }

  function columns() {
    const first = grid.children[0];
    if (!first) return 1;
    return [...grid.children].filter((c) => c.offsetTop === first.offsetTop).length || 1;
  }

  function onKey(event) {
    if (event.target.closest("input, textarea, select, dialog[open]") || event.ctrlKey || event.metaKey || event.altKey)
      return;
    const moves = { ArrowRight: 1, l: 1, j: 1, ArrowLeft: -1, h: -1, k: -1, ArrowDown: columns(), ArrowUp: -columns() };
    if (event.key in moves) {
      event.preventDefault();
      setFocus(focus + moves[event.key]);
    } else if (keyVerdict(event.key) && samples[focus]) {
      const [verdict, typical] = keyVerdict(event.key);
      mark(samples[focus], verdict, typical);
      setFocus(focus + 1);
    } else if (event.key === "z") {
      const sample = undo();
      const index = sample ? samples.indexOf(sample) : -1;
      if (index >= 0) setFocus(index);
    } else if (event.key === "Enter" && samples[focus]) {
      open(samples[focus]);
    }
  }

  const stopListening = onMarksChanged((sample, how) => {
    const index = samples.findIndex((s) => s.id === sample.id);
    if (index >= 0) {
      samples[index] = sample;
      redraw(index);
    }
    if (how === "retrying") toast("A mark is not saved yet; retrying", "error");
  });
  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) loadMore();
    },
    { rootMargin: "600px" },
  );
  observer.observe(sentinel);
  const stopKeys = screenKeys(
    view,
    [
      ["← / h / k", "previous sample"],
      ["→ / l / j", "next sample"],
      ["↑ ↓", "row above / below"],
      ["Enter", "open the sample"],
      ["c", "mark clean"],
      ["n", "mark noisy"],
      ["u", "mark unsure"],
      ["t", "mark clean and typical"],
      ["z", "undo my last mark"],
    ],
    onKey,
  );
  if (view.isConnected) saveFilters(filters); // the address is the shown screen's
  await loadMore();
  await returnToLastSample();
  return () => {
    stopKeys();
    observer.disconnect();
    stopListening();
  };
}
