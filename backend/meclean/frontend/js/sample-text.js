// Pure helpers (no DOM) of the Sample screen: its panels, headings and keys, the clip's
// frames, the marks' and notes' texts, the tables' cells as data. Unit-tested with node
// --test (tests/js/).
import { fixed, sourceName } from "./format.js";

// The frames and flow shown side by side: the render's kind and its title.
export const FRAME_PANELS = [
  ["onset", "Onset"],
  ["apex", "Apex"],
  ["vx", "Vx"],
  ["vy", "Vy"],
  ["strain", "Optical strain"],
  ["flow", "Colour-coded flow"],
  ["arrows", "Flow on the apex frame"],
];

// The keys that move along the grid's order.
export const MOVES = { ArrowLeft: "previous", k: "previous", ArrowRight: "next", j: "next" };

// The keys the help lists: marking always, moving only when opened from the grid.
export function sampleKeys(withNeighbours) {
  return [
    ["c", "mark clean"],
    ["n", "mark noisy"],
    ["u", "mark unsure"],
    ["t", "mark clean and typical"],
    ["z", "undo my last mark"],
    ...(withNeighbours
      ? [
          ["← / k", "previous sample of the grid"],
          ["→ / j", "next sample of the grid"],
        ]
      : []),
  ];
}

// Where the sample stands in the grid's order, e.g. " 3 of 120 ".
export const positionText = (at, from) => ` ${at + 1} of ${from.total ?? from.ids.length} `;

// The link back: to the projection when the page was opened from a run's, else the grid.
export const backText = (back) =>
  back.startsWith("#/runs") ? "← Projection" : back.startsWith("#/triage") ? "← Review next" : "← Samples";

export const sampleHeading = (sample) => `${sample.label} | ${sample.subject} | ${sample.name}`;

export const sampleIntro = (sample) =>
  `${sample.source}, emotion “${sample.emotion}”${sample.objective_class ? ` (objective class ${sample.objective_class})` : ""}, originally ${sample.original_label}; apex ${sample.apex_source}.`;

export const faceText = (face) =>
  face ? `Frames ${face} (face found on the onset frame).` : "Frames used whole (no face crop).";

// The means are drawn on their own colour scale: a mean is smoother and weaker than any
// one sample, so on the sample's scale it would look empty.
export const classMeansCaption = (source, classes) =>
  `Class means of ${sourceName(source)} (rows: ${classes.join(", ")}; columns: Vx, Vy, strain), ` +
  "on their own colour scale, not the sample's";

// The clip's frames as addresses, and the words of one frame.
export const CLIP_FPS = 12;
export const clipFrames = (sampleId, count) =>
  Array.from({ length: count }, (_, i) => `/api/samples/${sampleId}/clip/${i}?size=200`);
export const clipFrameAlt = (i, name) => `frame ${i + 1} of the clip of ${name}`;
export const clipCaption = (until, count) => `Onset to ${until}, ${count} frames`;

// A verdict in words: "clean (typical)", "noisy".
export const verdictText = (mark) => `${mark.verdict}${mark.typical ? " (typical)" : ""}`;

export const myVerdictText = (mine) =>
  mine
    ? `${verdictText(mine)}${mine.on_another_label ? ` (on ${mine.judged_label}, the label before)` : ""}`
    : "unmarked";

/** A verdict with what it says the label should be, and the label it judged if the
 * sample was relabelled since. */
export function markVerdictText(mark) {
  const should = mark.should_be ? `, should be ${mark.should_be}` : "";
  const since = mark.on_another_label ? ` (judged ${mark.judged_label}; relabelled since)` : "";
  return `${verdictText(mark)}${should}${since}`;
}

export const NOTE_WITHOUT_VERDICT = "Not saved: a note is saved with a verdict (c, n, u or t).";
export const NOTE_SAVING = "Saving the note…";
export const noteEditedText = (unchanged) => (unchanged ? "" : "Note not saved yet (saved on leaving the box).");

// The note's line once a mark of this sample was saved or not (`how`), given whether the
// box still holds the note saved and what the line says: its new text, or null to leave it.
export function noteStatusAfter(how, unchanged, shown) {
  if (how === "failed" || how === "conflict") return unchanged ? "" : "Note not saved.";
  if (how === "saved" && unchanged && shown) return "Note saved.";
  return null;
}

export const marksCaption = (withheld) =>
  withheld ? "Marking is blind on this dataset: the experts' marks show once you give yours" : "All experts' marks";

export const MARKS_HEADER = ["Expert", "Verdict", "Note", "When"];
export const markCells = (mark) => [
  mark.user,
  markVerdictText(mark),
  mark.note,
  new Date(mark.created_at).toLocaleString(),
];

export const HISTORY_HEADER = ["Version", "Label", "Why"];
export const historyCells = (entry) => [entry.version_id, entry.label, entry.reason];

export const runsHeader = (classes) => [
  "Run",
  "Method",
  "Prediction",
  ...classes.map((c) => `p(${c})`),
  "Flag rate (training)",
  "Loss (final model)",
  "Proposed relabel",
];

// A run's cells after the first (the run's link).
export const runCells = (run) => [
  run.method,
  run.prediction,
  ...run.probabilities.map((p) => fixed(p, 2)),
  fixed(run.flag_rate, 2),
  fixed(run.final_loss, 3),
  run.proposed_label ?? "–",
];
