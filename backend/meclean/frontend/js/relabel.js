// Relabelling (curators): one sample or a selection given a class with a reason, into the
// curator's label version of this sitting; labels experts judged clean are replaced only
// after asking, and the last decision can be undone from where it was made.
import { api } from "./api.js";
import { canCurate, plural } from "./format.js";
import { decisionText, otherClasses, overrideCleanQuestion } from "./relabel-text.js";
import { h, toast } from "./ui.js";
import { classes } from "./vocabulary.js";

/** Relabel `ids` of dataset `datasetId`; asks before overriding clean verdicts. The
 * decision (with its changes, for undo), or null when nothing was done. */
export async function relabelSamples(datasetId, ids, label, reason, nameOf) {
  const body = { sample_ids: ids, label, reason, override_clean: false };
  for (;;) {
    try {
      const result = await api(`/api/datasets/${datasetId}/relabel`, { method: "POST", body });
      toast(decisionText(result, label));
      window.dispatchEvent(new CustomEvent("meclean:labels-changed", { detail: result }));
      return result;
    } catch (error) {
      const clean = error.detail?.clean;
      if (error.status === 409 && clean && !body.override_clean) {
        if (!confirm(overrideCleanQuestion(clean, nameOf))) {
          toast("Nothing was relabelled: the experts' clean verdicts stand");
          return null;
        }
        body.override_clean = true;
        continue;
      }
      toast(error.message, "error");
      return null;
    }
  }
}

/** Take a decision's changes back. */
export async function undoDecision(datasetId, result) {
  try {
    const undone = await api(`/api/datasets/${datasetId}/label-changes/undo`, {
      method: "POST",
      body: { change_ids: result.changes.map((c) => c.id) },
    });
    toast(`Undone: ${plural(undone.changes.length, "label")} restored in label version ${undone.label_version_id}`);
    window.dispatchEvent(new CustomEvent("meclean:labels-changed", { detail: undone }));
    return undone;
  } catch (error) {
    toast(error.message, "error");
    return null;
  }
}

/** The form relabelling `ids()` (a sample, or a selection) currently labelled `label()`;
 * `onDone(result)` after a decision or its undo. `ask`: confirm first (true, or a function
 * of the count and class giving the question). */
export function relabelForm(datasetId, { ids, label, onDone = () => {}, ask = false, nameOf }) {
  const choice = h("select", { name: "relabel-to", "aria-label": "Relabel to" });
  // The choices are every class but the current one, which a decision changes.
  const fill = () =>
    choice.replaceChildren(...otherClasses(classes(), label()).map((c) => h("option", { value: c }, c)));
  fill();
  const reason = h("input", { name: "relabel-reason", placeholder: "Why (required)", maxlength: 2000, size: 28 });
  const undo = h("span", { class: "relabel-undo" });
  const form = h(
    "form",
    { class: "relabel", "aria-label": "Relabel" },
    h("label", {}, "Relabel to ", choice),
    " ",
    reason,
    " ",
    h("button", { type: "submit" }, "Relabel"),
    " ",
    undo,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = ids();
    if (!reason.value.trim()) {
      toast("Say why: the reason goes into the label version", "error");
      reason.focus();
      return;
    }
    const question =
      typeof ask === "function"
        ? ask(chosen.length, choice.value)
        : `Relabel ${chosen.length} samples ${choice.value}?`;
    if (ask && !confirm(question)) return;
    const result = await relabelSamples(datasetId, chosen, choice.value, reason.value.trim(), nameOf);
    if (!result) return;
    reason.value = "";
    undo.replaceChildren(
      h(
        "button",
        {
          type: "button",
          onclick: async () => {
            const undone = await undoDecision(datasetId, result);
            if (undone) {
              undo.replaceChildren();
              await onDone(undone);
              fill();
            }
          },
        },
        "Undo relabel",
      ),
    );
    await onDone(result);
    fill();
  });
  return form;
}

/** For curators: the grid's form relabelling the samples it shows (`ids()`: those matching
 * its filters, loaded so far), asking first with their count; "" for annotators. */
export const shownRelabel = (state, ids, onDone, matching) =>
  canCurate(state.me)
    ? relabelForm(state.dataset.id, {
        ids,
        label: () => "",
        onDone,
        ask: (count, label) =>
          `Relabel the ${count} samples shown to ${label}?` +
          (matching() > count ? ` (${matching()} match the filters; only those loaded are relabelled)` : ""),
      })
    : "";
