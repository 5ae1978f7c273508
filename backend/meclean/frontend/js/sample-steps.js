// The sample page's steps along the grid's order: previous and next in the order the grid
// showed, when the page was opened from it.
import { api } from "./api.js";
import { RETURN_KEY } from "./grid.js";
import { positionText } from "./sample-text.js";
import { h } from "./ui.js";

// Past the cards the grid had loaded, the next page of the same query is fetched.
export async function neighbours(sampleId) {
  const from = JSON.parse(sessionStorage.getItem(RETURN_KEY) ?? "null");
  const at = from?.ids?.indexOf(sampleId) ?? -1;
  if (at < 0) return null;
  if (at === from.ids.length - 1 && from.cursor !== null) {
    try {
      const page = await api(from.url, { query: { ...from.query, cursor: from.cursor, limit: 60 } });
      from.ids.push(...page.items.map((s) => s.id));
      from.cursor = page.next_cursor;
      sessionStorage.setItem(RETURN_KEY, JSON.stringify(from));
    } catch {
      // the stepper stops at the last card the grid had; nothing else is lost
    }
  }
  const go = (id) => {
    sessionStorage.setItem(RETURN_KEY, JSON.stringify({ ...from, id }));
    location.hash = `#/sample/${id}`;
  };
  return { from, at, previous: from.ids[at - 1], next: from.ids[at + 1], go };
}

export const stepper = (near) =>
  near
    ? h(
        "nav",
        { class: "stepper", "aria-label": "Samples in the grid's order" },
        h("button", { type: "button", disabled: !near.previous, onclick: () => near.go(near.previous) }, "← Previous"),
        positionText(near.at, near.from),
        h("button", { type: "button", disabled: !near.next, onclick: () => near.go(near.next) }, "Next →"),
      )
    : "";
