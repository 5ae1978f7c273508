// The shell: sign-in, the top bar (dataset, progress counter, who am I) and the screens,
// one per address (app-router.js).
import { api, ApiError } from "./api.js";
import { refreshCounter } from "./app-counter.js";
import { route, state } from "./app-router.js";
import { chosenDataset } from "./app-state.js";
import { canCurate } from "./format.js";
import { h, toast } from "./ui.js";
import { followFeatures } from "./features.js";
import { showLogin, showPasswordChange } from "./signin.js";
import { loadVocabulary } from "./vocabulary.js";

export { refreshCounter };

async function start() {
  // Without the CSRF cookie there is no session to ask about: go straight to sign-in.
  if (!document.cookie.includes("meclean_csrf=")) return showLogin(start);
  try {
    // Both at once: one round trip less before the first screen.
    const [me, datasets, words] = await Promise.all([
      api("/api/me"),
      api("/api/datasets").catch((e) => e),
      loadVocabulary().catch((e) => e),
    ]);
    state.me = me;
    if (me.must_change_password) return showPasswordChange(start);
    if (datasets instanceof Error) throw datasets;
    if (words instanceof Error) throw words;
    state.datasets = datasets;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return showLogin(start);
    throw error;
  }
  document.getElementById("topbar").hidden = false;
  document.getElementById("whoami").textContent = `${state.me.name} (${state.me.role})`;
  document.getElementById("users-link").hidden = state.me.role !== "admin";
  document.getElementById("agreement-link").hidden = !canCurate(state.me);
  document.getElementById("import-link").hidden = !canCurate(state.me);
  const picker = document.getElementById("dataset-picker");
  fillPicker(Number(localStorage.getItem("meclean.dataset")));
  picker.onchange = () => {
    state.dataset = state.datasets.find((d) => d.id === Number(picker.value));
    localStorage.setItem("meclean.dataset", picker.value);
    refreshCounter();
    followFeatures(state).catch(() => {});
    route();
  };
  refreshCounter(); // in parallel with the first screen
  followFeatures(state).catch(() => {});
  if (!location.hash || location.hash === "#/") location.hash = "#/samples";
  else route();
}

// The datasets in the top bar's picker, `wanted` (an id) chosen where it is among them.
function fillPicker(wanted) {
  state.dataset = chosenDataset(state.datasets, wanted);
  document
    .getElementById("dataset-picker")
    .replaceChildren(
      ...state.datasets.map((d) => h("option", { value: d.id, selected: d.id === state.dataset?.id }, d.name)),
    );
}

window.addEventListener("hashchange", route);
// An import finished: its dataset joins the picker, chosen, without leaving the screen.
window.addEventListener("meclean:datasets-changed", async (event) => {
  state.datasets = await api("/api/datasets");
  localStorage.setItem("meclean.dataset", String(event.detail));
  fillPicker(event.detail);
  refreshCounter();
  followFeatures(state).catch(() => {});
});
// Requests still out when the expert logged out answer 401 too: the sign-in form they are
// typing in stays as it is.
window.addEventListener("meclean:signed-out", () => {
  if (state.me) showLogin(start, "Your session ended; sign in again.");
});
document.getElementById("logout").addEventListener("click", async () => {
  await api("/api/logout", { method: "POST" }).catch(() => {});
  showLogin(start);
});
document.getElementById("help-button").addEventListener("click", () => document.getElementById("help").showModal());
// Its link to the Help screen closes it.
document.getElementById("help").addEventListener("click", (event) => {
  if (event.target.closest("a")) document.getElementById("help").close();
});
// Closed, the help must not keep the focus: the screen's keys would go to its button.
document.getElementById("help").addEventListener("close", () => {
  if (document.activeElement?.closest("#help")) document.activeElement.blur();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "?" && !event.target.closest("input, textarea, select")) {
    document.getElementById("help").showModal();
  }
});
start().catch((error) => toast(`meclean could not start: ${error.message}`, "error"));
