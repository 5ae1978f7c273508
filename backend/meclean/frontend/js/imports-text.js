// Pure helpers (no DOM) of the Import screen: where an issue is, a report in one line.
// Unit-tested with node --test (tests/js/).
import { plural } from "./format.js";

// Where an issue is: file, row and field, as the sheet names them.
export function issuePlace(issue) {
  return [issue.file, issue.row == null ? null : `row ${issue.row}`, issue.field ? `field ${issue.field}` : null]
    .filter(Boolean)
    .join(", ");
}

// The one-line summary of a finished report.
export function reportSummary(report) {
  const parts = [`${plural(report.imported, "sample")} imported`];
  if (report.skipped.length) parts.push(`${report.skipped.length} skipped`);
  const excluded = Object.values(report.excluded).reduce((a, b) => a + b, 0);
  if (excluded) parts.push(`${excluded} left out on purpose`);
  if (report.estimates.length) parts.push(`${report.estimates.length} apexes estimated`);
  if (report.corrections.length) parts.push(`${report.corrections.length} sheet errors corrected`);
  if (report.warnings.length) parts.push(plural(report.warnings.length, "warning"));
  return parts.join(", ");
}
