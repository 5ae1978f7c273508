// The Import screen's pure helpers: where an issue is, and a report in one line.
import assert from "node:assert/strict";
import { test } from "node:test";

import { issuePlace, reportSummary } from "../../backend/meclean/frontend/js/imports-text.js";

const empty = { imported: 0, skipped: [], excluded: {}, estimates: [], corrections: [], warnings: [] };

test("an issue is placed by file, row and field, leaving out what it lacks", () => {
  assert.equal(issuePlace({ file: "a.xlsx", row: 4, field: "Apex Frame" }), "a.xlsx, row 4, field Apex Frame");
  assert.equal(issuePlace({ file: "a.xlsx", row: 0, field: null }), "a.xlsx, row 0");
  assert.equal(issuePlace({ file: "clips/", row: null, field: null }), "clips/");
});

test("a report's line says what was imported, then only the lists that are not empty", () => {
  assert.equal(reportSummary({ ...empty, imported: 1 }), "1 sample imported");
  const full = {
    imported: 440,
    skipped: [{}],
    excluded: { others: 3, "not in roster": 2 },
    estimates: [{}, {}],
    corrections: [{}],
    warnings: [{}, {}],
  };
  assert.equal(
    reportSummary(full),
    "440 samples imported, 1 skipped, 5 left out on purpose, 2 apexes estimated, 1 sheet errors corrected, 2 warnings",
  );
});
