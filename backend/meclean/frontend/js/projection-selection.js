// The projection's selection panel: the samples lassoed, in review order, with their
// proposals and losses; bulk marks, and (curators) the proposals' decisions. The selection
// is kept for the samples opened from it, whose pages step through it.
import { render } from "./api.js";
import { RETURN_KEY } from "./grid.js";
import { fixed, plural } from "./format.js";
import { reviewActions } from "./projection-actions.js";
import {
  inReviewOrder,
  keptIndices,
  probabilitiesText,
  returnTrail,
  reviewOf,
  tallyText,
} from "./projection-review.js";
import { relabelForm } from "./relabel.js";
import { expertVerdictsText } from "./relabel-text.js";
import { h } from "./ui.js";

/** The panel (`list`) and the proposals' counts (`tally`) of `screen`, with `show()` to redraw
 * them, `keep()` to store the selection and `remember(i)` before opening sample `i`. */
export function selectionPanel(screen, refresh) {
  const list = h("aside", { class: "selection", id: "selection" });
  const tally = h("span", { id: "review-counts", class: "counts" }, "");
  const { decide, undoDecisions, bulkMark, undoMarks, nameOf } = reviewActions(screen, refresh, show);
  // Curators relabel the selection directly, asking first; `refresh` redraws the labels.
  const relabel = screen.curator
    ? relabelForm(screen.run.dataset_id, {
        ids: () => screen.selected.map((i) => screen.data.sample_id[i]),
        label: () => "",
        onDone: async () => {
          await refresh();
          show();
        },
        ask: true,
        nameOf,
      })
    : null;
  const stateOf = (i) => reviewOf(screen.data, i);

  function item(i) {
    const { data, curator } = screen;
    const review = stateOf(i);
    const decisions =
      curator && review
        ? review === "pending"
          ? [
              h("button", { type: "button", class: "small accept", onclick: () => decide([i], true) }, "Accept"),
              h("button", { type: "button", class: "small reject", onclick: () => decide([i], false) }, "Reject"),
            ]
          : [h("button", { type: "button", class: "small undo", onclick: () => undoDecisions([i]) }, "Undo")]
        : [];
    return h(
      "li",
      { dataset: { sample: data.sample_id[i] } },
      h("img", { src: render(data.sample_id[i], "triptych", 60), alt: "", height: 40, loading: "lazy" }),
      h(
        "div",
        {},
        h("a", { href: `#/sample/${data.sample_id[i]}`, onclick: () => remember(i) }, data.name[i]),
        h(
          "span",
          { class: "labels" },
          ` ${data.label[i]}`,
          data.proposed_label[i] ? h("span", { class: "proposal" }, ` → ${data.proposed_label[i]}`) : "",
          data.current_label[i] !== data.label[i] ? h("span", { class: "now" }, ` (now ${data.current_label[i]})`) : "",
          review ? h("span", { class: `review ${review}` }, ` ${review}`) : "",
        ),
        h(
          "span",
          { class: "probabilities" },
          `out of fold ${probabilitiesText(data, i)}; flag rate ${fixed(data.flag_rate[i], 2)}`,
        ),
        screen.high[i] ? h("span", { class: "flag", title: "high loss of the final model" }, " ✕ high loss") : "",
        h("span", { class: "verdicts" }, expertVerdictsText(data.verdicts?.[i] ?? [], data.current_label[i])),
      ),
      h("span", { class: "decisions" }, decisions),
    );
  }

  function show() {
    const { data, selected, curator } = screen;
    tally.textContent = tallyText(data);
    const ids = selected.map((i) => data.sample_id[i]);
    const pending = selected.filter((i) => stateOf(i) === "pending");
    const decided = selected.filter((i) => stateOf(i) && stateOf(i) !== "pending");
    const undoLast = screen.lastDecision?.filter((i) => stateOf(i) && stateOf(i) !== "pending");
    list.replaceChildren(
      h("h2", {}, `${selected.length} selected`, pending.length ? `, ${pending.length} relabels pending` : ""),
      h(
        "div",
        { class: "actions" },
        selected.length
          ? [
              h("button", { type: "button", onclick: () => bulkMark(ids, "clean") }, "Mark clean"),
              h("button", { type: "button", onclick: () => bulkMark(ids, "noisy") }, "Mark noisy"),
            ]
          : "",
        screen.lastMarks ? h("button", { type: "button", id: "undo-marks", onclick: undoMarks }, "Undo marks") : "",
        relabel && selected.length ? relabel : "",
        curator && pending.length
          ? [
              h(
                "button",
                { type: "button", id: "accept-relabels", onclick: () => decide(pending, true) },
                `Accept ${plural(pending.length, "relabel")}`,
              ),
              h(
                "button",
                { type: "button", id: "reject-relabels", onclick: () => decide(pending, false) },
                `Reject ${plural(pending.length, "relabel")}`,
              ),
            ]
          : "",
        curator && decided.length
          ? h(
              "button",
              { type: "button", id: "undo-decisions", onclick: () => undoDecisions(decided) },
              `Take back ${plural(decided.length, "decision")}`,
            )
          : "",
        curator && undoLast?.length && !decided.length
          ? h(
              "button",
              { type: "button", id: "undo-last", onclick: () => undoDecisions(undoLast) },
              "Undo last decision",
            )
          : "",
      ),
      h("ul", {}, inReviewOrder(data, selected).slice(0, 300).map(item)),
      selected.length > 300 ? h("p", {}, `and ${selected.length - 300} more`) : "",
    );
  }

  // A sample opened from here comes back to the same selection; its page steps through it.
  const selectionKey = `meclean.projection-selection-${screen.run.id}`;
  const keep = () =>
    sessionStorage.setItem(selectionKey, JSON.stringify(screen.selected.map((i) => screen.data.sample_id[i])));
  const remember = (i) =>
    sessionStorage.setItem(RETURN_KEY, JSON.stringify(returnTrail(screen.data, screen.selected, i, location.hash)));
  screen.selected = keptIndices(screen.data, JSON.parse(sessionStorage.getItem(selectionKey) ?? "[]"));

  return { list, tally, show, keep, remember };
}
