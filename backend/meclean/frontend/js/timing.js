// Timing: the samples whose annotated onset, apex or offset is doubtful against their
// motion or their frames (GET /api/datasets/{id}/timing), each linking to its sample page,
// where the curve shows why.
import { api, ApiError } from "./api.js";
import { canCurate, plural } from "./format.js";
import { estimatesBulk } from "./timing-bulk.js";
import { h } from "./ui.js";

const KIND_NAMES = {
  apex_far_from_peak: "apex far from the motion's peak",
  onset_is_apex: "onset equal to apex",
  too_long: "longer than 500 ms",
  too_short: "only a few frames",
  numbering_gaps: "gaps in the frame numbers",
  missing_frames: "frames missing on disk",
  no_motion: "no motion",
  unmeasured: "motion not measurable",
  estimated_at_import: "apex estimated at import",
};

// The samples whose timing experts changed: imported -> now, and the sheet's CSV.
async function changesSection(state) {
  const changes = await api(`/api/datasets/${state.dataset.id}/timing/changes`);
  const frames = (t) => `${t.onset} / ${t.apex} / ${t.offset ?? "–"}`;
  return h(
    "section",
    { class: "timing-changes", "aria-label": "Changed timings" },
    h("h2", {}, "Changed by experts"),
    h(
      "p",
      {},
      `${plural(changes.length, "sample")} changed. `,
      h("a", { href: `/api/datasets/${state.dataset.id}/timing.csv`, download: "" }, "Download every timing (CSV)"),
    ),
    changes.length
      ? h(
          "table",
          { class: "timing" },
          h(
            "tr",
            {},
            ["Sample", "Imported onset / apex / offset", "Now"].map((t) => h("th", {}, t)),
          ),
          changes.map((c) =>
            h(
              "tr",
              {},
              h("td", {}, h("a", { href: `#/sample/${c.sample_id}` }, c.name)),
              h("td", {}, frames(c.imported)),
              h("td", {}, frames(c.current)),
            ),
          ),
        )
      : "",
  );
}

export async function showTiming(state) {
  const view = document.getElementById("view");
  const bulk = canCurate(state.me) ? estimatesBulk(state.dataset.id, () => draw()) : null;
  async function draw() {
    const changed = await changesSection(state);
    let found;
    try {
      found = await api(`/api/datasets/${state.dataset.id}/timing`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409) throw error;
      view.replaceChildren(h("h1", {}, "Timing"), h("p", { class: "empty" }, error.message), changed);
      return;
    }
    const counts = Object.entries(found.checked).map(([kind, n]) => `${KIND_NAMES[kind] ?? kind}: ${n}`);
    view.replaceChildren(
      h("h1", {}, "Timing"),
      h(
        "p",
        {},
        `${plural(found.doubtful.length, "sample")} of ${found.samples} with a doubtful timing`,
        counts.length ? ` (${counts.join("; ")}).` : ".",
      ),
      bulk ? bulk.bar : "",
      doubtfulTable(found.doubtful, bulk),
      changed,
    );
  }
  await draw();
}

function doubtfulTable(doubtful, bulk) {
  const headings = ["Sample", "Onset", "Apex", "Offset", "Apex from", "Doubts"];
  return h(
    "table",
    { class: "timing" },
    h(
      "tr",
      {},
      bulk ? h("th", {}, "") : "",
      headings.map((t) => h("th", {}, t)),
    ),
    doubtful.map((s) =>
      h(
        "tr",
        {},
        bulk ? h("td", {}, bulk.box(s.sample_id)) : "",
        h("td", {}, h("a", { href: `#/sample/${s.sample_id}` }, s.name)),
        h("td", {}, s.onset ?? "–"),
        h("td", {}, s.apex ?? "–"),
        h("td", {}, s.offset ?? "–"),
        h("td", {}, s.apex_source),
        h(
          "td",
          {},
          s.checks.map((c) => h("div", { dataset: { kind: c.kind } }, c.message)),
        ),
      ),
    ),
  );
}
