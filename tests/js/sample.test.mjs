// The Sample screen's pure helpers (panels, headings, keys, the clip's frames, the marks' and
// notes' texts, the tables' cells), run by node --test in make test.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  backText,
  classMeansCaption,
  clipCaption,
  clipFrameAlt,
  clipFrames,
  faceText,
  FRAME_PANELS,
  historyCells,
  markCells,
  marksCaption,
  MOVES,
  myVerdictText,
  noteEditedText,
  noteStatusAfter,
  positionText,
  runCells,
  runsHeader,
  sampleHeading,
  sampleIntro,
  sampleKeys,
  verdictText,
} from "../../backend/meclean/frontend/js/sample-text.js";

const SAMPLE = {
  label: "positive",
  subject: "s01",
  name: "EP01_1",
  source: "casme2",
  emotion: "happiness",
  objective_class: null,
  original_label: "positive",
  apex_source: "annotated",
};

test("the panels show the onset, apex, flow components and drawings, in that order", () => {
  assert.deepEqual(
    FRAME_PANELS.map(([kind]) => kind),
    ["onset", "apex", "vx", "vy", "strain", "flow", "arrows"],
  );
  assert.equal(FRAME_PANELS[4][1], "Optical strain");
});

test("the keys' help lists the moves only when the page was opened from the grid", () => {
  const alone = sampleKeys(false);
  assert.deepEqual(
    alone.map(([key]) => key),
    ["c", "n", "u", "t", "z"],
  );
  assert.deepEqual(sampleKeys(true).slice(5), [
    ["← / k", "previous sample of the grid"],
    ["→ / j", "next sample of the grid"],
  ]);
  assert.deepEqual(MOVES, { ArrowLeft: "previous", k: "previous", ArrowRight: "next", j: "next" });
});

test("the stepper's position counts from one, out of the grid's total or the cards it had", () => {
  assert.equal(positionText(0, { total: 120, ids: [1, 2] }), " 1 of 120 ");
  assert.equal(positionText(1, { total: null, ids: [1, 2] }), " 2 of 2 ");
  assert.equal(positionText(1, { ids: [1, 2, 3] }), " 2 of 3 ");
});

test("the link back names the projection when the page came from a run", () => {
  assert.equal(backText("#/runs/3/projection"), "← Projection");
  assert.equal(backText("#/samples?label=positive"), "← Samples");
  assert.equal(backText("#/triage?signals=loss"), "← Review next");
});

test("the heading, the line under it and the face crop in words", () => {
  assert.equal(sampleHeading(SAMPLE), "positive | s01 | EP01_1");
  assert.equal(sampleIntro(SAMPLE), "casme2, emotion “happiness”, originally positive; apex annotated.");
  assert.equal(
    sampleIntro({ ...SAMPLE, objective_class: "1" }),
    "casme2, emotion “happiness” (objective class 1), originally positive; apex annotated.",
  );
  assert.equal(faceText("cropped 0.2"), "Frames cropped 0.2 (face found on the onset frame).");
  assert.equal(faceText(null), "Frames used whole (no face crop).");
  assert.match(
    classMeansCaption("casme2", ["negative", "positive"]),
    /\(rows: negative, positive; columns: Vx, Vy, strain\), on their own colour scale, not the sample's$/,
  );
});

test("the clip's frames are addressed one by one and named from one", () => {
  assert.deepEqual(clipFrames(7, 2), ["/api/samples/7/clip/0?size=200", "/api/samples/7/clip/1?size=200"]);
  assert.deepEqual(clipFrames(7, 0), []);
  assert.equal(clipFrameAlt(0, "EP01_1"), "frame 1 of the clip of EP01_1");
  assert.equal(clipCaption("apex", 9), "Onset to apex, 9 frames");
});

test("a verdict says whether it is typical; no mark of mine reads unmarked", () => {
  assert.equal(verdictText({ verdict: "clean", typical: true }), "clean (typical)");
  assert.equal(verdictText({ verdict: "noisy", typical: false }), "noisy");
  assert.equal(myVerdictText(null), "unmarked");
  assert.equal(myVerdictText({ verdict: "unsure", typical: false }), "unsure");
});

test("the note's line: unsaved while edited, then saved, or not saved when the mark fails", () => {
  assert.equal(noteEditedText(true), "");
  assert.equal(noteEditedText(false), "Note not saved yet (saved on leaving the box).");
  assert.equal(noteStatusAfter("saved", true, "Saving the note…"), "Note saved.");
  assert.equal(noteStatusAfter("saved", true, ""), null, "a verdict without a note edited says nothing");
  assert.equal(noteStatusAfter("saved", false, "Note not saved yet (saved on leaving the box)."), null);
  assert.equal(noteStatusAfter("pending", true, "Saving the note…"), null);
  for (const how of ["failed", "conflict"]) {
    assert.equal(noteStatusAfter(how, true, "Saving the note…"), "");
    assert.equal(noteStatusAfter(how, false, ""), "Note not saved.");
  }
});

test("the marks' table: its caption while blind, and each mark's cells", () => {
  assert.equal(marksCaption(false), "All experts' marks");
  assert.match(marksCaption(true), /^Marking is blind on this dataset/);
  const created = "2024-05-01T10:00:00Z";
  assert.deepEqual(markCells({ user: "ann", verdict: "clean", typical: true, note: "ok", created_at: created }), [
    "ann",
    "clean (typical)",
    "ok",
    new Date(created).toLocaleString(),
  ]);
});

test("the history's and the runs' cells, a probability per class", () => {
  assert.deepEqual(historyCells({ version_id: 2, label: "negative", reason: "relabel", created_at: "x" }), [
    2,
    "negative",
    "relabel",
  ]);
  assert.deepEqual(runsHeader(["negative", "positive"]), [
    "Run",
    "Method",
    "Prediction",
    "p(negative)",
    "p(positive)",
    "Flag rate (training)",
    "Loss (final model)",
    "Proposed relabel",
  ]);
  const run = {
    run_id: 3,
    method: "cleanlab",
    prediction: "positive",
    probabilities: [0.25, 0.75],
    flag_rate: 0.5,
    final_loss: 0.1234,
    proposed_label: null,
  };
  assert.deepEqual(runCells(run), ["cleanlab", "positive", "0.25", "0.75", "0.50", "0.123", "–"]);
  assert.equal(
    runCells({ ...run, flag_rate: null, proposed_label: "negative" })
      .slice(-3)
      .join(" "),
    "– 0.123 negative",
  );
});
