// The expert's main screen: sample cards, filters, keyboard marking. The cards are drawn by
// grid-cards.js, the filter bar by grid-filters.js; this is the grid between them: its
// pages, the focus, the keys and the way to a sample's page and back.
import { api } from "./api.js";
import { redrawImages, sampleCard } from "./grid-cards.js";
import { filterBar, loadFilters, saveFilters } from "./grid-filters.js";
import { shownRelabel } from "./relabel.js";
import {
  changeFilter,
  clampFocus,
  columnsOf,
  dropUnknownRun,
  GRID_KEYS,
  keyMove,
  NONE_MATCH,
  PAGE,
  apiQuery,
  returnTrail,
  shownText,
} from "./grid-state.js";
import { mark, onMarksChanged, undo } from "./marks.js";
import { h, screenKeys, toast } from "./ui.js";
import { keyVerdict } from "./vocabulary.js";

// The sample last opened from the grid (and the grid's order), to come back to it.
export const RETURN_KEY = "meclean.grid-return";

export async function showGrid(state) {
  const view = document.getElementById("view");
  const filters = loadFilters();
  const runs = (await api("/api/runs", { query: { dataset_id: state.dataset.id } })).filter((r) => r.has_results);
  dropUnknownRun(filters, runs);
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
    changeFilter(filters, key, value);
    saveFilters(filters);
    reload();
  };
  function redrawRenders() {
    saveFilters(filters);
    redrawImages(grid, filters);
  }
  const bar = filterBar(state.dataset, runs, filters, { setFilter, redrawRenders });
  view.replaceChildren(
    bar,
    shownRelabel(
      state,
      () => samples.map((s) => s.id),
      reload,
      () => total,
    ),
    status,
    grid,
    sentinel,
  );

  // What a card needs of the grid.
  const around = {
    filters,
    me: () => state.me.name,
    focus: () => focus,
    focusOn: (index) => setFocus(index),
    open: (sample) => open(sample),
  };
  const card = (sample, index) => sampleCard(sample, index, around);

  function open(sample) {
    const trail = returnTrail({
      hash: location.hash,
      id: sample.id,
      ids: samples.map((s) => s.id),
      cursor: done ? null : cursor,
      total,
      datasetId: state.dataset.id,
      filters,
    });
    sessionStorage.setItem(RETURN_KEY, JSON.stringify(trail));
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
        query: { ...apiQuery(filters), cursor, limit: PAGE },
      });
      if (mine !== generation) return;
      const start = samples.length;
      samples.push(...page.items);
      grid.append(...page.items.map((s, k) => card(s, start + k)));
      cursor = page.next_cursor;
      done = cursor === null;
      if (page.total !== null && page.total !== undefined) total = page.total;
      status.textContent = shownText(samples.length, total);
      if (start === 0 && samples.length) setFocus(0);
      if (!samples.length) status.textContent = NONE_MATCH;
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
    focus = clampFocus(index, samples.length);
    for (const el of grid.querySelectorAll(".card[tabindex='0']")) el.tabIndex = -1;
    const el = grid.children[focus];
    el.tabIndex = 0;
    el.focus();
    el.scrollIntoView({ block: "nearest" });
    if (focus > samples.length - 10) loadMore();
  }

  const columns = () => (grid.children[0] ? columnsOf([...grid.children].map((c) => c.offsetTop)) : 1);

  function onKey(event) {
    if (event.target.closest("input, textarea, select, dialog[open]") || event.ctrlKey || event.metaKey || event.altKey)
      return;
    const move = keyMove(event.key, columns());
    if (move !== undefined) {
      event.preventDefault();
      setFocus(focus + move);
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
  const stopKeys = screenKeys(view, GRID_KEYS, onKey);
  if (view.isConnected) saveFilters(filters); // the address is the shown screen's
  await loadMore();
  await returnToLastSample();
  return () => {
    stopKeys();
    observer.disconnect();
    stopListening();
  };
}
