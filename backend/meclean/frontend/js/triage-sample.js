// Review next's sample on screen: its name and flag, the caveats of its queue item, its flow,
// my verdict and the verdict buttons, then why it is in the queue (triage-why.js).
import { render } from "./api.js";
import { RETURN_KEY } from "./grid.js";
import { relabelForm } from "./relabel.js";
import { myVerdictText, sampleHeading } from "./triage-text.js";
import { signalsTable, whyPanel } from "./triage-why.js";
import { h } from "./ui.js";
import { choicesOfVerdict } from "./vocabulary.js";

// The sample page opened from here leads back to the queue, not to the grid.
const cameFromQueue = (id) =>
  sessionStorage.setItem(RETURN_KEY, JSON.stringify({ hash: location.hash, id, ids: [id], cursor: null, total: 1 }));

/** What shows queue item `item`, with `why` run `runId` flagged it; `decide(verdict,
 * typical)` marks it; a `curator` may relabel it here. */
export function sampleShown(item, why, runId, decide, curator = false) {
  const sample = item.sample;
  const heading = h("span", {}, sampleHeading(sample));
  // A relabel (or its undo) changes the label this item shows.
  const relabelled = (result) => {
    const change = result.changes.find((c) => c.sample_id === sample.id);
    if (change) sample.label = change.after;
    heading.textContent = sampleHeading(sample);
  };
  return [
    h("h2", {}, heading, item.flagged ? h("span", { class: "flag" }, " flagged") : ""),
    item.caveats.length
      ? h(
          "ul",
          { class: "caveats" },
          item.caveats.map((c) => h("li", {}, `⚠ ${c}`)),
        )
      : "",
    // Two columns: what the expert judges and decides on the left, why it is in the queue
    // on the right, so both stay in view while they work by keys.
    h(
      "div",
      { class: "triage-columns" },
      h(
        "div",
        { class: "triage-judge" },
        h(
          "div",
          { class: "side-by-side" },
          h("img", { src: render(sample.id, "triptych", 180), alt: `flow of ${sample.name}`, height: 180 }),
          h("img", { src: render(sample.id, "flow", 180), alt: `colour flow of ${sample.name}`, height: 180 }),
        ),
        h("p", { class: "my-mark" }, h("strong", {}, "My verdict: "), myVerdictText(sample.my_mark)),
        h(
          "div",
          { class: "actions" },
          choicesOfVerdict().map(({ verdict, typical, label, key }) =>
            h("button", { type: "button", onclick: () => decide(verdict, typical) }, `${label} (${key})`),
          ),
          h("a", { href: `#/sample/${sample.id}`, onclick: () => cameFromQueue(sample.id) }, "Open the sample page"),
        ),
        curator
          ? relabelForm(sample.dataset_id, {
              ids: () => [sample.id],
              label: () => sample.label,
              onDone: relabelled,
              nameOf: () => sample.name,
            })
          : "",
      ),
      h("div", { class: "triage-why" }, signalsTable(item), why ? whyPanel(why, runId) : ""),
    ),
  ];
}
