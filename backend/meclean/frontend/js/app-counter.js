// The top bar's progress counter: my marks and everyone's, and the marks not saved yet;
// it catches up with my marks as they change and with the other experts' while in view.
import { api } from "./api.js";
import { state } from "./app-router.js";
import { progressTexts } from "./app-state.js";
import { onMarksChanged, unsavedCount } from "./marks.js";
import { h } from "./ui.js";

export async function refreshCounter() {
  if (!state.dataset) return;
  const d = Object.assign(state.dataset, await api(`/api/datasets/${state.dataset.id}/progress`));
  const texts = progressTexts(d, unsavedCount());
  document
    .getElementById("counter")
    .replaceChildren(
      h("span", { id: "my-progress", title: "My marks" }, texts.mine),
      h("span", { id: "all-progress", title: "Samples any expert marked" }, texts.all),
      texts.unsaved ? h("span", { class: "unsaved" }, texts.unsaved) : "",
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
