// The Users and account screens' pure helpers (roles, the table's texts, the password
// form's words), run by node --test in make test.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  activeToggleText,
  mismatch,
  passwordTexts,
  resetQuestion,
  ROLES,
  stateText,
  USERS_HEADER,
} from "../../backend/meclean/frontend/js/users-text.js";

test("roles from the least to the most allowed; the table's columns", () => {
  assert.deepEqual(ROLES, ["annotator", "curator", "admin"]);
  assert.deepEqual(USERS_HEADER, ["Name", "Role", "State", "Since", ""]);
});

test("an account's state and the button that changes it", () => {
  assert.equal(stateText({ active: true }), "active");
  assert.equal(stateText({ active: false }), "deactivated");
  assert.equal(activeToggleText({ active: true }), "Deactivate");
  assert.equal(activeToggleText({ active: false }), "Reactivate");
  assert.match(resetQuestion("ann"), /^Give ann a new one-time password\? .* signed out\.$/);
});

test("the password form at first sign-in names the generated password", () => {
  const texts = passwordTexts({ name: "ann", role: "annotator" }, true);
  assert.equal(texts.title, "Choose your password");
  assert.equal(texts.label, "Choose your password");
  assert.match(texts.intro, /^ann, you signed in with a generated password/);
  assert.equal(texts.old, "Generated password");
  assert.equal(texts.submit, "Save and continue");
});

test("the password form on the account screen", () => {
  assert.deepEqual(passwordTexts({ name: "ann", role: "curator" }, false), {
    title: "Account of ann",
    label: "Change my password",
    intro: "Role: curator. A new password signs you out everywhere else.",
    old: "Current password",
    submit: "Change password",
  });
});

test("the two new passwords must be the same", () => {
  assert.equal(mismatch("secret-one", "secret-one"), null);
  assert.equal(mismatch("secret-one", "secret-two"), "The two new passwords differ.");
});
