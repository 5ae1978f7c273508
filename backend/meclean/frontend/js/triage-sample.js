// Review next's sample on screen: its name and flag, the caveats of its queue item, its flow,
// my verdict and the verdict buttons, then why it is in the queue (triage-why.js).
import { render } from "./api.js";
import { myVerdictText, sampleHeading } from "./triage-text.js";
import { signalsTable, whyPanel } from "./triage-why.js";
import { h } from "./ui.js";
import { choicesOfVerdict } from "./vocabulary.js";

/** What shows queue item `item`, with `why` run `runId` flagged it; `decide(verdict,
 * typical)` marks it. */
export function sampleShown(item, why, runId, decide) {
  const sample = item.sample;
  return [
    h("h2", {}, sampleHeading(sample), item.flagged ? h("span", { class: "flag" }, " flagged") : ""),
    item.caveats.length
      ? h(
          "ul",
          { class: "caveats" },
          item.caveats.map((c) => h("li", {}, `⚠ ${c}`)),
        )
      : "",
    h(
      "div",
      { class: "side-by-side" },
      h("img", { src: render(sample.id, "triptych", 240), alt: `flow of ${sample.name}`, height: 240 }),
      h("img", { src: render(sample.id, "flow", 240), alt: `colour flow of ${sample.name}`, height: 240 }),
    ),
    h("p", { class: "my-mark" }, h("strong", {}, "My verdict: "), myVerdictText(sample.my_mark)),
    h(
      "div",
      { class: "actions" },
      choicesOfVerdict().map(({ verdict, typical, label, key }) =>
        h("button", { type: "button", onclick: () => decide(verdict, typical) }, `${label} (${key})`),
      ),
      h("a", { href: `#/sample/${sample.id}` }, "Open the sample page"),
    ),
    signalsTable(item),
    why ? whyPanel(why, runId) : "",
  ];
}
