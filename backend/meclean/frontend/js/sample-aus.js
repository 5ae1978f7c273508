// The sample page's action units: as the sheet wrote them, each AU in words, and what the
// other subjects' samples say of the label given them.
import { auVerdictText, codingsText } from "./au-text.js";
import { h } from "./ui.js";

export function actionUnitsSection(sample) {
  const section = h("section", { class: "sample-aus", id: "sample-aus", "aria-label": "Action units" });
  section.append(h("h2", {}, "Action units"));
  if (!sample.action_units_text) {
    section.append(h("p", {}, "Its sheet codes no action units."));
    return section;
  }
  section.append(
    h(
      "p",
      {},
      `Sheet: “${sample.action_units_text}”`,
      sample.action_unit_codings.length > 1 ? ` (${sample.action_unit_codings.length} codings offered)` : "",
    ),
    h(
      "ul",
      {},
      codingsText(sample.action_unit_codings).map((line) => h("li", {}, line)),
    ),
  );
  const verdict = auVerdictText(sample);
  if (verdict !== null) {
    section.append(
      h("p", { class: `au-verdict${sample.au_disputed ? " disputed" : ""}` }, verdict, " ", sample.au_reason ?? ""),
    );
  } else {
    section.append(h("p", { class: "muted" }, "Too few samples of other subjects with AUs to judge its label by."));
  }
  return section;
}
