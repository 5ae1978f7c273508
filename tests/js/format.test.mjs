// The browser's pure helpers, run by node --test in make test.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  canCurate,
  classColour,
  duration,
  fixed,
  groupsOf,
  plotlyText,
  plural,
  referenceName,
  sourceName,
  verdictChoices,
} from "../../backend/meclean/frontend/js/format.js";

test("a name handed to Plotly keeps its markup as text", () => {
  assert.equal(
    plotlyText('<a href="https://x/">s1</a> & <b>'),
    '&lt;a href="https://x/"&gt;s1&lt;/a&gt; &amp; &lt;b&gt;',
  );
  assert.equal(plotlyText(12), "12");
});

test("numbers show a fixed number of digits, and a dash when missing", () => {
  assert.equal(fixed(0.12345), "0.123");
  assert.equal(fixed(2, 1), "2.0");
  assert.equal(fixed(null), "–");
  assert.equal(fixed(undefined), "–");
});

test("durations read in seconds, minutes or hours", () => {
  assert.equal(duration(59.4), "59 s");
  assert.equal(duration(61), "1 min 1 s");
  assert.equal(duration(3660), "1 h 1 min");
  assert.equal(duration(null), "");
});

test("counted nouns take an s except for one", () => {
  assert.equal(plural(1, "relabel"), "1 relabel");
  assert.equal(plural(0, "relabel"), "0 relabels");
  assert.equal(plural(3, "sample"), "3 samples");
});

test("curators and admins curate, annotators do not", () => {
  assert.equal(canCurate({ role: "curator" }), true);
  assert.equal(canCurate({ role: "admin" }), true);
  assert.equal(canCurate({ role: "annotator" }), false);
});

test("a reference run says its UF1 and whether judging by it is circular", () => {
  const run = { id: 3, method: { name: "ilc" }, summary: { composite: { uf1_mean: 0.71234 } } };
  assert.equal(referenceName(run), "run 3: ilc, UF1 0.712");
  assert.equal(
    referenceName({ ...run, summary: null, clean_set_from: "all experts by majority" }),
    "run 3: ilc, trained on the experts' marks (circular)",
  );
});

test("known datasets keep their written names; others show as named", () => {
  assert.equal(sourceName("casme2"), "CASME II");
  assert.equal(sourceName("lab-a"), "lab-a");
  assert.deepEqual(groupsOf({ sources: { casme2: 3, samm: 2 } }), ["composite", "casme2", "samm"]);
});

test("the three classes have fixed colours; other groups cycle through the rest", () => {
  assert.equal(classColour("positive", 0), "#009E73");
  assert.notEqual(classColour("lab-a", 0), classColour("lab-b", 1));
});

test("each verdict gets a button and its first letter, and clean a typical one on t", () => {
  const choices = verdictChoices(["clean", "noisy", "unsure"]);
  assert.deepEqual(
    choices.map((c) => [c.verdict, c.typical, c.label, c.key]),
    [
      ["clean", false, "Clean", "c"],
      ["noisy", false, "Noisy", "n"],
      ["unsure", false, "Unsure", "u"],
      ["clean", true, "Typical", "t"],
    ],
  );
  assert.deepEqual(
    verdictChoices(["noisy"]).map((c) => c.key),
    ["n"],
  );
});
