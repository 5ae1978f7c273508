// The shell's pure helpers (the screen of an address, the dataset chosen at sign-in, the
// progress counter's texts), run by node --test in make test.
import assert from "node:assert/strict";
import { test } from "node:test";

import { chosenDataset, progressTexts, routeOf } from "../../backend/meclean/frontend/js/app-state.js";

const screen = (hash, hasDataset = true) => routeOf(hash, hasDataset)?.screen ?? null;

test("each address shows its screen, and the numbers in it are matched", () => {
  assert.equal(screen("#/samples"), "samples");
  assert.equal(screen("#/samples?label=positive"), "samples");
  assert.equal(screen("#/triage?runs=1,2"), "triage");
  assert.equal(screen("#/class-means"), "class-means");
  assert.equal(screen("#/action-units"), "action-units");
  assert.equal(screen("#/timing"), "timing");
  assert.equal(screen("#/runs"), "runs");
  assert.equal(screen("#/labels"), "labels");
  assert.equal(screen("#/agreement"), "agreement");
  assert.equal(screen("#/account"), "account");
  assert.equal(screen("#/users"), "users");
  assert.equal(routeOf("#/sample/12", true).match[1], "12");
  assert.equal(screen("#/runs/3"), "run");
  const projection = routeOf("#/runs/3/projection", true);
  assert.equal(projection.screen, "projection");
  assert.equal(projection.match[1], "3");
});

test("an unknown or malformed address shows no screen", () => {
  for (const hash of ["", "#/", "#/sample/x", "#/samplesx", "#/runs/3/other", "#/users/1"]) {
    assert.equal(routeOf(hash, true), null, hash);
  }
});

test("without a dataset, only the signer's own screens show", () => {
  assert.equal(screen("#/samples", false), null);
  assert.equal(screen("#/sample/1", false), null);
  assert.equal(screen("#/account", false), "account");
  assert.equal(screen("#/users", false), "users");
});

test("the dataset picked last on this browser, else the first, else none", () => {
  const datasets = [{ id: 1 }, { id: 2 }];
  assert.equal(chosenDataset(datasets, 2), datasets[1]);
  assert.equal(chosenDataset(datasets, 9), datasets[0]);
  assert.equal(chosenDataset(datasets, 0), datasets[0]);
  assert.equal(chosenDataset([], 1), null);
});

test("the counter counts my verdicts and everyone's, and says what is not saved yet", () => {
  const progress = {
    samples: 10,
    marked: 4,
    my_verdicts: { clean: 2, noisy: 1 },
    verdicts: { clean: 2, noisy: 1, unsure: 1 },
  };
  assert.deepEqual(progressTexts(progress, 0), {
    mine: "Me: 3 / 10 marked (2 clean, 1 noisy, 0 unsure)",
    all: "Everyone: 4 / 10 samples marked; verdicts: 2 clean, 1 noisy, 1 unsure",
    unsaved: null,
  });
  assert.equal(
    progressTexts({ ...progress, my_verdicts: {} }, 2).mine,
    "Me: 0 / 10 marked (0 clean, 0 noisy, 0 unsure)",
  );
  assert.equal(progressTexts(progress, 2).unsaved, "2 unsaved");
});
