// The Samples screen's filters: kept in the address and on this browser, and their bar:
// which samples (dataset, label, subject, my verdict, experts who disagree, a run and its
// flags and order) and how their cards draw them.
import {
  FILTERS_KEY,
  filtersFrom,
  labelChoices,
  auSupportChoices,
  RENDERS,
  runChoices,
  samplesAddress,
  SORTS,
  sourceChoices,
  subjectChoices,
  verdictFilterChoices,
} from "./grid-state.js";
import { sourceName } from "./format.js";
import { auField, h, select } from "./ui.js";
import { verdicts } from "./vocabulary.js";

// Filters live in the address (#/samples?label=positive&...), so a view can be bookmarked
// or shared; without any there, the last ones used on this browser.
export const loadFilters = () => filtersFrom(location.hash, () => localStorage.getItem(FILTERS_KEY));

// Every filter back to its default, here and in what this browser remembers.
function resetFilters() {
  localStorage.removeItem(FILTERS_KEY);
  if (location.hash === "#/samples") window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = "#/samples";
}

export function saveFilters(filters) {
  localStorage.setItem(FILTERS_KEY, JSON.stringify(filters));
  history.replaceState(null, "", samplesAddress(filters));
}

const checkbox = (name, checked, onchange, text, title) =>
  h(
    "label",
    title === undefined ? {} : { title },
    h("input", { type: "checkbox", name, checked, onchange: (e) => onchange(e.target.checked) }),
    text,
  );

/** The filter bar of `filters` (changed in place) for `dataset` and its `runs` with results:
 * `setFilter(key)(value)` applies a samples' filter, `redrawRenders()` a render option. */
export function filterBar(dataset, runs, filters, { setFilter, redrawRenders }) {
  // A run's own filters, shown while a run is chosen.
  const runFilters = h("span", { class: "run-filters" });
  const drawRunFilters = () =>
    runFilters.replaceChildren(
      ...(filters.run_id
        ? [
            checkbox("flagged", filters.flagged, setFilter("flagged"), " flagged by the run"),
            select("sort", SORTS, filters.sort, setFilter("sort")),
          ]
        : []),
    );
  drawRunFilters();
  // The chosen source's subjects, each named with its source, follow the source chosen.
  const subjects = h("datalist", { id: "subjects" });
  const suggestSubjects = () =>
    subjects.replaceChildren(
      ...subjectChoices(dataset.subjects_by_source ?? {}, filters.source).map(([subject, source]) =>
        h("option", { value: subject, label: sourceName(source) }),
      ),
    );
  suggestSubjects();
  const chooseSource = (value) => {
    setFilter("source")(value);
    suggestSubjects();
  };
  return h(
    "form",
    { class: "filters", "aria-label": "Filters", onsubmit: (e) => e.preventDefault() },
    h("button", { type: "button", class: "reset-filters", onclick: resetFilters }, "Reset filters"),
    select("source", sourceChoices(dataset.sources), filters.source, chooseSource),
    select("label", labelChoices(dataset.classes), filters.label, setFilter("label")),
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
    subjects,
    select("verdict", verdictFilterChoices(verdicts()), filters.verdict, setFilter("verdict")),
    checkbox("disagreement", filters.disagreement, setFilter("disagreement"), " experts disagree"),
    auField(filters.au, setFilter("au"), "Only samples whose sheet codes this action unit"),
    select("au_support", auSupportChoices, filters.au_support, setFilter("au_support")),
    select("run_id", runChoices(runs), filters.run_id, (v) => {
      setFilter("run_id")(v);
      drawRunFilters();
    }),
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
    checkbox(
      "shared",
      filters.shared,
      (checked) => {
        filters.shared = checked;
        redrawRenders();
      },
      " one colour scale",
      "Colour limits of the whole dataset instead of each sample's own, so that cards compare",
    ),
  );
}
