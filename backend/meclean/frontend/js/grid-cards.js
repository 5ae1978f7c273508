// The Samples screen's cards: a sample's flow, the chosen run's numbers, every expert's
// badge and my verdict buttons. What a card shows is drawn here; the grid around it (pages,
// focus, keys) is grid.js's.
import { render } from "./api.js";
import { auLine, badgeOf, cardName, cardTitle, isMyVerdict, runNumbersText } from "./grid-state.js";
import { isUnsaved, mark } from "./marks.js";
import { h } from "./ui.js";
import { choicesOfVerdict } from "./vocabulary.js";

const IMAGE_HEIGHT = 150;

/** The source of a card's image of sample `id` in the render options of `filters`. */
const imageOf = (id, filters) => render(id, filters.kind, IMAGE_HEIGHT, filters.shared);

function badge(m, mine) {
  const shown = badgeOf(m, mine);
  return h("span", { class: shown.class, title: shown.title }, shown.text);
}

function badges(sample, me) {
  const others = sample.marks.filter((m) => m.user !== me);
  const mine = sample.my_mark
    ? badge({ ...sample.my_mark, user: me }, true)
    : h("span", { class: "badge unmarked mine" }, "unmarked");
  return h(
    "div",
    { class: "badges" },
    mine,
    others.map((m) => badge(m, false)),
    sample.agreement === false ? h("span", { class: "badge disagree" }, "disagree") : "",
  );
}

// The verdict buttons (typical is by key only, for room).
function markButtons(sample, onMark) {
  return h(
    "div",
    { class: "mark-buttons", role: "group", "aria-label": `mark ${sample.name}` },
    choicesOfVerdict()
      .filter((c) => !c.typical)
      .map(({ verdict, typical, label: text }) =>
        h(
          "button",
          {
            type: "button",
            class: `small ${verdict}`,
            "aria-pressed": String(isMyVerdict(sample.my_mark, verdict, typical)),
            onclick: (event) => {
              event.stopPropagation();
              onMark();
              mark(sample, verdict, typical);
            },
          },
          text,
        ),
      ),
  );
}

function auParagraph(sample) {
  const line = auLine(sample);
  if (line === null) return "";
  return h("p", { class: `card-aus${line.disputed ? " disputed" : ""}`, title: line.title }, line.text);
}

/** The card of `sample`, the `index`-th of the grid: `grid` gives the filters, `me()` (my
 * name), `focus()` (the focused index), and what a click (`focusOn(index)`) and a double
 * click (`open(sample)`) do. */
export function sampleCard(sample, index, grid) {
  const { filters } = grid;
  const numbers = runNumbersText(filters.run_id, sample);
  return h(
    "article",
    {
      class: `card${isUnsaved(sample.id) ? " unsaved" : ""}`,
      tabindex: index === grid.focus() ? 0 : -1,
      dataset: { id: sample.id, index },
      "aria-label": cardName(sample),
      onclick: () => grid.focusOn(index),
      ondblclick: () => grid.open(sample),
    },
    h("h3", {}, cardTitle(sample)),
    h("img", {
      src: imageOf(sample.id, filters),
      alt: `flow of ${sample.name}`,
      loading: "lazy",
      decoding: "async",
      height: IMAGE_HEIGHT,
      dataset: { id: sample.id },
    }),
    numbers === null ? "" : h("p", { class: "run-numbers" }, numbers),
    auParagraph(sample),
    badges(sample, grid.me()),
    markButtons(sample, () => grid.focusOn(index)),
  );
}

/** Every card's image redrawn in the render options of `filters`. */
export function redrawImages(cards, filters) {
  for (const img of cards.querySelectorAll("img")) img.src = imageOf(img.dataset.id, filters);
}
