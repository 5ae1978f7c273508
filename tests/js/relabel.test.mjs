// Relabelling's pure helpers: the question before replacing clean labels, what a decision
// did, the classes offered, and the experts' verdicts in a line.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  decisionText,
  expertVerdictsText,
  otherClasses,
  overrideCleanQuestion,
} from "../../backend/meclean/frontend/js/relabel-text.js";
import { markVerdictText } from "../../backend/meclean/frontend/js/sample-text.js";

test("the question before replacing clean labels names each sample and its experts", () => {
  const question = overrideCleanQuestion({ 7: ["ana", "bo"] }, (id) => `s${id}`);
  assert.match(question, /current label of 1 sample clean/);
  assert.match(question, /• s7: clean by ana, bo/);
  assert.match(question, /Replace their labels anyway\?/);
  const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [i + 1, ["ana"]]));
  assert.match(overrideCleanQuestion(many), /and 2 more/);
});

test("a decision says how many samples moved, into which version, and which already had it", () => {
  const result = { label_version_id: 3, changes: [{ id: 1 }, { id: 2 }], unchanged: [9] };
  assert.equal(
    decisionText(result, "surprise"),
    "Relabelled 2 samples surprise in label version 3 (1 already surprise)",
  );
  assert.equal(
    decisionText({ ...result, changes: [{ id: 1 }], unchanged: [] }, "negative"),
    "Relabelled 1 sample negative in label version 3",
  );
});

test("a sample is offered every class but its own", () => {
  assert.deepEqual(otherClasses(["negative", "positive", "surprise"], "positive"), ["negative", "surprise"]);
  assert.deepEqual(otherClasses(["negative", "positive"], ""), ["negative", "positive"]);
});

test("experts' verdicts read with what they say it should be and the label they judged", () => {
  const verdicts = [
    { user: "ana", verdict: "noisy", should_be: "surprise", judged_label: "negative" },
    { user: "bo", verdict: "clean", should_be: null, judged_label: "positive" },
  ];
  assert.equal(expertVerdictsText(verdicts, "negative"), " experts: ana: noisy → surprise; bo: clean (on positive)");
  assert.equal(expertVerdictsText([], "negative"), " no expert verdict");
  assert.equal(
    markVerdictText({ verdict: "clean", typical: false, judged_label: "positive", on_another_label: true }),
    "clean (judged positive; relabelled since)",
  );
  assert.equal(
    markVerdictText({ verdict: "noisy", typical: false, should_be: "surprise" }),
    "noisy, should be surprise",
  );
});
