// Accounts: admins create experts, change roles, deactivate, and reset forgotten passwords
// to one-time ones; everyone changes their own password.
import { api } from "./api.js";
import { h, toast } from "./ui.js";

const ROLES = ["annotator", "curator", "admin"];

// A generated password, shown once: the admin hands it over, the expert replaces it.
function oneTime(name, password) {
  return h(
    "p",
    { class: "one-time", id: "one-time-password", role: "status" },
    `One-time password for ${name}: `,
    h("code", {}, password),
    " (shown only now; they choose their own at first sign-in)",
  );
}

export async function showUsers(state) {
  const view = document.getElementById("view");
  const notice = h("div", { id: "user-notice" });
  const body = h("tbody");

  async function change(user, patch) {
    try {
      await api(`/api/users/${user.id}`, { method: "PATCH", body: patch });
      toast(`${user.name} updated`);
      await draw();
    } catch (error) {
      toast(error.message, "error");
      await draw();
    }
  }

  async function reset(user) {
    if (!confirm(`Give ${user.name} a new one-time password? Their current one stops working and they are signed out.`))
      return;
    try {
      const { password } = await api(`/api/users/${user.id}/password`, { method: "POST" });
      notice.replaceChildren(oneTime(user.name, password));
    } catch (error) {
      toast(error.message, "error");
    }
  }

  function row(user) {
    const me = user.id === state.me.id;
    return h(
      "tr",
      { dataset: { user: user.name } },
      h("td", {}, user.name),
      h(
        "td",
        {},
        h(
          "select",
          {
            "aria-label": `role of ${user.name}`,
            disabled: me,
            onchange: (e) => change(user, { role: e.target.value }),
          },
          ROLES.map((r) => h("option", { value: r, selected: r === user.role }, r)),
        ),
      ),
      h("td", {}, user.active ? "active" : "deactivated"),
      h("td", {}, new Date(user.created_at).toLocaleDateString()),
      h(
        "td",
        {},
        me
          ? ""
          : h(
              "button",
              { type: "button", onclick: () => change(user, { active: !user.active }) },
              user.active ? "Deactivate" : "Reactivate",
            ),
        me ? "" : h("button", { type: "button", onclick: () => reset(user) }, "Reset password"),
      ),
    );
  }

  async function draw() {
    body.replaceChildren(...(await api("/api/users")).map(row));
  }

  const form = h(
    "form",
    { class: "new-user", "aria-label": "Add an expert" },
    h("h2", {}, "Add an expert"),
    h(
      "label",
      {},
      "Name ",
      h("input", {
        name: "name",
        required: true,
        pattern: "[A-Za-z0-9._@\\-]+",
        title: "letters, digits and . _ @ -",
        autocomplete: "off",
      }),
    ),
    h(
      "label",
      {},
      "Role ",
      h(
        "select",
        { name: "role" },
        ROLES.map((r) => h("option", { value: r }, r)),
      ),
    ),
    h("button", { type: "submit" }, "Add"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    try {
      const created = await api("/api/users", { method: "POST", body: data });
      notice.replaceChildren(oneTime(created.name, created.password));
      form.reset();
      await draw();
    } catch (error) {
      toast(error.message, "error");
    }
  });

  view.replaceChildren(
    h("h1", {}, "Users"),
    notice,
    form,
    h(
      "table",
      { class: "users", id: "users" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Name", "Role", "State", "Since", ""].map((t) => h("th", {}, t)),
        ),
      ),
      body,
    ),
  );
  await draw();
}

/** The one form that changes the signer's password: at first sign-in with a generated
 * one (`forced`), or from the account screen. `onChanged` runs once it is saved. */
export function passwordForm(me, { forced = false, onChanged }) {
  const error = h("p", { class: "error", role: "alert" });
  const title = forced ? "Choose your password" : `Account of ${me.name}`;
  const intro = forced
    ? `${me.name}, you signed in with a generated password, which works once. Choose your own (at least 8 characters).`
    : `Role: ${me.role}. A new password signs you out everywhere else.`;
  const form = h(
    "form",
    { class: "login", "aria-label": forced ? title : "Change my password" },
    h("h1", {}, title),
    h("p", {}, intro),
    h(
      "label",
      {},
      forced ? "Generated password" : "Current password",
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
    h("button", { type: "submit" }, forced ? "Save and continue" : "Change password"),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    if (data.get("new") !== data.get("again")) {
      error.textContent = "The two new passwords differ.";
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
