// The projection's pure helpers (review states, high loss at another alpha, the Plotly
// figure), run by node --test in make test.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  alphaText,
  decisionText,
  highLossAt,
  inReviewOrder,
  keptIndices,
  probabilitiesText,
  proposalText,
  replaceMarksQuestion,
  returnTrail,
  reviewCounts,
  reviewOf,
  tallyText,
  thresholdAt,
  withdrawnText,
} from "../../backend/meclean/frontend/js/projection-review.js";
import {
  colourClass,
  colourGroups,
  MAX_LEGEND_GROUPS,
  verdictGroup,
  VERDICT_GROUPS,
  plotConfig,
  projectionLayout,
  projectionTraces,
  toggleText,
} from "../../backend/meclean/frontend/js/projection-traces.js";

// Four samples: 0 has a pending proposal, 1 an accepted one, 2 a rejected one, 3 none.
const DATA = {
  sample_id: [10, 11, 12, 13],
  name: ["s<b>0", "s1", "s2", "s3"],
  subject: ["sub2", "sub1", "sub2", "sub1"],
  source: ["samm", "casme2", "samm", "samm"],
  classes: ["negative", "positive", "surprise"],
  label: ["negative", "positive", "negative", "surprise"],
  current_label: ["negative", "positive", "negative", "surprise"],
  proposed_label: ["positive", "negative", "surprise", null],
  review: [null, "accepted", "rejected", null],
  prediction: ["positive", "negative", "negative", "surprise"],
  probabilities: [
    [0.1, 0.8, 0.1],
    [0.7, 0.2, 0.1],
    [0.5, 0.1, 0.4],
    [0, 0, 1],
  ],
  flag_rate: [0.5, 0.25, 0, 0],
  x: [1, 2, 3, 4],
  y: [5, 6, 7, 8],
  final_loss: [1, 2, 3, null],
  high_loss: [false, false, true, false],
};

const SCREEN = {
  run: { id: 4, method: { name: "ilc", alpha: 1 } },
  data: DATA,
  after: false,
  colourBy: "label",
  scatter: "scattergl",
  selected: [],
  high: DATA.high_loss,
  alpha: 1,
  runAlpha: 1,
};

test("a proposal is pending until decided; samples without one have no review state", () => {
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => reviewOf(DATA, i)),
    ["pending", "accepted", "rejected", null],
  );
  assert.deepEqual(reviewCounts(DATA), { pending: 1, accepted: 1, rejected: 1 });
  assert.equal(tallyText(DATA), "Proposed relabels: 1 pending, 1 accepted, 1 rejected");
});

test("the selection lists pending proposals first, then decided ones, then the rest", () => {
  assert.deepEqual(inReviewOrder(DATA, [3, 2, 1, 0]), [0, 1, 2, 3]);
  assert.deepEqual(inReviewOrder(DATA, [3, 1]), [1, 3]);
});

test("high loss at another alpha: above mean + alpha sample std of the stored losses", () => {
  // losses 1, 2, 3: mean 2, sample std 1
  assert.equal(thresholdAt([1, 2, 3, null], 0.5), 2.5);
  assert.equal(thresholdAt([1, null], 1), null);
  assert.deepEqual(highLossAt(DATA, 0.5, 1), [false, false, true, false]);
  assert.deepEqual(highLossAt(DATA, 0, 1), [false, false, true, false]);
  assert.deepEqual(highLossAt({ ...DATA, final_loss: [1, 2, 4, null] }, 0, 1), [false, false, true, false]);
  assert.deepEqual(highLossAt({ ...DATA, final_loss: [1, 3, 3, 3] }, 0, 1), [false, true, true, true]);
});

test("at the run's own alpha, the high-loss samples are the server's", () => {
  const high = [true, false, false, false];
  assert.equal(highLossAt({ ...DATA, high_loss: high }, 1, 1), high);
  assert.equal(highLossAt({ ...DATA, final_loss: [1, null, null, null] }, 2, 1), DATA.high_loss);
});

test("the alpha line counts the samples and recalls the run's own count at another alpha", () => {
  assert.equal(alphaText([true, false, true], 1, 1, 2), "2 samples above mean + 1 std of the final model's losses");
  assert.equal(
    alphaText([true], 0.5, 1, 2),
    "1 sample above mean + 0.5 std of the final model's losses (the run drew 2 at α = 1)",
  );
});

test("proposals say which method made them, and a flagger's method only leaves samples out", () => {
  assert.equal(proposalText(DATA, 0, "idc+ilc"), "ILC proposes positive");
  assert.equal(
    proposalText(DATA, 0, "idc+ltm"),
    "relabel positive suggested by LTM's training flags (LTM itself only leaves flagged samples out)",
  );
  assert.equal(probabilitiesText(DATA, 0), "negative 0.10, positive 0.80, surprise 0.10");
});

test("decisions and their undoing say what changed in the labels", () => {
  assert.equal(
    decisionText({ reviewed: 3, label_version_id: 5, unchanged: [1] }, true),
    "Accepted 3 relabels into label version 5 (1 already had the proposed label)",
  );
  assert.equal(decisionText({ reviewed: 1, label_version_id: 5, unchanged: [1] }, false), "Rejected 1 relabel");
  assert.equal(
    withdrawnText({ withdrawn: 2, label_version_id: 6 }),
    "Took back 2 decisions; labels restored in version 6",
  );
  assert.equal(withdrawnText({ withdrawn: 1, label_version_id: null }), "Took back 1 decision");
});

test("replacing marks names at most ten samples and counts the rest", () => {
  assert.equal(
    replaceMarksQuestion({ 11: "clean", 99: "noisy" }, DATA, "noisy"),
    '2 of these samples already have another mark of yours:\ns1 (clean)\n99 (noisy)\n\nReplace them with "noisy"?',
  );
  const many = Object.fromEntries(Array.from({ length: 12 }, (_, k) => [100 + k, "clean"]));
  const question = replaceMarksQuestion(many, DATA, "clean");
  assert.match(question, /^12 of these samples/);
  assert.match(question, /\n…and 2 more\n/);
  assert.equal(question.split("(clean)").length - 1, 10);
});

test("a kept selection comes back as points, and a sample opened returns to it", () => {
  assert.deepEqual(keptIndices(DATA, [13, 10, 99]), [0, 3]);
  assert.deepEqual(returnTrail(DATA, [3, 0], 3, "#/runs/4/projection"), {
    hash: "#/runs/4/projection",
    id: 13,
    ids: [10, 13],
    cursor: null,
    total: 2,
  });
  assert.deepEqual(returnTrail(DATA, [], 1, "#/x").ids, [11]);
});

test("after the relabels, points take their proposal unless it was rejected", () => {
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => colourClass(DATA, i, false)),
    ["negative", "positive", "negative", "surprise"],
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => colourClass(DATA, i, true)),
    ["positive", "negative", "negative", "surprise"],
  );
});

test("the legend's groups: the server's classes, or subjects and sources sorted", () => {
  assert.deepEqual(colourGroups(SCREEN), ["negative", "positive", "surprise"]);
  assert.deepEqual(colourGroups({ ...SCREEN, colourBy: "subject" }), ["sub1", "sub2"]);
  assert.deepEqual(colourGroups({ ...SCREEN, colourBy: "source" }), ["casme2", "samm"]);
});

test("the figure: high-loss crosses first, a trace per class, then the review states' legend", () => {
  const traces = projectionTraces(SCREEN);
  assert.deepEqual(
    traces.map((t) => t.name),
    [
      "high loss of the final model",
      "negative",
      "positive",
      "surprise",
      "relabel pending (1)",
      "relabel accepted (1)",
      "relabel rejected (1)",
    ],
  );
  assert.ok(traces.every((t) => t.type === "scattergl"));
  const [cross, negative] = traces;
  assert.deepEqual(cross.customdata, [2]);
  assert.deepEqual(negative.customdata, [0, 2]);
  assert.deepEqual(negative.marker.symbol, ["circle", "circle"]);
  assert.deepEqual(negative.marker.line.width, [2.5, 1.5]);
  assert.equal(negative.selectedpoints, undefined);
  // Names are text to Plotly, never markup.
  assert.match(negative.text[0], /^s&lt;b&gt;0<br>label negative, predicted positive<br>/);
  assert.match(negative.text[0], /ILC proposes positive \(pending\)<br>flag rate 0.50$/);
});

test("the figure keeps the selection and names another alpha's crosses", () => {
  const traces = projectionTraces({ ...SCREEN, selected: [2], alpha: 0.5, scatter: "scatter", colourBy: "source" });
  assert.equal(traces[0].name, "high loss at α = 0.5");
  assert.deepEqual(traces[0].selectedpoints, [0]);
  const samm = traces.find((t) => t.name === "samm");
  assert.deepEqual(samm.customdata, [0, 2, 3]);
  assert.deepEqual(samm.selectedpoints, [1]);
  assert.match(samm.marker.color, /^hsl\(/);
  assert.ok(traces.every((t) => t.type === "scatter"));
});

test("the layout and the toggle say before or after, and which relabels", () => {
  assert.equal(projectionLayout(SCREEN).title.text, "Run 4 (ilc): before ILC relabelling");
  const ltm = { ...SCREEN, run: { id: 5, method: { name: "ltm" } }, after: true, colourBy: "subject" };
  assert.equal(projectionLayout(ltm).title.text, "Run 5 (ltm): after the suggested relabels");
  assert.equal(projectionLayout(ltm).legend.title.text, "subject / flag");
  assert.equal(projectionLayout({ ...SCREEN, colourBy: "source" }).legend.title.text, "dataset / flag");
  assert.equal(toggleText(false, "ilc"), "Show after ILC");
  assert.equal(toggleText(true, "ltm"), "Show before the relabels");
  assert.equal(plotConfig().displaylogo, false);
  assert.notEqual(plotConfig(), plotConfig());
});

test("colouring by the experts' verdicts groups agreement, disagreement and none", () => {
  const v = (verdict) => ({ user: "a", verdict });
  assert.equal(verdictGroup([v("clean"), v("clean")]), "marked clean");
  assert.equal(verdictGroup([v("clean"), v("noisy")]), "experts disagree");
  assert.equal(verdictGroup([v("unsure")]), "marked unsure");
  assert.equal(verdictGroup([]), "no verdict");
  const data = { ...DATA, verdicts: [[v("noisy")], [], [v("clean"), v("noisy")], [v("clean")]] };
  const traces = projectionTraces({ ...SCREEN, data, colourBy: "verdict" });
  const noisy = traces.find((t) => t.name === "marked noisy");
  assert.deepEqual(noisy.customdata, [0]);
  assert.deepEqual(colourGroups({ ...SCREEN, colourBy: "verdict" }), VERDICT_GROUPS);
});

test("colouring by loss draws one trace on a colour scale; by subject, no legend but a pick", () => {
  const [, byLoss] = projectionTraces({ ...SCREEN, colourBy: "loss" });
  assert.deepEqual(byLoss.marker.color, [1, 2, 3, 0]);
  assert.equal(byLoss.marker.showscale, true);
  const traces = projectionTraces({ ...SCREEN, colourBy: "subject", subject: "sub1" });
  const [sub1, sub2] = ["sub1", "sub2"].map((s) => traces.find((t) => t.name === s));
  assert.equal(sub1.showlegend, true); // two subjects: a legend still reads
  assert.equal(sub1.marker.opacity, 0.85);
  assert.equal(sub2.marker.opacity, 0.12);
  // One sample per subject, more subjects than a legend holds: each column as sample 0's.
  const subjects = Array.from({ length: MAX_LEGEND_GROUPS + 1 }, (_, i) => `s${i}`);
  const column = (values) => (Array.isArray(values) && values.length === 4 ? subjects.map(() => values[0]) : values);
  const crowd = Object.fromEntries(Object.entries(DATA).map(([key, values]) => [key, column(values)]));
  const data = { ...crowd, subject: subjects, sample_id: subjects.map((_, i) => i) };
  const wall = projectionTraces({ ...SCREEN, data, high: data.high_loss, colourBy: "subject" });
  assert.ok(wall.filter((t) => subjects.includes(t.name)).every((t) => t.showlegend === false));
});
