// The runs screens' pure helpers (launch form, list, comparison, run page), run by
// node --test in make test.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  fieldsTaken,
  inFormOrder,
  launchBody,
  launchRefusal,
  marksAddress,
  placeholders,
  planRefusal,
  planText,
} from "../../backend/meclean/frontend/js/runs-plans.js";
import {
  cancelQuestion,
  comparisonKey,
  differenceText,
  heatmapFigure,
  liveText,
  methodText,
  newestFirst,
  parametersText,
  partFolds,
  partProgress,
  protocolRows,
  progressText,
  runTitle,
  scoreText,
} from "../../backend/meclean/frontend/js/runs-text.js";

const ILC = { name: "ilc", q_default: null, warmup_share: 0.25, needs_marks: false };
const IDC = { name: "idc", q_default: 30, warmup_share: null, needs_marks: true };
const FORM = {
  method: "idc",
  device: "auto",
  protocol: "meclean",
  alpha: "1.5",
  q: "",
  warmup_epochs: "7",
  epochs: "40",
  seeds: "2",
  label_version_id: "3",
  marks_user: "",
  consensus: "cleanlab",
  consensus_run_id: "9",
};

test("the paper's methods come first in its order, then the others as the server lists them", () => {
  const names = inFormOrder([
    { name: "gce" },
    { name: "idc+ltm" },
    { name: "sce" },
    { name: "idc" },
    { name: "ltm" },
    { name: "ilc" },
  ]);
  assert.deepEqual(
    names.map((m) => m.name),
    ["ilc", "ltm", "idc", "idc+ltm", "gce", "sce"],
  );
});

test("the launch form's default method is the paper's first, ilc, wherever the server lists it", () => {
  // The sort key was once (index + 99) % 100, which sent ilc after every other method.
  const methods = ["baseline", "gce", "ltm", "idc", "ilc", "sce"].map((name) => ({ name }));
  assert.equal(inFormOrder(methods)[0].name, "ilc");
  assert.deepEqual(
    inFormOrder([{ name: "sce" }, { name: "gce" }]).map((m) => m.name),
    ["sce", "gce"],
  );
});

test("a method takes the fields its catalogue entry says, cleanlab's run only with cleanlab", () => {
  assert.deepEqual(fieldsTaken(ILC, "cleanlab"), { q: false, warmup: true, marks: false, cleanlab: false });
  assert.deepEqual(fieldsTaken(IDC, "majority"), { q: true, warmup: false, marks: true, cleanlab: false });
  assert.equal(fieldsTaken(IDC, "cleanlab").cleanlab, true);
});

test("the placeholders show the defaults, warm-up as a share of the epochs typed or the default", () => {
  const defaults = { epochs: 100 };
  assert.deepEqual(placeholders(ILC, fieldsTaken(ILC), "40", defaults), { q: "", warmup: "default 10" });
  assert.deepEqual(placeholders(ILC, fieldsTaken(ILC), "", defaults), { q: "", warmup: "default 25" });
  assert.deepEqual(placeholders(ILC, fieldsTaken(ILC), "1", defaults), { q: "", warmup: "default 1" });
  assert.deepEqual(placeholders(IDC, fieldsTaken(IDC), "40", defaults), { q: "default 30", warmup: "" });
});

test("only the parameters the method takes are sent, as numbers", () => {
  assert.deepEqual(launchBody(FORM, ILC), {
    method: "idc",
    device: "auto",
    protocol: "meclean",
    alpha: 1.5,
    epochs: 40,
    seeds: 2,
    label_version_id: 3,
    warmup_epochs: 7,
  });
  const idc = launchBody({ ...FORM, q: "12.5", marks_user: "ana" }, IDC);
  assert.equal(idc.q, 12.5);
  assert.equal(idc.warmup_epochs, undefined);
  assert.equal(idc.consensus, "cleanlab");
  assert.equal(idc.marks_user, "ana");
  assert.equal(idc.consensus_run_id, 9);
  const majority = launchBody({ ...FORM, consensus: "majority" }, IDC);
  assert.equal(majority.consensus_run_id, undefined);
  assert.equal("marks_user" in majority, false);
});

test("the plan reads the effective parameters, the folds, the clean set and the estimate", () => {
  const plan = {
    method: { method: "idc", q: 30, warmup_epochs: 5 },
    protocol: "paper",
    label_version_id: 4,
    folds: 26,
    seeds: 1,
    epochs: 2,
    clean_per_class: { negative: 10, positive: 4 },
    consensus_run_id: 7,
    estimate_s: 125,
  };
  assert.equal(
    planText(plan),
    "Runs idc (q 30, warmup 5) under the paper protocol on label version 4: 26 LOSO folds × 1 seed × 2 epochs; IDC clean set negative 10, positive 4 " +
      "(experts weighed by cleanlab against run 7); about 2 min 5 s at the pace of this dataset's last runs.",
  );
  assert.equal(
    planText({ ...plan, method: { method: "ce" }, clean_per_class: null, estimate_s: null, seeds: 3 }),
    "Runs ce under the paper protocol on label version 4: 26 LOSO folds × 3 seeds × 2 epochs; no finished run yet to estimate its duration from.",
  );
});

test("refusals name the field the server refused", () => {
  const error = { message: "no marks", detail: { field: "marks_user" } };
  assert.equal(planRefusal(error), "Cannot run: no marks (IDC marks from)");
  assert.equal(launchRefusal(error), "no marks (marks_user)");
  assert.equal(planRefusal({ message: "busy" }), "Cannot run: busy");
  assert.equal(launchRefusal({ message: "busy", detail: {} }), "busy");
});

const progress = {
  fraction: 0.5,
  folds_done: 13,
  folds_total: 26,
  running_parts: 1,
  stage: "fold 14",
  eta_s: 90,
  loss: 0.4321,
  uf1: null,
};

test("a running run's progress counts folds; a stage only while one task runs", () => {
  const run = { id: 1, status: "running", progress };
  assert.deepEqual(progressText(run), {
    percent: 50,
    detail: "50%, 13 of 26 LOSO folds, fold 14, 1 min 30 s left, loss 0.432",
  });
  const two = progressText({ ...run, progress: { ...progress, running_parts: 2, fraction: 0.05, uf1: 0.6 } });
  assert.equal(two.detail, "5%, 13 of 26 LOSO folds, loss 0.432, UF1 so far 0.600");
  assert.equal(progressText({ ...run, status: "failed", error: "out of memory" }).detail, "out of memory");
  assert.equal(progressText({ ...run, status: "queued" }).detail, "50%");
});

test("scores read UF1 and UAR with their spreads, a dash when the group has none", () => {
  const summary = { composite: { uf1_mean: 0.7, uf1_std: 0.01, uar_mean: 0.65, uar_std: 0.02 } };
  assert.equal(scoreText(summary, "composite"), "0.7000 ± 0.0100 / 0.6500 ± 0.0200");
  assert.equal(scoreText(summary, "samm"), "–");
  assert.equal(scoreText(null, "composite"), "–");
});

test("a difference reads its signed interval and its test, or why there is no paired test", () => {
  const d = { difference: 0.05, ci_low: -0.01, ci_high: 0.1, p_value: 0.0412, paired_seeds: 3 };
  assert.equal(differenceText(d), "+0.0500 [-0.0100, +0.1000], p = 0.041 over 3 seeds: ");
  assert.equal(
    differenceText({ ...d, difference: -0.02, p_value: null, paired_seeds: 1 }),
    "-0.0200 [-0.0100, +0.1000], no paired test (1 shared seed): ",
  );
  assert.match(differenceText({ ...d, p_value: null, paired_seeds: 0 }), /\(0 shared seeds\)/);
});

test("the list shows alpha only for the methods the server says train by it", () => {
  const run = { method: { name: "ltm", alpha: 2 }, protocol: "paper" };
  assert.equal(methodText(run, new Set(["ltm"])), "ltm α=2 (paper protocol)");
  assert.equal(methodText({ ...run, protocol: "meclean" }, new Set()), "ltm");
});

test("runs list newest first; a comparison is asked again when a picked run changes", () => {
  assert.deepEqual(
    newestFirst([{ id: 2 }, { id: 9 }, { id: 5 }]).map((r) => r.id),
    [9, 5, 2],
  );
  const picked = [
    { id: 3, status: "succeeded" },
    { id: 4, status: "running" },
  ];
  assert.equal(comparisonKey(picked), "3:succeeded,4:running");
  assert.equal(comparisonKey([]), "");
});

test("cancelling says how much training is lost", () => {
  assert.equal(cancelQuestion(4, { progress: { fraction: 0.374 } }), "Cancel run 4; the 37% trained so far is lost?");
  assert.equal(cancelQuestion(4, { progress: { fraction: 0 } }), "Cancel run 4?");
  assert.equal(cancelQuestion(4, undefined), "Cancel run 4?");
});

const RUN = {
  id: 7,
  method: { name: "idc", resolved: { method: "idc", q: 30 } },
  epochs: 1,
  seeds: [0, 1],
  protocol: "meclean",
  label_version_id: 2,
  clean_set_from: null,
  status: "running",
  error: null,
  progress: { ...progress, eta_s: 0 },
};

test("a run's page names its method, epochs, seeds, protocol and resolved parameters", () => {
  assert.equal(runTitle(RUN), "Run 7: idc, 1 epoch × 2 seeds, meclean protocol");
  assert.equal(parametersText(RUN), "Parameters: idc (q 30); 1 epoch × 2 seeds; label version v2; meclean protocol.");
  assert.equal(
    parametersText({
      ...RUN,
      method: { method: "ce" },
      clean_set_from: "all experts by majority",
      clean_samples: 40,
    }),
    "Parameters: ce; 1 epoch × 2 seeds; label version v2; meclean protocol; clean set of 40 from all experts by majority.",
  );
});

test("a run's live status names its stage and time left when known", () => {
  assert.deepEqual(liveText(RUN), {
    status: "Status: running",
    percent: 50,
    progress: " 13 of 26 LOSO folds trained; now fold 14",
  });
  const failed = liveText({ ...RUN, status: "failed", error: "boom", progress: { ...progress, stage: null } });
  assert.equal(failed.status, "Status: failed (boom)");
  assert.equal(failed.progress, " 13 of 26 LOSO folds trained; 1 min 30 s left");
});

test("a task counts its folds from 1 and its progress in folds and epochs", () => {
  const part = { kind: "folds", folds: [0, 1, 2], done: 25, total: 30 };
  assert.equal(partFolds(part), "1, 2, 3");
  assert.equal(partFolds({ folds: [] }), "–");
  assert.equal(partProgress(part, 10), "2 / 3 folds, 25 / 30 epochs");
  assert.equal(partProgress({ ...part, done: 40 }, 10), "3 / 3 folds, 40 / 30 epochs");
  assert.equal(partProgress({ kind: "final", folds: [], done: 3, total: 10 }, 10), "3 / 10");
});

test("a confusion heatmap puts true classes down and predicted across, with counts as text", () => {
  const [traces, layout, config] = heatmapFigure(
    [
      [3, 1],
      [0, 2],
    ],
    ["negative", "positive"],
    "CASME II (seed 0)",
  );
  assert.equal(traces.length, 1);
  assert.deepEqual(traces[0].text, [
    ["3", "1"],
    ["0", "2"],
  ]);
  assert.deepEqual(traces[0].y, ["negative", "positive"]);
  assert.equal(layout.yaxis.autorange, "reversed");
  assert.equal(layout.title.text, "CASME II (seed 0)");
  assert.equal(config.displayModeBar, false);
});

test("the marks IDC would read are one expert's, or all experts' by the consensus rule", () => {
  assert.equal(marksAddress(3, "ana lee", "majority"), "/api/datasets/3/marks.csv?user=ana%20lee");
  assert.equal(marksAddress(3, "", "any-noisy"), "/api/datasets/3/marks.csv?rule=any-noisy");
});

test("a recorded protocol reads as rows of dotted fields, unset ones left out", () => {
  assert.deepEqual(protocolRows({ method: { name: "ilc", alpha: 1 }, epochs: 10, seeds: [0, 1], flow: null }), [
    ["method.name", "ilc"],
    ["method.alpha", "1"],
    ["epochs", "10"],
    ["seeds", "0, 1"],
  ]);
});
