// Action units: per source dataset, the AUs typical of each class, the AU sets that carry
// several labels (the clash table), and how many labels the AUs dispute. Read from
// GET /api/datasets/{id}/action-units; the judging (out of subject) is the server's.
import { api } from "./api.js";
import { auSetText, clashLabelsText, typicalText } from "./au-text.js";
import { plural, sourceName } from "./format.js";
import { h } from "./ui.js";

const NAMES_SHOWN = 12;

function clashTable(source) {
  if (!source.clashes.length) return h("p", {}, "No AU set carries more than one label.");
  return h(
    "table",
    { class: "clashes" },
    h("caption", {}, "AU sets that carry more than one label (codings offering alternatives left out)"),
    h("tr", {}, h("th", {}, "AUs"), h("th", {}, "Labels"), h("th", {}, "Samples")),
    source.clashes.map((clash) =>
      h(
        "tr",
        {},
        h("td", {}, auSetText(clash.action_units)),
        h("td", {}, clashLabelsText(clash.labels)),
        h(
          "td",
          {},
          clash.samples
            .slice(0, NAMES_SHOWN)
            .flatMap((id, k) => [k ? ", " : "", h("a", { href: `#/sample/${id}` }, clash.names[k])]),
          clash.samples.length > NAMES_SHOWN ? ` and ${clash.samples.length - NAMES_SHOWN} more` : "",
        ),
      ),
    ),
  );
}

function sourceSection(source, belowText) {
  const name = sourceName(source.source);
  if (!source.coded) {
    return h("section", { class: "au-source" }, h("h2", {}, name), h("p", {}, "Its sheet codes no action units."));
  }
  const disputed = `#/samples?source=${encodeURIComponent(source.source)}&au_support=disputed`;
  return h(
    "section",
    { class: "au-source", "aria-label": `Action units of ${name}` },
    h("h2", {}, name),
    h(
      "p",
      {},
      `${source.coded} of ${plural(source.samples, "sample")} coded; ${source.judged} judged by the AUs of other subjects; `,
      h("a", { href: disputed, class: "disputed" }, `${plural(source.disputed, "label")} disputed`),
      ` (${belowText}).`,
    ),
    h("h3", {}, "AUs typical of each class"),
    h(
      "ul",
      { class: "typical" },
      Object.entries(source.typical).map(([label, typical]) =>
        h(
          "li",
          {},
          h("strong", {}, `${label}: `),
          typical.length ? typical.map(typicalText).join("; ") : "no AU more frequent than in the other classes",
        ),
      ),
    ),
    clashTable(source),
  );
}

export async function showActionUnits(state) {
  const view = document.getElementById("view");
  const found = await api(`/api/datasets/${state.dataset.id}/action-units`);
  const below = `its AUs give it less than ${found.disputed_below} and another class more, judged out of subject`;
  view.replaceChildren(
    h("h1", {}, "Action units"),
    h(
      "p",
      { class: "hint" },
      `Labels of version ${found.label_version_id} against the AUs the sheets coded. ` +
        "Each sample's label is judged by a model of the other subjects' samples of its dataset.",
    ),
    ...found.sources.map((source) => sourceSection(source, below)),
  );
}
