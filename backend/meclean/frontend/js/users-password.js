// The signer's password: the one form that changes it, and the account screen around it.
import { api } from "./api.js";
import { h, toast } from "./ui.js";
import { mismatch, passwordTexts } from "./users-text.js";

/** The one form that changes the signer's password: at first sign-in with a generated
 * one (`forced`), or from the account screen. `onChanged` runs once it is saved. */
export function passwordForm(me, { forced = false, onChanged }) {
  const error = h("p", { class: "error", role: "alert" });
  const texts = passwordTexts(me, forced);
  const form = h(
    "form",
    { class: "login", "aria-label": texts.label },
    h("h1", {}, texts.title),
    h("p", {}, texts.intro),
    h(
      "label",
      {},
      texts.old,
      h("input", { name: "old", type: "password", autocomplete: "current-password", required: true }),
    ),
    h(
      "label",
      {},
      "New password",
      h("input", { name: "new", type: "password", autocomplete: "new-password", minlength: 8, required: true }),
    ),
    h(
      "label",
      {},
      "New password again",
      h("input", { name: "again", type: "password", autocomplete: "new-password", minlength: 8, required: true }),
    ),
    h("button", { type: "submit" }, texts.submit),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const wrong = mismatch(data.get("new"), data.get("again"));
    if (wrong) {
      error.textContent = wrong;
      return;
    }
    try {
      await api("/api/me/password", { method: "POST", body: { old: data.get("old"), new: data.get("new") } });
      error.textContent = "";
      form.reset();
      await onChanged();
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return form;
}

export function showAccount(state) {
  const form = passwordForm(state.me, { onChanged: () => toast("Password changed") });
  document.getElementById("view").replaceChildren(form);
}
