// Pure helpers (no DOM): names, colours, numbers and texts the screens show. Unit-tested
// with node --test (tests/js/).

// Okabe-Ito colours: told apart with the common colour-vision deficiencies.
const CLASS_COLOURS = { negative: "#0072B2", positive: "#009E73", surprise: "#E69F00" };
const MORE_COLOURS = ["#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
// How the known source datasets are written; any other (a manifest's) is shown as named.
const SOURCE_NAMES = {
  casme2: "CASME II",
  samm: "SAMM",
  smic: "SMIC-HS",
  casme3a: "CAS(ME)³ A",
  "4dme": "4DME",
  mmew: "MMEW",
  composite: "Composite",
};

export function classColour(label, index) {
  return CLASS_COLOURS[label] ?? MORE_COLOURS[index % MORE_COLOURS.length];
}

export function sourceName(source) {
  return SOURCE_NAMES[source] ?? source;
}

// The composite, then each source dataset the chosen dataset holds (from the API).
export function groupsOf(dataset) {
  return ["composite", ...Object.keys(dataset.sources)];
}
export const FLAG_COLOUR = "#CC0000";

/** Text Plotly shows as written. Plotly renders a subset of HTML in hover text, legends
 * and titles: a sample or subject named `<a href=…>` would become a live link. */
export function plotlyText(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function fixed(value, digits = 3) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
    : s >= 60
      ? `${Math.floor(s / 60)} min ${s % 60} s`
      : `${s} s`;
}

export function canCurate(me) {
  return me.role === "curator" || me.role === "admin";
}

/** A finished run as a choice of the model cleanlab weighs the experts against: its UF1,
 * and whether it trained on the experts' marks (then judging them by it is circular). */
export function referenceName(run) {
  const uf1 = run.summary?.composite?.uf1_mean;
  return (
    `run ${run.id}: ${run.method.name}` +
    (uf1 === undefined || uf1 === null ? "" : `, UF1 ${fixed(uf1, 3)}`) +
    (run.clean_set_from ? ", trained on the experts' marks (circular)" : "")
  );
}

/** "1 relabel", "3 relabels". */
export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

// The verdict buttons and keys, from the API's verdicts: each by its first letter, and
// "typical" (a clean verdict with its typical flag) by t.
export function verdictChoices(verdicts) {
  const choices = verdicts.map((verdict) => ({
    verdict,
    typical: false,
    label: verdict[0].toUpperCase() + verdict.slice(1),
    key: verdict[0],
  }));
  if (verdicts.includes("clean")) choices.push({ verdict: "clean", typical: true, label: "Typical", key: "t" });
  return choices;
}
