// The Timing screen's bulk action (curators): the motion's apex accepted for the samples
// ticked, asking first, undoable (POST /api/datasets/{id}/timing/estimates and .../undo).
import { api } from "./api.js";
import { plural } from "./format.js";
import { h, toast } from "./ui.js";

/** A tick box per doubtful sample and the bar that accepts their estimates; `redraw()`
 * shows the screen anew. Returns { box(sampleId), bar }. */
export function estimatesBulk(datasetId, redraw) {
  const ticked = new Set();
  const count = h("span", { class: "ticked" }, "0 ticked");
  // The screen draws new, unticked boxes after a change: the selection goes with them.
  const clear = () => {
    ticked.clear();
    count.textContent = "0 ticked";
  };
  const undoBar = h("span", { class: "undo-bulk" });
  const box = (sampleId) =>
    h("input", {
      type: "checkbox",
      "aria-label": `tick sample ${sampleId}`,
      onchange: (e) => {
        if (e.target.checked) ticked.add(sampleId);
        else ticked.delete(sampleId);
        count.textContent = `${ticked.size} ticked`;
      },
    });
  const accept = async () => {
    if (!ticked.size) return toast("Tick the samples whose apex the motion should set");
    const question = `Move the apex of ${plural(ticked.size, "sample")} to the motion's peak? Each change can be undone.`;
    if (!confirm(question)) return;
    try {
      const out = await api(`/api/datasets/${datasetId}/timing/estimates`, {
        method: "POST",
        body: { sample_ids: [...ticked], reason: "the motion's apex, accepted in bulk" },
      });
      clear();
      await redraw();
      toast(`${out.changed} ${out.changed === 1 ? "apex" : "apexes"} moved to the motion's peak`);
      if (out.version_ids.length) showUndo(out.version_ids);
    } catch (error) {
      toast(error.message, "error");
    }
  };
  const showUndo = (versionIds) =>
    undoBar.replaceChildren(
      h(
        "button",
        {
          type: "button",
          onclick: async () => {
            try {
              await api(`/api/datasets/${datasetId}/timing/undo`, {
                method: "POST",
                body: { version_ids: versionIds },
              });
              clear();
              undoBar.replaceChildren();
              await redraw();
              toast("Bulk change undone");
            } catch (error) {
              toast(error.message, "error");
            }
          },
        },
        `Undo the last bulk change (${plural(versionIds.length, "sample")})`,
      ),
    );
  const bar = h(
    "p",
    { class: "bulk-estimates" },
    count,
    " ",
    h("button", { type: "button", onclick: accept }, "Accept the motion's apex for the ticked"),
    " ",
    undoBar,
  );
  return { box, bar };
}
