// An import's report: what it stored, and every sample it skipped, corrected, estimated or
// warned about, each with the file, row and field; or the error that stopped it.
import { issuePlace, reportSummary } from "./imports-text.js";
import { h } from "./ui.js";

// The report's lists, in the order a curator reads them: what was lost first.
const SECTIONS = [
  ["skipped", "Skipped"],
  ["warnings", "Warnings"],
  ["estimates", "Apexes estimated from the motion"],
  ["corrections", "Known sheet errors corrected"],
  ["overrides", "Overrides applied"],
  ["ambiguous_action_units", "AU cells with alternatives (all kept)"],
  ["faces", "Cropped to the face"],
];

function issues(title, found) {
  return h(
    "details",
    { class: "import-issues", open: found.length <= 20 },
    h("summary", {}, `${title} (${found.length})`),
    h(
      "table",
      {},
      h(
        "tr",
        {},
        ["Sample", "Where", "What"].map((t) => h("th", {}, t)),
      ),
      found.map((issue) =>
        h("tr", {}, h("td", {}, issue.sample ?? "–"), h("td", {}, issuePlace(issue)), h("td", {}, issue.message)),
      ),
    ),
  );
}

export function importReport(job) {
  if (job.status !== "succeeded") {
    return h(
      "div",
      {},
      h("h2", {}, `${job.name}: ${job.status}`),
      job.error ? h("p", { class: "error" }, job.error_field ? `${job.error_field}: ${job.error}` : job.error) : "",
      job.status === "cancelled" ? h("p", {}, "Nothing of this import was stored.") : "",
    );
  }
  const report = job.report;
  const excluded = Object.entries(report.excluded).map(([why, n]) => `${why}: ${n}`);
  const faces = Object.entries(report.face_counts).map(([what, n]) => `${what}: ${n}`);
  const units = Object.entries(report.action_units).map(([d, c]) => `${d}: ${c.coded} of ${c.samples}`);
  return h(
    "div",
    {},
    h("h2", {}, `${job.name}: imported`),
    h(
      "p",
      { class: "import-summary" },
      `${reportSummary(report)}. `,
      h("a", { href: "#/samples" }, "Open the samples"),
    ),
    excluded.length ? h("p", {}, `Left out on purpose: ${excluded.join("; ")}.`) : "",
    faces.length ? h("p", {}, `Faces: ${faces.join("; ")}.`) : "",
    units.length ? h("p", {}, `Samples with coded AUs: ${units.join("; ")}.`) : "",
    h(
      "p",
      {},
      `Frames found in: ${Object.entries(report.frames)
        .map(([d, f]) => `${d}: ${f}`)
        .join("; ")}.`,
    ),
    SECTIONS.filter(([key]) => report[key].length).map(([key, title]) => issues(title, report[key])),
  );
}
