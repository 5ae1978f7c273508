// Review next's pure helpers (the address, the runs picked, the queue's texts, why a run
// flagged a sample, the loss curves' geometry), run by node --test in make test.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  CURVE,
  curvePath,
  curveScale,
  curvesSummary,
  endsText,
  loneDots,
} from "../../backend/meclean/frontend/js/triage-curves.js";
import {
  chosenFromAddress,
  endText,
  knownRuns,
  lossParts,
  MAX_RUNS,
  myVerdictText,
  neighbourName,
  percent,
  predictionParts,
  PROPOSAL_AGAINST_PROBABILITIES,
  queueStep,
  relabelledText,
  runChoiceText,
  sampleHeading,
  SIGNAL_NAMES,
  signalRows,
  statusText,
  toggledRuns,
  toggledSignals,
  triageAddress,
} from "../../backend/meclean/frontend/js/triage-text.js";

const WHY = {
  given: "positive",
  current_label: "positive",
  prediction: "negative",
  probabilities: [0.7, 0.2, 0.1],
  seed_predictions: ["negative", "positive"],
  proposed_label: "negative",
  loss_above_in_class: 0.9,
  class_size: 40,
  loss_above_in_subject: null,
  subject_size: 1,
  flag_rate: 0.25,
  high_loss: true,
  label_issue: false,
};

test("the address keeps the runs, the position and the disagreement filter", () => {
  assert.deepEqual(chosenFromAddress("#/triage?runs=3,5&at=7&disagreement=true"), {
    runs: [3, 5],
    at: 7,
    disagreement: true,
  });
  // No runs in the address reads as run 0, which no run is: knownRuns drops it.
  assert.deepEqual(chosenFromAddress("#/triage"), { runs: [0], at: 0, disagreement: false });
  assert.deepEqual(knownRuns(chosenFromAddress("#/triage").runs, [{ id: 1 }]), []);
  assert.deepEqual(chosenFromAddress("#/triage?runs=x,2&at=-1").at, 0);
  assert.deepEqual(chosenFromAddress("#/triage?runs=x,2&at=1.5"), { runs: [2], at: 0, disagreement: false });
  assert.equal(triageAddress([3, 5], 7, true), "#/triage?runs=3,5&at=7&disagreement=true");
  assert.equal(triageAddress([], 0, false), "#/triage?runs=&at=0");
  assert.deepEqual(chosenFromAddress(triageAddress([4], 2, false)), { runs: [4], at: 2, disagreement: false });
});

test("the runs picked: only those with results, never none nor more than the most", () => {
  const runs = [1, 2, 3, 4, 5, 6, 7].map((id) => ({ id }));
  assert.deepEqual(knownRuns([9, 2, 1], runs), [2, 1]);
  assert.equal(knownRuns([1, 2, 3, 4, 5, 6, 7], runs).length, MAX_RUNS);
  assert.deepEqual(toggledRuns([1], 2, true), [1, 2]);
  assert.deepEqual(toggledRuns([1, 2], 1, false), [2]);
  assert.equal(toggledRuns([1], 1, false), null);
  assert.equal(toggledRuns([1, 2, 3, 4, 5], 6, true), null);
});

test("a run's choice names its method, epochs and UF1 where it has one", () => {
  const run = { id: 3, epochs: 1, method: { name: "ilc" }, summary: { composite: { uf1_mean: 0.61234 } } };
  assert.equal(runChoiceText(run), " run 3 (ilc, 1 epoch, UF1 0.612)");
  assert.equal(runChoiceText({ ...run, epochs: 4, summary: null }), " run 3 (ilc, 4 epochs)");
});

test("the queue's status, its end, and the keys' steps within it", () => {
  const queue = { reviewed: 1, flagged: 3, flagged_unreviewed: 2 };
  assert.equal(
    statusText(0, 10, queue),
    "Sample 1 of 10 in the queue · 1 sample reviewed by me · 2 of 3 flagged samples not yet reviewed by me",
  );
  assert.match(statusText(10, 10, queue), /^All 10 samples of the queue seen · /);
  assert.equal(endText(true, 0), "No sample the experts disagree on.");
  assert.equal(endText(true, 4), "The end of the queue.");
  assert.equal(endText(false, 0), "The end of the queue.");
  assert.equal(queueStep("j", 0, 2), 1);
  assert.equal(queueStep("ArrowRight", 2, 2), 0);
  assert.equal(queueStep("k", 1, 2), -1);
  assert.equal(queueStep("ArrowLeft", 0, 2), 0);
  assert.equal(queueStep("c", 1, 2), 0);
});

test("the sample shown: its heading, my verdict, its neighbours' names", () => {
  const sample = { label: "positive", source: "casme2", subject: "s01", name: "EP01" };
  assert.equal(sampleHeading(sample), "positive | casme2/s01 | EP01");
  assert.equal(myVerdictText(null), "unmarked");
  assert.equal(myVerdictText({ verdict: "clean", typical: true }), "clean (typical)");
  assert.equal(myVerdictText({ verdict: "noisy", typical: false }), "noisy");
  assert.equal(neighbourName({ name: "casme2/s01/EP02" }), "s01/EP02");
});

test("the signals say why a sample is this far up, experts' marks hidden while blind", () => {
  const item = {
    score: 0.8,
    signals: { loss: 2, flag_rate: 0.456, label_quality: 0.1, disagreement: true },
    sample: { label: "negative", action_units: null },
  };
  const rows = signalRows(item);
  assert.deepEqual(
    rows.map(([name, value]) => [name, value]),
    [
      ["Out-of-fold loss", "2.000"],
      ["Flag rate", "46%"],
      ["Label quality", "0.100"],
      ["Experts", "disagree"],
      ["Suspicion", "0.800"],
    ],
  );
  assert.equal(signalRows({ ...item, marks_hidden: true })[3][1], "hidden until you mark it (blind marking)");
  assert.equal(signalRows({ ...item, signals: { ...item.signals, disagreement: false } })[3][1], "no disagreement");
  assert.equal(percent(0.125), "13%");
});

test("why a run flagged a sample, in words", () => {
  assert.equal(relabelledText(WHY), null);
  assert.match(relabelledText({ ...WHY, current_label: "negative" }), /^Relabelled since: .* it is now negative\. /);
  assert.deepEqual(predictionParts(WHY, ["negative", "positive", "surprise"]), [
    "Given positive, predicted negative (negative 0.70, positive 0.20, surprise 0.10)",
    "; per seed: negative, positive",
    "; proposed relabel: negative",
    ".",
  ]);
  // A proposal against the out-of-fold probabilities says where each comes from.
  assert.equal(
    predictionParts({ ...WHY, proposed_label: "surprise" }, ["negative", "positive", "surprise"])[2],
    `; proposed relabel: surprise${PROPOSAL_AGAINST_PROBABILITIES}`,
  );
  assert.match(PROPOSAL_AGAINST_PROBABILITIES, /flags raised while the sample was trained on/);
  assert.deepEqual(predictionParts({ ...WHY, seed_predictions: ["negative"], proposed_label: null }, []).slice(1), [
    "",
    "",
    ".",
  ]);
  assert.equal(
    lossParts(WHY).join(""),
    "Its out-of-fold loss is higher than 90% of the other samples labelled positive (40) " +
      "and it is alone of its subject (1); flagged in 25% of its training updates; high loss in the final model.",
  );
});

test("the loss curves' scale spans the epochs and the highest loss", () => {
  const scale = curveScale([2, 1, 0.5], [1, null, 4]);
  assert.equal(scale.top, 4);
  assert.equal(scale.x(0), CURVE.left);
  assert.equal(scale.x(2), CURVE.width - CURVE.right);
  assert.equal(scale.y(0), CURVE.height - CURVE.bottom);
  assert.equal(scale.y(4), CURVE.top);
  assert.equal(curveScale([null], []).top, 1e-6);
  assert.equal(curveScale([1], []).x(0), CURVE.left);
});

test("a curve's gaps start new strokes, and a value alone is a dot", () => {
  const scale = { x: (i) => i * 10, y: (v) => v };
  assert.equal(curvePath([1, 2, null, 3, 4], scale), "M0.0,1.0L10.0,2.0M30.0,3.0L40.0,4.0");
  assert.equal(curvePath([], scale), "");
  assert.deepEqual(loneDots([1, null, 3, null, 5, 6], scale), [
    { cx: "0.0", cy: "1.0" },
    null,
    { cx: "20.0", cy: "3.0" },
    null,
    null,
    null,
  ]);
});

test("the curves in words", () => {
  assert.equal(endsText([null, 1.5, 0.25]), "1.50 at the first epoch with a value, 0.25 at the last");
  assert.equal(endsText([null]), "none");
  assert.equal(
    curvesSummary([1, 0.5], [], "positive"),
    "Training loss over 2 epochs: 1.00 at the first epoch with a value, 0.50 at the last.",
  );
  assert.match(
    curvesSummary([1], [2], "positive"),
    /^Training loss over 1 epoch: .*; the median of the other samples labelled positive: 2\.00 at .*\.$/,
  );
});

test("the signals' rows show the runs' only with a run, and the AUs' where the sheet coded them", () => {
  const item = {
    score: 0.9,
    marks_hidden: false,
    signals: {
      loss: null,
      flag_rate: null,
      label_quality: null,
      disagreement: false,
      au_support: 0.05,
      au_reason: "AU12 appears in 5 of 5 positive samples",
    },
    sample: { label: "negative", action_units: "R12" },
  };
  const rows = signalRows(item);
  assert.deepEqual(
    rows.map((r) => r[0]),
    ["Experts", "Action units", "Suspicion"],
  );
  assert.deepEqual(rows[1], ["Action units", "R12: negative 0.05", "AU12 appears in 5 of 5 positive samples"]);
  const unjudged = signalRows({ ...item, signals: { ...item.signals, au_support: null, au_reason: null } });
  assert.equal(unjudged[1][1], "R12: cannot judge");
  assert.match(unjudged[1][2], /^too few samples/);
  const uncoded = signalRows({ ...item, sample: { label: "negative", action_units: null } });
  assert.deepEqual(
    uncoded.map((r) => r[0]),
    ["Experts", "Suspicion"],
  );
});

test("ticking signals keeps at least one, and all of them is the server's default", () => {
  const available = ["disagreement", "loss", "au_evidence"];
  assert.deepEqual(toggledSignals([], available, "loss", false), ["disagreement", "au_evidence"]);
  assert.deepEqual(toggledSignals(["au_evidence"], available, "au_evidence", false), null);
  assert.deepEqual(toggledSignals(["au_evidence"], available, "loss", true), ["loss", "au_evidence"]);
  assert.deepEqual(toggledSignals(["disagreement", "au_evidence"], available, "loss", true), []);
  assert.equal(SIGNAL_NAMES.au_evidence, "action units");
});

test("a sample's timing doubts make a row once the motion is measured", () => {
  const item = {
    score: 0.5,
    marks_hidden: false,
    signals: { loss: null, disagreement: false, au_support: null, timing: ["the apex is the onset frame (10)"] },
    sample: { label: "negative", action_units: null },
  };
  assert.deepEqual(signalRows(item)[1], ["Timing", "1 doubt", "the apex is the onset frame (10)"]);
  const clear = signalRows({ ...item, signals: { ...item.signals, timing: [] } });
  assert.equal(clear[1][1], "no doubt");
  const unmeasured = signalRows({ ...item, signals: { ...item.signals, timing: null } });
  assert.deepEqual(
    unmeasured.map((r) => r[0]),
    ["Experts", "Suspicion"],
  );
  assert.equal(SIGNAL_NAMES.timing, "timing doubts");
});
