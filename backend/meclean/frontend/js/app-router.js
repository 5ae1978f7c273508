// The shell's state (who signed in, the datasets, the one chosen) and its screens, one per
// address (#/samples, #/sample/12, #/class-means, #/runs, #/runs/3, ...).
import { showActionUnits } from "./actionunits.js";
import { showAgreement } from "./agreement.js";
import { routeOf } from "./app-state.js";
import { showClassMeans } from "./classmeans.js";
import { showSample } from "./detail.js";
import { showGrid } from "./grid.js";
import { showHelp } from "./help.js";
import { showImports } from "./imports.js";
import { showLabels } from "./labels.js";
import { showProjection } from "./projection.js";
import { showRun } from "./runs-page.js";
import { showRuns } from "./runs-list.js";
import { showTiming } from "./timing.js";
import { showTriage } from "./triage.js";
import { h, setShortcuts } from "./ui.js";
import { showAccount } from "./users-password.js";
import { showUsers } from "./users.js";

export const state = { me: null, datasets: [], dataset: null };
let leaveScreen = null;
let navigation = 0; // counts screens shown: a screen still loading when the next one starts is stale

// Every screen draws into its own #view. One still loading when the expert moves on then
// finishes into a detached element instead of over the screen they moved to.
export function freshView() {
  navigation += 1;
  leaveScreen?.();
  leaveScreen = null;
  const old = document.getElementById("view");
  const view = old.cloneNode(false);
  old.replaceWith(view);
  return view;
}

// Each screen of app-state.js's routes, given the address matched against its pattern.
const screens = {
  // Another expert signing in on this tab after an admin lands on their own screens.
  users: () => (state.me.role === "admin" ? showUsers(state) : (location.hash = "#/samples")),
  account: () => showAccount(state),
  import: () => showImports(state),
  help: () => showHelp(),
  sample: (m) => showSample(state, Number(m[1])),
  "class-means": () => showClassMeans(state),
  "action-units": () => showActionUnits(state),
  timing: () => showTiming(state),
  projection: (m) => showProjection(state, Number(m[1])),
  run: (m) => showRun(state, Number(m[1])),
  runs: () => showRuns(state),
  labels: () => showLabels(state),
  agreement: () => showAgreement(state),
  samples: () => showGrid(state),
  triage: () => showTriage(state),
};

export async function route() {
  if (!state.me) return;
  const view = freshView();
  const shown = navigation;
  setShortcuts([]);
  for (const link of document.querySelectorAll("#topbar nav a, #topbar .account a")) {
    link.classList.toggle("active", location.hash.startsWith(link.getAttribute("href")));
  }
  const found = routeOf(location.hash, Boolean(state.dataset));
  if (!found && !state.dataset) {
    const importOne =
      state.me.role === "annotator" ? "ask a curator to import one" : h("a", { href: "#/import" }, "import one");
    view.append(h("p", { class: "empty" }, "No dataset yet: run `meclean demo` or ", importOne, "."));
    return;
  }
  if (!found) {
    location.hash = "#/samples";
    return;
  }
  try {
    const shownScreen = await screens[found.screen](found.match);
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
