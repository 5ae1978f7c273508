// What the projection's selection panel asks of the server: proposals accepted or
// rejected (a decision that would replace an expert's later label asks first) and taken
// back, samples marked clean or noisy in bulk and those marks undone.
import { api } from "./api.js";
import { decisionText, replaceMarksQuestion, withdrawnText } from "./projection-review.js";
import { overrideCleanQuestion } from "./relabel-text.js";
import { toast } from "./ui.js";

/** The actions on `screen`'s samples (point indices). `screen.lastDecision` and
 * `screen.lastMarks` keep the last ones for a one-step undo; `refresh()` fetches the
 * projection again and redraws the plot, `showSelection()` redraws the panel. */
export function reviewActions(screen, refresh, showSelection) {
  const nameOf = (id) => screen.data.name[screen.data.sample_id.indexOf(id)] ?? `sample ${id}`;

  async function decide(indices, accept, replaceChanged = false, overrideClean = false) {
    const sampleIds = indices.map((i) => screen.data.sample_id[i]);
    try {
      const result = await api(`/api/runs/${screen.run.id}/relabels`, {
        method: "POST",
        body: { sample_ids: sampleIds, accept, replace_changed: replaceChanged, override_clean: overrideClean },
      });
      toast(decisionText(result, accept));
      screen.lastDecision = indices;
      await refresh();
    } catch (error) {
      const { changed, clean } = error.detail ?? {};
      if (error.status === 409 && clean && !overrideClean && confirm(overrideCleanQuestion(clean, nameOf))) {
        return decide(indices, accept, replaceChanged, true);
      }
      if (
        error.status === 409 &&
        changed &&
        !replaceChanged &&
        confirm(`${error.message}.\n\nReplace the experts' labels of ${Object.keys(changed).length} samples?`)
      ) {
        return decide(indices, accept, true, overrideClean);
      }
      toast(error.message, "error");
    }
  }

  async function undoDecisions(indices) {
    try {
      const result = await api(`/api/runs/${screen.run.id}/relabels/undo`, {
        method: "POST",
        body: { sample_ids: indices.map((i) => screen.data.sample_id[i]) },
      });
      toast(withdrawnText(result));
      screen.lastDecision = null;
      await refresh();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  async function bulkMark(ids, verdict, overwrite = false) {
    try {
      const result = await api("/api/marks/bulk", { method: "POST", body: { sample_ids: ids, verdict, overwrite } });
      screen.lastMarks = result.mark_ids;
      window.dispatchEvent(new CustomEvent("meclean:marks-saved"));
      toast(`Marked ${result.marked} samples ${verdict}`);
      await refresh(); // the list shows the experts' verdicts, mine now among them
      showSelection();
    } catch (error) {
      const changed = error.detail?.changed;
      if (error.status === 409 && changed && !overwrite) {
        if (confirm(replaceMarksQuestion(changed, screen.data, verdict))) return bulkMark(ids, verdict, true);
        return toast("Nothing was marked", "info");
      }
      toast(error.message, "error");
    }
  }

  async function undoMarks() {
    try {
      const result = await api("/api/marks/bulk/undo", { method: "POST", body: { mark_ids: screen.lastMarks } });
      window.dispatchEvent(new CustomEvent("meclean:marks-saved"));
      toast(`Undid the marks on ${result.marked} samples`);
      screen.lastMarks = null;
      await refresh();
      showSelection();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  return { decide, undoDecisions, bulkMark, undoMarks, nameOf };
}
