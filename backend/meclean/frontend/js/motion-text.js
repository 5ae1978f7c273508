// Pure helpers (no DOM) of a sample's motion curve: its scale in the figure, its path, the
// marks of onset, apex and offset (annotated and estimated), and the curve in words.
// Unit-tested with node --test (tests/js/).
import { fixed } from "./format.js";

export const MOTION_BOX = { width: 520, height: 170, left: 58, right: 12, top: 12, bottom: 26 };

/** `x(frame)` and `y(motion)` of the curve measured at `frames` (frame numbers). */
export function motionScale(frames, motion, box = MOTION_BOX) {
  const first = frames[0];
  const span = Math.max(1, frames.at(-1) - first);
  const top = Math.max(...motion, 1e-6);
  const { width, height, left, right, top: above, bottom } = box;
  return {
    top,
    x: (frame) => left + ((frame - first) / span) * (width - left - right),
    y: (value) => height - bottom - (value / top) * (height - above - bottom),
  };
}

export function motionPath(frames, motion, { x, y }) {
  return frames.map((f, i) => `${i ? "L" : "M"}${x(f).toFixed(1)},${y(motion[i]).toFixed(1)}`).join("");
}

/** The vertical marks: each annotated frame, and each estimate that differs from it. */
export function timingMarks(timing) {
  const marks = [
    ["onset", timing.onset, "annotated"],
    ["apex", timing.apex, "annotated"],
    ["offset", timing.offset, "annotated"],
  ].filter(([, frame]) => frame !== null && frame !== undefined);
  for (const name of ["onset", "apex", "offset"]) {
    const estimated = timing.estimate[name];
    if (estimated !== timing[name]) marks.push([name, estimated, "estimated"]);
  }
  return marks.map(([name, frame, kind]) => ({ name, frame, kind }));
}

/** The figure's label: the curve and the apexes in words. */
export function motionSummary(timing) {
  const peak = timing.estimate.apex;
  const where =
    peak === timing.apex
      ? `peaking at the annotated apex, frame ${peak}`
      : `peaking at frame ${peak}; the annotated apex is ${timing.apex}`;
  return (
    `Motion from the onset over ${timing.frames.length} frames, at most ${fixed(Math.max(...timing.motion), 2)} px, ` +
    `${where} (confidence ${fixed(timing.estimate.confidence, 2)}).`
  );
}

/** The measured frame nearest to a click at `fraction` (0 at the first, 1 at the last). */
export function nearestFrame(frames, fraction) {
  const target = frames[0] + fraction * (frames.at(-1) - frames[0]);
  return frames.reduce((best, f) => (Math.abs(f - target) < Math.abs(best - target) ? f : best), frames[0]);
}

/** One change of timing in words. */
export function timingChangeText(version) {
  const moved = ["onset", "apex", "offset"]
    .filter((k) => version.before[k] !== version[k])
    .map((k) => `${k} ${version.before[k] ?? "–"} → ${version[k] ?? "–"}`);
  const when = new Date(version.created_at).toLocaleString();
  return `${moved.join(", ") || "no frame moved"}, by ${version.author ?? "someone"} on ${when}: ${version.reason} `;
}
