// Accounts: admins create experts, change roles, deactivate, and reset forgotten passwords
// to one-time ones (everyone changes their own password in users-password.js).
import { api } from "./api.js";
import { h, toast } from "./ui.js";
import { activeToggleText, resetQuestion, ROLES, stateText, USERS_HEADER } from "./users-text.js";

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
    if (!confirm(resetQuestion(user.name))) return;
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
      h("td", {}, stateText(user)),
      h("td", {}, new Date(user.created_at).toLocaleDateString()),
      h(
        "td",
        {},
        me
          ? ""
          : h(
              "button",
              { type: "button", onclick: () => change(user, { active: !user.active }) },
              activeToggleText(user),
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
          USERS_HEADER.map((t) => h("th", {}, t)),
        ),
      ),
      body,
    ),
  );
  await draw();
}
