// The Agreement screen's tables of pairs: each pair's numbers, and each pair's verdicts
// against each other.
import {
  clashes,
  DISAGREEMENT,
  kappaText,
  linkedCell,
  PAIRS_HEADER,
  pairCells,
  pairKey,
  roughText,
} from "./agreement-text.js";
import { h } from "./ui.js";

export function pairsTable(pairs, categories) {
  return h(
    "table",
    { id: "pairs" },
    h("caption", {}, "Each pair of experts, on the samples both marked"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        PAIRS_HEADER.map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      pairs.map((p) => {
        const rough = roughText(p);
        return h(
          "tr",
          { dataset: { pair: pairKey(p) } },
          pairCells(p).map((cell) => h("td", {}, cell)),
          h("td", {}, kappaText(p.kappa, p.kappa_reason), rough === null ? "" : h("span", { class: "caveats" }, rough)),
          h("td", {}, clashes(p, categories) ? h("a", { href: DISAGREEMENT }, "Samples the experts disagree on") : ""),
        );
      }),
    ),
  );
}

// Rows: the first expert's verdicts; columns: the second's. A clean / noisy disagreement
// links to the grid's filter.
export function confusion(pair, categories) {
  const cell = (count, row, column) =>
    h(
      "td",
      {},
      linkedCell(count, row, column)
        ? h("a", { href: DISAGREEMENT, title: "Samples the experts disagree on" }, count)
        : count,
    );
  return h(
    "table",
    { class: "pair-confusion", dataset: { pair: pairKey(pair) } },
    h("caption", {}, `${pair.first} (rows) against ${pair.second} (columns)`),
    h(
      "tr",
      {},
      h("th", {}, ""),
      categories.map((c) => h("th", {}, c)),
    ),
    pair.confusion.map((counts, r) =>
      h(
        "tr",
        {},
        h("th", {}, categories[r]),
        counts.map((n, c) => cell(n, categories[r], categories[c])),
      ),
    ),
  );
}
