// Correcting a sample's timing (curators): onset, apex and offset as frame numbers (arrow
// keys step them; a click on the curve sets the one chosen; the estimates one click away),
// a reason, and the history of changes with undo (POST /api/samples/{id}/timing).
import { api } from "./api.js";
import { nearestFrame, timingChangeText } from "./motion-text.js";
import { h, toast } from "./ui.js";

const FIELDS = ["onset", "apex", "offset"];

/** The form and history for `timing` (GET .../motion) of sample `sampleId`; `reload()`
 * draws the section anew after a change. Returns the form and a click handler for the
 * curve's frames. */
export async function timingEditor(sampleId, timing, reload) {
  const history = await api(`/api/samples/${sampleId}/timing`);
  const chosen = { field: "apex" };
  const inputs = Object.fromEntries(
    FIELDS.map((field) => [
      field,
      h("input", {
        type: "number",
        name: field,
        min: timing.frames_on_disk[0],
        max: timing.frames_on_disk[1],
        value: timing[field] ?? "",
        onfocus: () => (chosen.field = field),
      }),
    ]),
  );
  const reason = h("input", { name: "reason", size: 40, placeholder: "Why (required)" });
  const save = async () => {
    const value = (field) => (inputs[field].value === "" ? null : Number(inputs[field].value));
    try {
      await api(`/api/samples/${sampleId}/timing`, {
        method: "POST",
        body: {
          ...Object.fromEntries(FIELDS.map((f) => [f, value(f)])),
          reason: reason.value,
          based_on: history.current,
        },
      });
      toast("Timing changed; its flow is computed anew");
      reload();
    } catch (error) {
      toast(error.message, "error");
    }
  };
  const undo = async (versionId) => {
    try {
      await api(`/api/samples/${sampleId}/timing/undo`, { method: "POST", body: { version_id: versionId } });
      toast("Change undone");
      reload();
    } catch (error) {
      toast(error.message, "error");
    }
  };
  const form = h(
    "form",
    { class: "timing-edit", "aria-label": "Correct the timing", onsubmit: (e) => (e.preventDefault(), save()) },
    FIELDS.map((field) =>
      h(
        "label",
        {},
        `${field[0].toUpperCase()}${field.slice(1)} `,
        inputs[field],
        h(
          "button",
          {
            type: "button",
            class: "small",
            title: `the motion's ${field}: frame ${timing.estimate[field]}`,
            onclick: () => (inputs[field].value = timing.estimate[field]),
          },
          "estimate",
        ),
      ),
    ),
    reason,
    h("button", { type: "submit" }, "Save the timing"),
  );
  const list = history.versions.length
    ? h(
        "ol",
        { class: "timing-history" },
        history.versions.map((v) =>
          h(
            "li",
            {},
            timingChangeText(v),
            v.id === history.current
              ? h("button", { type: "button", class: "small", onclick: () => undo(v.id) }, "Undo")
              : "",
          ),
        ),
      )
    : h("p", { class: "muted" }, "The imported timing: never changed.");
  // A click on the curve sets the field last chosen to the nearest measured frame.
  const onCurveClick = (fraction) => {
    inputs[chosen.field].value = nearestFrame(timing.frames, fraction);
  };
  return { element: h("div", {}, form, list), onCurveClick };
}
