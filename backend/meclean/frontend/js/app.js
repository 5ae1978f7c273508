// The shell: sign-in, the top bar (dataset, progress counter, who am I) and the screens,
// one per address (#/samples, #/sample/12, #/class-means, #/runs, #/runs/3, ...).
import { api, ApiError } from "./api.js";
import { onMarksChanged, unsavedCount } from "./marks.js";
import { canCurate } from "./format.js";
import { h, setShortcuts, toast } from "./ui.js";
import { followFeatures } from "./features.js";
import { showGrid } from "./grid.js";
import { showSample } from "./detail.js";
import { showClassMeans } from "./classmeans.js";
import { showActionUnits } from "./actionunits.js";
import { showTiming } from "./timing.js";
import { showRuns } from "./runs-list.js";
import { showRun } from "./runs-page.js";
import { showLabels } from "./labels.js";
import { showAgreement } from "./agreement.js";
import { showProjection } from "./projection.js";
import { showTriage } from "./triage.js";
import { passwordForm, showAccount, showUsers } from "./users.js";
import { loadVocabulary } from "./vocabulary.js";

const state = { me: null, datasets: [], dataset: null };
let leaveScreen = null;
let navigation = 0; // counts screens shown: a screen still loading when the next one starts is stale

// Every screen draws into its own #view. One still loading when the expert moves on then
// finishes into a detached element instead of over the screen they moved to.
function freshView() {
  navigation += 1;
  leaveScreen?.();
  leaveScreen = null;
  const old = document.getElementById("view");
  const view = old.cloneNode(false);
  old.replaceWith(view);
  return view;
}

// Screens about the signer, not a dataset: shown with or without one.
const accountRoutes = [
  // Another expert signing in on this tab after an admin lands on their own screens.
  [/^#\/users$/, () => (state.me.role === "admin" ? showUsers(state) : (location.hash = "#/samples"))],
  [/^#\/account$/, () => showAccount(state)],
];

const routes = [
  [/^#\/sample\/(\d+)$/, (m) => showSample(state, Number(m[1]))],
  [/^#\/class-means$/, () => showClassMeans(state)],
  [/^#\/action-units$/, () => showActionUnits(state)],
  [/^#\/timing$/, () => showTiming(state)],
  [/^#\/runs\/(\d+)\/projection$/, (m) => showProjection(state, Number(m[1]))],
  [/^#\/runs\/(\d+)$/, (m) => showRun(state, Number(m[1]))],
  [/^#\/runs$/, () => showRuns(state)],
  [/^#\/labels$/, () => showLabels(state)],
  [/^#\/agreement$/, () => showAgreement(state)],
  [/^#\/samples(\?.*)?$/, () => showGrid(state)],
  [/^#\/triage(\?.*)?$/, () => showTriage(state)],
];

async function route() {
  if (!state.me) return;
  const view = freshView();
  const shown = navigation;
  setShortcuts([]);
  for (const link of document.querySelectorAll("#topbar nav a, #topbar .account a")) {
    link.classList.toggle("active", location.hash.startsWith(link.getAttribute("href")));
  }
  const match =
    accountRoutes.find(([pattern]) => pattern.test(location.hash)) ??
    (state.dataset ? routes.find(([pattern]) => pattern.test(location.hash)) : undefined);
  if (!match && !state.dataset) {
    view.append(h("p", { class: "empty" }, "No dataset yet: run `meclean demo` or import one."));
    return;
  }
  if (!match) {
    location.hash = "#/samples";
    return;
  }
  try {
    const shownScreen = await match[1](location.hash.match(match[0]));
    // A screen returns what stops it (live updates, keys), or nothing.
    const leave = typeof shownScreen === "function" ? shownScreen : null;
    if (shown === navigation) leaveScreen = leave;
    else leave?.();
  } catch (error) {
    // In a view of its own: the failed screen may have drawn half and listen for keys.
    if (shown === navigation) {
      freshView().append(h("p", { class: "error" }, `Could not show this screen: ${error.message}`));
      setShortcuts([]);
    }
  }
}

export async function refreshCounter() {
  if (!state.dataset) return;
  const d = Object.assign(state.dataset, await api(`/api/datasets/${state.dataset.id}/progress`));
  const mine = d.my_verdicts;
  const myMarked = Object.values(mine).reduce((a, b) => a + b, 0);
  const unsaved = unsavedCount();
  document
    .getElementById("counter")
    .replaceChildren(
      h(
        "span",
        { id: "my-progress", title: "My marks" },
        `Me: ${myMarked} / ${d.samples} marked (${mine.clean ?? 0} clean, ${mine.noisy ?? 0} noisy, ${mine.unsure ?? 0} unsure)`,
      ),
      h(
        "span",
        { id: "all-progress", title: "Samples any expert marked" },
        `Everyone: ${d.marked} / ${d.samples} (${d.verdicts.clean ?? 0} clean, ${d.verdicts.noisy ?? 0} noisy, ${d.verdicts.unsure ?? 0} unsure)`,
      ),
      unsaved ? h("span", { class: "unsaved" }, `${unsaved} unsaved`) : "",
    );
}

let counterTimer;
onMarksChanged(() => {
  clearTimeout(counterTimer);
  counterTimer = setTimeout(() => refreshCounter().catch(() => {}), 250);
});
window.addEventListener("meclean:marks-saved", () => refreshCounter().catch(() => {}));
// Other experts mark too: the counters catch up with them while the tab is in view.
const COUNTER_REFRESH_MS = 20_000;
setInterval(() => {
  if (state.me && document.visibilityState === "visible") refreshCounter().catch(() => {});
}, COUNTER_REFRESH_MS);

function showLogin(message) {
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
        return showPasswordChange();
      }
      await start();
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.message : `Cannot reach the server: ${e.message}`;
    }
  });
  freshView().append(form);
  form.querySelector("input").focus();
}

function showPasswordChange() {
  document.getElementById("topbar").hidden = true;
  const form = passwordForm(state.me, { forced: true, onChanged: start });
  freshView().append(form);
  form.querySelector("input").focus();
}

async function start() {
  // Without the CSRF cookie there is no session to ask about: go straight to sign-in.
  if (!document.cookie.includes("meclean_csrf=")) return showLogin();
  try {
    // Both at once: one round trip less before the first screen.
    const [me, datasets, words] = await Promise.all([
      api("/api/me"),
      api("/api/datasets").catch((e) => e),
      loadVocabulary().catch((e) => e),
    ]);
    state.me = me;
    if (me.must_change_password) return showPasswordChange();
    if (datasets instanceof Error) throw datasets;
    if (words instanceof Error) throw words;
    state.datasets = datasets;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return showLogin();
    throw error;
  }
  document.getElementById("topbar").hidden = false;
  document.getElementById("whoami").textContent = `${state.me.name} (${state.me.role})`;
  document.getElementById("users-link").hidden = state.me.role !== "admin";
  document.getElementById("agreement-link").hidden = !canCurate(state.me);
  const picker = document.getElementById("dataset-picker");
  const wanted = Number(localStorage.getItem("meclean.dataset"));
  state.dataset = state.datasets.find((d) => d.id === wanted) ?? state.datasets[0] ?? null;
  picker.replaceChildren(
    ...state.datasets.map((d) => h("option", { value: d.id, selected: d.id === state.dataset?.id }, d.name)),
  );
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

window.addEventListener("hashchange", route);
// Requests still out when the expert logged out answer 401 too: the sign-in form they are
// typing in stays as it is.
window.addEventListener("meclean:signed-out", () => {
  if (state.me) showLogin("Your session ended; sign in again.");
});
document.getElementById("logout").addEventListener("click", async () => {
  await api("/api/logout", { method: "POST" }).catch(() => {});
  showLogin();
});
document.getElementById("help-button").addEventListener("click", () => document.getElementById("help").showModal());
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
