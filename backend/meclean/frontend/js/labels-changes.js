// Labels: the changes a version holds, each with who decided it, when, why and from which
// run; curators undo one (the sample gets back its label from before, as a new decision).
import { api } from "./api.js";
import { undoDecision } from "./relabel.js";
import { h } from "./ui.js";

const when = (iso) => new Date(iso).toLocaleString();

// Undo where it can apply; a run's proposal is taken back on its projection.
function undoCell(change, curator, undo) {
  if (!curator) return "";
  if (change.run_id) return h("a", { href: `#/runs/${change.run_id}/projection` }, "take back on the projection");
  return change.undoable
    ? h("button", { type: "button", class: "small", onclick: undo(change) }, "Undo")
    : h("span", { class: "note" }, "relabelled since");
}

/** The section listing version `versionId`'s changes; `onUndone()` after an undo. */
export async function changesSection(base, datasetId, versionId, curator, onUndone) {
  const changes = await api(`${base}/label-versions/${versionId}/changes`);
  const undo = (change) => async () => {
    const undone = await undoDecision(datasetId, { changes: [change] });
    if (undone) onUndone();
  };
  return h(
    "section",
    { id: "version-changes", "aria-label": `Changes in v${versionId}` },
    h("h2", {}, `Decisions in v${versionId} (${changes.length})`),
    changes.length
      ? h(
          "table",
          { class: "label-changes" },
          h(
            "tr",
            {},
            ["Sample", "Change", "Why", "By", "When", "Run", ""].map((t) => h("th", {}, t)),
          ),
          changes.map((c) =>
            h(
              "tr",
              { dataset: { change: c.id } },
              h("td", {}, h("a", { href: `#/sample/${c.sample_id}` }, c.name)),
              h("td", {}, `${c.before} → `, h("strong", {}, c.after)),
              h("td", {}, c.reason),
              h("td", {}, c.user ?? "–"),
              h("td", {}, when(c.created_at)),
              h("td", {}, c.run_id ? h("a", { href: `#/runs/${c.run_id}` }, `run ${c.run_id}`) : "–"),
              h("td", {}, undoCell(c, curator, undo)),
            ),
          ),
        )
      : h(
          "p",
          { class: "note" },
          "No decision recorded in this version (an import, or a version made before decisions were kept).",
        ),
  );
}
