// The Samples screen's pure helpers (filters in the address and on this browser, the API's
// query, the filters' choices, the cards' texts, the keys' moves), run by node --test in
// make test.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  apiQuery,
  auLine,
  badgeOf,
  cardName,
  cardTitle,
  changeFilter,
  clampFocus,
  columnsOf,
  DEFAULTS,
  dropUnknownRun,
  filtersFrom,
  isMyVerdict,
  keyMove,
  labelChoices,
  returnTrail,
  runChoices,
  runNumbersText,
  samplesAddress,
  shownText,
  sourceChoices,
  verdictFilterChoices,
} from "../../backend/meclean/frontend/js/grid-state.js";

const never = () => assert.fail("the address has filters: the stored ones are not read");

test("the address's filters win, booleans read from 'true', the others at their defaults", () => {
  const filters = filtersFrom("#/samples?label=positive&disagreement=true&flagged=yes&colour=red", never);
  assert.deepEqual(filters, { ...DEFAULTS, label: "positive", disagreement: true, flagged: false });
});

test("without filters in the address, those stored on this browser, or the defaults", () => {
  assert.deepEqual(
    filtersFrom("#/samples", () => '{"subject":"s01","kind":"flow"}'),
    {
      ...DEFAULTS,
      subject: "s01",
      kind: "flow",
    },
  );
  assert.deepEqual(
    filtersFrom("#/samples", () => null),
    DEFAULTS,
  );
  assert.deepEqual(
    filtersFrom("#/samples", () => "not json"),
    DEFAULTS,
  );
  assert.deepEqual(
    filtersFrom("#/samples", () => {
      throw new Error("storage refused");
    }),
    DEFAULTS,
  );
});

test("the address keeps only the filters changed, and reads back as they were", () => {
  assert.equal(samplesAddress(DEFAULTS), "#/samples");
  const filters = { ...DEFAULTS, label: "noisy class", run_id: "3", flagged: true, shared: true };
  const address = samplesAddress(filters);
  assert.equal(address, "#/samples?label=noisy+class&run_id=3&flagged=true&shared=true");
  assert.deepEqual(filtersFrom(address, never), filters);
});

test("choosing no run drops the run's own filters; an unknown run is dropped", () => {
  const filters = { ...DEFAULTS, run_id: "3", flagged: true, sort: "loss" };
  assert.equal(changeFilter(filters, "sort", "flag_rate"), filters);
  assert.equal(filters.sort, "flag_rate");
  changeFilter(filters, "run_id", "");
  assert.deepEqual(filters, DEFAULTS);
  const kept = { ...DEFAULTS, run_id: "3", flagged: true };
  assert.deepEqual(dropUnknownRun({ ...kept }, [{ id: 3 }]), kept);
  assert.deepEqual(dropUnknownRun({ ...kept, sort: "loss" }, [{ id: 4 }]), DEFAULTS);
});

test("the samples API gets the samples' filters, not the render options, nor empty run ones", () => {
  const query = apiQuery({ ...DEFAULTS, label: "positive", kind: "flow", shared: true });
  assert.deepEqual(JSON.parse(JSON.stringify(query)), {
    source: "",
    label: "positive",
    subject: "",
    verdict: "",
    disagreement: false,
    au: "",
    au_support: "",
    sort: "name",
  });
  const withRun = apiQuery({ ...DEFAULTS, run_id: "3", flagged: true });
  assert.equal(withRun.run_id, "3");
  assert.equal(withRun.flagged, true);
});

test("the filters offer every source, class, verdict and run with results", () => {
  assert.deepEqual(sourceChoices({ casme2: {}, samm: {} }), [
    ["", "All datasets"],
    ["casme2", "CASME II"],
    ["samm", "SAMM"],
  ]);
  assert.deepEqual(labelChoices(["negative", "positive"]), [
    ["", "All labels"],
    ["negative", "negative"],
    ["positive", "positive"],
  ]);
  assert.deepEqual(verdictFilterChoices(["clean", "noisy"]), [
    ["", "Any verdict of mine"],
    ["unmarked", "Unmarked by me"],
    ["clean", "I marked clean"],
    ["noisy", "I marked noisy"],
  ]);
  assert.deepEqual(runChoices([{ id: 2, method: { name: "ltm" } }]), [
    ["", "No run"],
    [2, "Run 2 (ltm)"],
  ]);
});

test("a card's texts: its heading, its badges, the run's numbers where there are some", () => {
  const sample = { label: "positive", subject: "s01", name: "casme2/s01/EP01" };
  assert.equal(cardTitle(sample), "positive | s01 | casme2/s01/EP01");
  assert.equal(cardName(sample), "positive s01 casme2/s01/EP01");
  assert.deepEqual(badgeOf({ user: "ana", verdict: "clean", typical: true, note: "apex late" }, false), {
    class: "badge clean",
    title: "ana: clean ★ (apex late)",
    text: "ana: clean ★",
  });
  assert.deepEqual(badgeOf({ user: "me", verdict: "noisy", typical: false }, true), {
    class: "badge noisy mine",
    title: "me: noisy",
    text: "noisy",
  });
  assert.equal(runNumbersText("3", { run_loss: 1.23456, run_flag_rate: 0.5 }), "run 3: loss 1.235, flag rate 0.50");
  assert.equal(runNumbersText("3", { run_loss: null }), null);
  assert.equal(runNumbersText("", {}), null);
  assert.equal(shownText(60, 120), "60 of 120 samples shown");
});

test("a verdict button is pressed for my mark only, typical apart", () => {
  assert.equal(isMyVerdict({ verdict: "clean", typical: false }, "clean", false), true);
  assert.equal(isMyVerdict({ verdict: "clean", typical: true }, "clean", false), false);
  assert.equal(isMyVerdict({ verdict: "clean" }, "clean", false), true);
  assert.equal(isMyVerdict(null, "clean", false), false);
});

test("keys move the focus by one card or one row, within the cards", () => {
  assert.equal(keyMove("l", 4), 1);
  assert.equal(keyMove("ArrowLeft", 4), -1);
  assert.equal(keyMove("ArrowDown", 4), 4);
  assert.equal(keyMove("ArrowUp", 4), -4);
  assert.equal(keyMove("c", 4), undefined);
  assert.equal(columnsOf([10, 10, 10, 200, 200]), 3);
  assert.equal(columnsOf([]), 1);
  assert.equal(clampFocus(-1, 5), 0);
  assert.equal(clampFocus(9, 5), 4);
  assert.equal(clampFocus(2, 5), 2);
});

test("the sample page gets the grid's order and the query of its next page", () => {
  const trail = returnTrail({
    hash: "#/samples?label=positive",
    id: 7,
    ids: [5, 7],
    cursor: "abc",
    total: 90,
    datasetId: 1,
    filters: { ...DEFAULTS, label: "positive" },
  });
  assert.deepEqual(Object.keys(trail), ["hash", "id", "ids", "cursor", "total", "url", "query"]);
  assert.equal(trail.url, "/api/datasets/1/samples");
  assert.equal(trail.query.label, "positive");
  assert.equal(trail.query.kind, undefined);
});

test("a card names the AUs its sheet coded and says when they dispute the label", () => {
  assert.equal(auLine({ action_units: null }), null);
  const supported = auLine({ action_units: "6+R12", au_support: 0.912, au_verdict: "supported", au_disputed: false });
  assert.deepEqual(supported, {
    text: "AU 6+R12",
    title: "Action units coded in the sheet (label 0.91 given them)",
    disputed: false,
  });
  const disputed = auLine({ action_units: "R12 or R14", au_support: 0.05, au_verdict: "disputed", au_disputed: true });
  assert.equal(disputed.text, "AU R12 or R14 · disputes the label");
  const contested = auLine({ action_units: "4", au_support: 0.3, au_verdict: "contested", au_disputed: false });
  assert.equal(contested.text, "AU 4 · leans away from the label");
  assert.equal(contested.disputed, false);
  assert.equal(disputed.disputed, true);
  assert.equal(
    auLine({ action_units: "4", au_support: null, au_disputed: false }).title,
    "Action units coded in the sheet",
  );
});

test("the AU filters travel in the address like the others", () => {
  const filters = filtersFrom("#/samples?au=12&au_support=disputed", () => null);
  assert.equal(filters.au, "12");
  assert.equal(filters.au_support, "disputed");
  assert.equal(samplesAddress({ ...DEFAULTS, au: "12" }), "#/samples?au=12");
});
