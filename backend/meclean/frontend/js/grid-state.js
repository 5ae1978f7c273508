// Pure helpers (no DOM) of the Samples screen: the filters kept in the address and on this
// browser, the samples API's query, the filters' choices, the cards' texts, the keyboard's
// moves and the order handed to the sample page. Unit-tested with node --test (tests/js/).
import { fixed, sourceName } from "./format.js";

export const PAGE = 60;
export const RENDERS = [
  ["triptych", "Vx | Vy | strain"],
  ["flow", "Colour flow"],
  ["arrows", "Arrows on apex"],
];
export const SORTS = [
  ["name", "Sort: name"],
  ["loss", "Sort: run's loss"],
  ["flag_rate", "Sort: flag rate"],
];

export const DEFAULTS = {
  source: "",
  label: "",
  subject: "",
  verdict: "",
  disagreement: false,
  au: "",
  au_support: "",
  run_id: "",
  flagged: false,
  sort: "name",
  kind: "triptych",
  shared: false,
};
// Without a run, the filters that need one go back to their defaults.
const WITHOUT_RUN = { run_id: "", flagged: false, sort: "name" };

// The filters last used on this browser (localStorage).
export const FILTERS_KEY = "meclean.filters";

/** The filters of address `hash` (#/samples?label=positive&...), so that a view can be
 * bookmarked or shared; without any there, those `stored()` (JSON) on this browser. */
export function filtersFrom(hash, stored) {
  const query = hash.split("?")[1];
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
    return { ...DEFAULTS, ...JSON.parse(stored() ?? "{}") };
  } catch {
    return { ...DEFAULTS };
  }
}

/** The Samples screen's address for `filters`: only those not at their defaults. */
export function samplesAddress(filters) {
  const changed = Object.entries(filters).filter(([k, v]) => v !== DEFAULTS[k] && v !== "");
  const query = new URLSearchParams(changed.map(([k, v]) => [k, String(v)])).toString();
  return `#/samples${query ? `?${query}` : ""}`;
}

/** Sets filter `key` of `filters` (in place, and returns them); no run drops the run's filters. */
export function changeFilter(filters, key, value) {
  filters[key] = value;
  if (key === "run_id" && !value) Object.assign(filters, { flagged: false, sort: "name" });
  return filters;
}

/** Drops (in place) the run of `filters` when it is none of `runs` (those with results). */
export function dropUnknownRun(filters, runs) {
  if (filters.run_id && !runs.some((r) => String(r.id) === String(filters.run_id))) {
    Object.assign(filters, WITHOUT_RUN);
  }
  return filters;
}

/** The samples API's query for `filters` (the render options are the grid's own). */
export const apiQuery = (filters) => ({
  ...filters,
  kind: undefined,
  shared: undefined,
  run_id: filters.run_id || undefined,
  flagged: filters.flagged || undefined,
});

// The filters' choices, as [value, text] for ui.select.
export const sourceChoices = (sources) => [
  ["", "All datasets"],
  ...Object.keys(sources).map((s) => [s, sourceName(s)]),
];
/** The subjects to suggest, as [subject, source]: the chosen source's, or every source's. */
export const subjectChoices = (bySource, source) =>
  Object.entries(bySource)
    .filter(([name]) => !source || name === source)
    .flatMap(([name, subjects]) => subjects.map((subject) => [subject, name]));
export const labelChoices = (classes) => [["", "All labels"], ...classes.map((c) => [c, c])];
export const verdictFilterChoices = (verdicts) => [
  ["", "Any verdict of mine"],
  ["unmarked", "Unmarked by me"],
  ...verdicts.map((verdict) => [verdict, `I marked ${verdict}`]),
];
export const auSupportChoices = [
  ["", "Any AU evidence"],
  ["supported", "AUs support the label"],
  ["contested", "AUs make another class likelier"],
  ["disputed", "AUs dispute the label"],
  ["unjudged", "AUs cannot judge"],
];
export const runChoices = (runs) => [["", "No run"], ...runs.map((r) => [r.id, `Run ${r.id} (${r.method.name})`])];

/** A card's heading, and its name for screen readers. */
export const cardTitle = (sample) => `${sample.label} | ${sample.subject} | ${sample.name}`;
export const cardName = (sample) => `${sample.label} ${sample.subject} ${sample.name}`;

/** A mark's badge: its class, title and text (mine without my name). */
export function badgeOf(m, mine) {
  const text = m.verdict + (m.typical ? " ★" : "");
  return {
    class: `badge ${m.verdict}${mine ? " mine" : ""}`,
    title: `${m.user}: ${text}${m.note ? ` (${m.note})` : ""}`,
    text: mine ? text : `${m.user}: ${text}`,
  };
}

/** The chosen run's numbers of a sample, or null where the samples came without. */
export function runNumbersText(runId, sample) {
  if (sample.run_loss === null || sample.run_loss === undefined) return null;
  return `run ${runId}: loss ${fixed(sample.run_loss, 3)}, flag rate ${fixed(sample.run_flag_rate, 2)}`;
}

const AU_VERDICT_SUFFIX = { disputed: " · disputes the label", contested: " · leans away from the label" };

/** A card's line of AUs as the sheet coded them, or null where it codes none; `disputed`
 * when they dispute the current label. */
export function auLine(sample) {
  if (!sample.action_units) return null;
  const support = sample.au_support === null ? "" : ` (label ${fixed(sample.au_support, 2)} given them)`;
  return {
    text: `AU ${sample.action_units}${AU_VERDICT_SUFFIX[sample.au_verdict] ?? ""}`,
    title: `Action units coded in the sheet${support}`,
    disputed: sample.au_disputed,
  };
}

/** Whether a verdict button stands for my mark. */
export const isMyVerdict = (myMark, verdict, typical) =>
  myMark?.verdict === verdict && Boolean(myMark?.typical) === typical;

export const shownText = (shown, total) => `${shown} of ${total} samples shown`;
export const NONE_MATCH = "No sample matches these filters. “Reset filters” shows them all.";

/** How far a key moves the focus (`columns` cards a row), or undefined for other keys. */
export function keyMove(key, columns) {
  const moves = { ArrowRight: 1, l: 1, j: 1, ArrowLeft: -1, h: -1, k: -1, ArrowDown: columns, ArrowUp: -columns };
  return key in moves ? moves[key] : undefined;
}

/** The cards a row holds, from the cards' offsetTop in order. */
export const columnsOf = (tops) => tops.filter((top) => top === tops[0]).length || 1;

/** The focus index kept within `count` cards. */
export const clampFocus = (index, count) => Math.max(0, Math.min(index, count - 1));

/** What the sample page gets to come back: the grid's order and where its next page starts,
 * for its previous and next (which go on past the cards loaded here). */
export const returnTrail = ({ hash, id, ids, cursor, total, datasetId, filters }) => ({
  hash,
  id,
  ids,
  cursor,
  total,
  url: `/api/datasets/${datasetId}/samples`,
  query: apiQuery(filters),
});

export const GRID_KEYS = [
  ["← / h / k", "previous sample"],
  ["→ / l / j", "next sample"],
  ["↑ ↓", "row above / below"],
  ["Enter", "open the sample"],
  ["c", "mark clean"],
  ["n", "mark noisy"],
  ["u", "mark unsure"],
  ["t", "mark clean and typical"],
  ["z", "undo my last mark"],
];
