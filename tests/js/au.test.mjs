// What a sample's action units say, in words.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  auSetText,
  auVerdictText,
  clashLabelsText,
  codingsText,
  typicalText,
} from "../../backend/meclean/frontend/js/au-text.js";

test("the AUs' verdict on a label says whether they support or dispute it", () => {
  assert.equal(auVerdictText({ au_support: null }), null);
  assert.equal(
    auVerdictText({ label: "positive", au_support: 0.876, au_verdict: "supported", au_likeliest: "positive" }),
    "Its AUs support its label (given them: positive 0.88).",
  );
  assert.equal(
    auVerdictText({ label: "negative", au_support: 0.04, au_verdict: "disputed", au_likeliest: "positive" }),
    "Its AUs dispute its label: positive is likelier (given them: negative 0.04).",
  );
  assert.equal(
    auVerdictText({ label: "surprise", au_support: 0.31, au_verdict: "contested", au_likeliest: "positive" }),
    "Its AUs lean away from its label: positive is likelier (given them: surprise 0.31).",
  );
});

test("one coding reads as one line, several are numbered", () => {
  assert.deepEqual(codingsText([]), []);
  assert.deepEqual(codingsText([["AU4 brow lowerer", "AU7 lid tightener"]]), ["AU4 brow lowerer; AU7 lid tightener"]);
  assert.deepEqual(codingsText([["AU12 lip corner puller, right"], ["AU14 dimpler, right"]]), [
    "coding 1: AU12 lip corner puller, right",
    "coding 2: AU14 dimpler, right",
  ]);
});

test("the clash table names AU sets and their labels, most samples first", () => {
  assert.equal(auSetText([1, 2]), "AU1+AU2");
  assert.equal(auSetText([]), "no AU");
  assert.equal(clashLabelsText({ negative: 1, positive: 5, surprise: 1 }), "positive 5, negative 1, surprise 1");
  assert.equal(
    typicalText({ au: 12, name: "lip corner puller", in_class: 0.92, in_others: 0.04 }),
    "AU12 lip corner puller: 92% of the class, 4% of the others",
  );
});
