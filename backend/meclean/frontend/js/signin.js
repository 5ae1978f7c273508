// Signing in: the sign-in form, and the password to choose after signing in with a
// generated one. `start` is the shell's start, run once signed in.
import { api, ApiError } from "./api.js";
import { freshView, state } from "./app-router.js";
import { h } from "./ui.js";
import { passwordForm } from "./users-password.js";

export function showLogin(start, message) {
  state.me = null;
  document.getElementById("topbar").hidden = true;
  const error = h("p", { class: "error", role: "alert" }, message ?? "");
  const form = h(
    "form",
    { class: "login", "aria-label": "Sign in" },
    h("h1", {}, "meclean"),
    h("p", {}, "Clean the labels of micro-expression datasets."),
    h("label", {}, "Name", h("input", { name: "name", autocomplete: "username", required: true })),
    h(
      "label",
      {},
      "Password",
      h("input", { name: "password", type: "password", autocomplete: "current-password", required: true }),
    ),
    h("button", { type: "submit" }, "Sign in"),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const me = await api("/api/login", {
        method: "POST",
        body: { name: data.get("name"), password: data.get("password") },
      });
      if (me.must_change_password) {
        state.me = me;
        return showPasswordChange(start);
      }
      await start();
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.message : `Cannot reach the server: ${e.message}`;
    }
  });
  freshView().append(form);
  form.querySelector("input").focus();
}

export function showPasswordChange(start) {
  document.getElementById("topbar").hidden = true;
  const form = passwordForm(state.me, { forced: true, onChanged: start });
  freshView().append(form);
  form.querySelector("input").focus();
}
