// The Agreement screen's pure helpers (kappas in words, the links to the grid's
// disagreements, the tables' cells), run by node --test in make test.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  clashes,
  DISAGREEMENT,
  expertsText,
  FEW_SHARED,
  fleissScope,
  kappaText,
  linkedCell,
  pairCells,
  pairKey,
  reading,
  roughText,
  weighedCells,
  weighedSummary,
} from "../../backend/meclean/frontend/js/agreement-text.js";

const CATEGORIES = ["clean", "noisy", "unsure"];

test("a kappa reads in Landis and Koch's words, each band above its lower bound", () => {
  assert.equal(reading(-0.1), "poor agreement (below chance)");
  assert.equal(reading(0), "slight agreement");
  assert.equal(reading(0.2), "slight agreement");
  assert.equal(reading(0.21), "fair agreement");
  assert.equal(reading(0.5), "moderate agreement");
  assert.equal(reading(0.7), "substantial agreement");
  assert.equal(reading(0.8), "substantial agreement");
  assert.equal(reading(0.95), "almost perfect agreement");
});

test("a kappa with its reading, or why it is not defined", () => {
  assert.equal(kappaText(0.456, null), "0.46, moderate agreement");
  assert.equal(kappaText(null, "every verdict the same"), "not defined: every verdict the same");
});

test("a pair clashes when one said clean and the other noisy, whatever the order", () => {
  const pair = (cleanNoisy, noisyClean) => ({
    confusion: [
      [4, cleanNoisy, 1],
      [noisyClean, 3, 0],
      [2, 0, 1],
    ],
  });
  assert.equal(clashes(pair(0, 0), CATEGORIES), false);
  assert.equal(clashes(pair(1, 0), CATEGORIES), true);
  assert.equal(clashes(pair(0, 2), CATEGORIES), true);
  assert.equal(clashes(pair(0, 0), ["noisy", "unsure", "clean"]), true, "found by name, not by place");
});

test("only clean / noisy disagreements link to the grid's filter", () => {
  assert.equal(DISAGREEMENT, "#/samples?disagreement=true");
  assert.equal(linkedCell(2, "clean", "noisy"), true);
  assert.equal(linkedCell(0, "clean", "noisy"), false);
  assert.equal(linkedCell(2, "clean", "clean"), false);
  assert.equal(linkedCell(2, "unsure", "noisy"), false);
  assert.equal(linkedCell(2, "noisy", "unsure"), false);
});

test("the experts in words, and what Fleiss' kappa was measured on", () => {
  assert.equal(expertsText([]), "No expert has marked a sample yet.");
  assert.equal(
    expertsText([
      { name: "ann", marked: 1 },
      { name: "bob", marked: 12 },
    ]),
    "Marked by ann (1 sample), bob (12 samples).",
  );
  assert.equal(fleissScope(null, 0), "");
  assert.equal(fleissScope(0.5, 30), " (on 30 samples marked by at least two experts)");
});

test("a pair's cells, and the caveat on a kappa of few shared samples", () => {
  const pair = { first: "ann", second: "bob", shared: 12, percent: 75, kappa: 0.4, kappa_reason: null };
  assert.equal(pairKey(pair), "ann|bob");
  assert.deepEqual(pairCells(pair), ["ann – bob", 12, "75.0 %"]);
  assert.deepEqual(pairCells({ ...pair, shared: 0, percent: null }), ["ann – bob", 0, "–"]);
  assert.equal(roughText(pair), " ⚠ on 12 samples: a rough estimate");
  assert.equal(roughText({ ...pair, shared: FEW_SHARED }), null);
  assert.equal(roughText({ ...pair, kappa: null }), null);
});

test("the experts weighed by cleanlab: the summary and each expert's cells", () => {
  assert.equal(
    weighedSummary({ run_id: 4, samples: 40, noisy: 6 }),
    "Against run 4's out-of-fold probabilities, the consensus of 40 samples calls 6 noisy. " +
      `IDC's clean set can come from it (launch form, consensus "cleanlab").`,
  );
  assert.deepEqual(weighedCells({ name: "ann", quality: 0.876, agreement_with_consensus: 0.915 }), [
    "ann",
    "0.88",
    "92%",
  ]);
});
