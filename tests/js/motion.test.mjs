// A sample's motion curve in the figure and in words.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  motionPath,
  motionScale,
  motionSummary,
  nearestFrame,
  timingChangeText,
  timingMarks,
} from "../../backend/meclean/frontend/js/motion-text.js";

const TIMING = {
  onset: 100,
  apex: 104,
  offset: 110,
  frames: [100, 102, 104, 106, 108, 110],
  motion: [0, 0.5, 1.2, 0.8, 0.3, 0.1],
  estimate: { onset: 100, apex: 104, offset: 108, confidence: 0.71 },
};

test("the curve spans the figure from onset to offset and from zero to its peak", () => {
  const box = { width: 110, height: 60, left: 10, right: 0, top: 0, bottom: 0 };
  const scale = motionScale(TIMING.frames, TIMING.motion, box);
  assert.equal(scale.x(100), 10);
  assert.equal(scale.x(110), 110);
  assert.equal(scale.y(1.2), 0);
  assert.equal(scale.y(0), 60);
  assert.match(motionPath(TIMING.frames, TIMING.motion, scale), /^M10\.0,60\.0L30\.0,35\.0/);
});

test("each annotated frame is marked, and an estimate only where it differs", () => {
  assert.deepEqual(
    timingMarks(TIMING).map((m) => `${m.kind} ${m.name} ${m.frame}`),
    ["annotated onset 100", "annotated apex 104", "annotated offset 110", "estimated offset 108"],
  );
  const noOffset = timingMarks({ ...TIMING, offset: null });
  assert.ok(!noOffset.some((m) => m.kind === "annotated" && m.name === "offset"));
});

test("the summary says where the motion peaks against the annotated apex", () => {
  assert.match(motionSummary(TIMING), /peaking at the annotated apex, frame 104 \(confidence 0\.71\)/);
  const moved = { ...TIMING, apex: 108 };
  assert.match(motionSummary(moved), /peaking at frame 104; the annotated apex is 108/);
});

test("a click on the curve picks the nearest measured frame", () => {
  assert.equal(nearestFrame([100, 102, 104, 106], 0), 100);
  assert.equal(nearestFrame([100, 102, 104, 106], 0.5), 102);
  assert.equal(nearestFrame([100, 102, 104, 106], 0.6), 104);
  assert.equal(nearestFrame([100, 102, 104, 106], 1), 106);
});

test("a change of timing says which frames moved, who moved them and why", () => {
  const text = timingChangeText({
    onset: 100,
    apex: 105,
    offset: null,
    before: { onset: 100, apex: 104, offset: 110 },
    author: "ana",
    created_at: "2026-12-06T21:00:00Z",
    reason: "the brows peak later",
  });
  assert.match(text, /^apex 104 → 105, offset 110 → –, by ana on .*: the brows peak later $/);
});
