// The sample page's timing: how far the face moved from the onset frame by frame, with the
// annotated onset, apex and offset and where the motion puts them, and the checks of the
// sheet's timing (GET /api/samples/{id}/motion).
import { api } from "./api.js";
import { MOTION_BOX, motionPath, motionScale, motionSummary, timingMarks } from "./motion-text.js";
import { timingEditor } from "./timing-edit.js";
import { h, svg } from "./ui.js";

function figure(timing, onFraction) {
  const scale = motionScale(timing.frames, timing.motion);
  const { width, height, bottom, top: above, left } = MOTION_BOX;
  const summary = motionSummary(timing);
  return svg(
    "svg",
    {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      "aria-label": summary,
      class: "motion",
      onclick: onFraction
        ? (event) => {
            const box = event.currentTarget.getBoundingClientRect();
            const x = ((event.clientX - box.left) / box.width) * width;
            const fraction = (x - left) / (width - left - MOTION_BOX.right);
            onFraction(Math.max(0, Math.min(1, fraction)));
          }
        : undefined,
    },
    svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width - MOTION_BOX.right, y2: height - bottom }),
    svg("text", { x: left - 4, y: above + 8, "text-anchor": "end" }, `${scale.top.toFixed(2)} px`),
    svg("text", { x: left, y: height - 6 }, `frame ${timing.frames[0]}`),
    svg("text", { x: width - MOTION_BOX.right, y: height - 6, "text-anchor": "end" }, `frame ${timing.frames.at(-1)}`),
    svg("path", { class: "motion-curve", d: motionPath(timing.frames, timing.motion, scale) }),
    timingMarks(timing).map((mark) =>
      svg(
        "line",
        {
          class: `mark ${mark.name} ${mark.kind}`,
          x1: scale.x(mark.frame),
          x2: scale.x(mark.frame),
          y1: above,
          y2: height - bottom,
        },
        svg("title", {}, `${mark.kind} ${mark.name}: frame ${mark.frame}`),
      ),
    ),
  );
}

/** The section; curators (`canEdit`) also get the form that corrects the timing. */
export async function motionSection(sample, canEdit) {
  const section = h("section", { class: "sample-motion", id: "sample-motion", "aria-label": "Timing" });
  section.append(h("h2", {}, "Timing"));
  let timing;
  try {
    timing = await api(`/api/samples/${sample.id}/motion`);
  } catch (error) {
    section.append(h("p", { class: "muted" }, `No motion curve: ${error.message}`));
    return section;
  }
  const reload = async () => section.replaceWith(await motionSection(sample, canEdit));
  const editor = canEdit ? await timingEditor(sample.id, timing, reload) : null;
  section.append(
    h("p", {}, motionSummary(timing), ` Apex from: ${timing.apex_source}.`),
    figure(timing, editor?.onCurveClick),
    h("p", { class: "hint" }, "Solid lines: the annotated onset, apex and offset; dashed: where the motion puts them."),
    timing.checks.length
      ? h(
          "ul",
          { class: "timing-checks" },
          timing.checks.map((c) => h("li", { dataset: { kind: c.kind } }, `⚠ ${c.message}`)),
        )
      : h("p", {}, "No doubt about its timing."),
    editor ? editor.element : "",
  );
  return section;
}
