// Review next's panels on why a sample is where it is: the signals that placed it in the
// queue, and why the first run chosen flagged it (its prediction, how its loss stands, the
// loss curves over training, its nearest neighbours in the network's hidden space).
import { render } from "./api.js";
import { fixed } from "./format.js";
import { CURVE, curvePath, curveScale, curvesSummary, loneDots } from "./triage-curves.js";
import { lossParts, neighbourName, predictionParts, relabelledText, signalRows } from "./triage-text.js";
import { h, svg } from "./ui.js";
import { classes } from "./vocabulary.js";

/** The table of the signals that placed queue item `item` where it is. */
export function signalsTable(item) {
  const row = (name, value, meaning) => h("tr", {}, h("th", {}, name), h("td", {}, value), h("td", {}, meaning));
  return h(
    "table",
    { class: "signals", "aria-label": "Why it is this far up" },
    signalRows(item).map((cells) => row(...cells)),
  );
}

// The sample's training loss per epoch beside its class's median: a wrong label's loss stays
// high until the network memorises it, late in training; a correct one's falls with the class.
function lossCurves(why) {
  if (!why.loss_curve) {
    return h(
      "p",
      { class: "hint" },
      "Loss over epochs: not kept for this run (Manifold Mixup trains on mixtures of samples; " +
        "runs trained before meclean kept curves have none).",
    );
  }
  const mine = why.loss_curve;
  const theirs = why.class_loss_curve ?? [];
  const scale = curveScale(mine, theirs);
  const { width, height, left, right, top: above, bottom } = CURVE;
  const dots = (values, name) =>
    loneDots(values, scale).map((dot) => (dot ? svg("circle", { class: name, ...dot, r: 3 }) : ""));
  const summary = curvesSummary(mine, theirs, why.given);
  return h(
    "figure",
    { class: "loss-curves" },
    svg(
      "svg",
      { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": summary },
      svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width - right, y2: height - bottom }),
      svg("line", { class: "axis", x1: left, y1: above, x2: left, y2: height - bottom }),
      svg("text", { x: left - 4, y: above + 8, "text-anchor": "end" }, fixed(scale.top, 2)),
      svg("text", { x: left - 4, y: height - bottom, "text-anchor": "end" }, "0"),
      svg("text", { x: 2, y: (height - bottom + above) / 2 }, "loss"),
      svg("text", { x: left, y: height - 6 }, "epoch 1"),
      mine.length > 1
        ? svg("text", { x: width - right, y: height - 6, "text-anchor": "end" }, `epoch ${mine.length}`)
        : "",
      svg("path", { class: "class-median", d: curvePath(theirs, scale) }),
      dots(theirs, "class-median"),
      svg("path", { class: "this-sample", d: curvePath(mine, scale) }),
      dots(mine, "this-sample"),
    ),
    h(
      "figcaption",
      {},
      h("span", { class: "this-sample" }, "this sample"),
      theirs.length ? h("span", { class: "class-median" }, `median of the other ${why.given} samples`) : "",
      h("span", { class: "summary" }, summary),
    ),
  );
}

// The samples nearest in the network's hidden space, with their labels and predictions.
function neighbours(why) {
  if (!why.neighbours.length) return h("p", {}, "No neighbours: this run kept no final model.");
  return h(
    "ul",
    { class: "neighbours" },
    why.neighbours.map((n) =>
      h(
        "li",
        {},
        h(
          "a",
          { href: `#/sample/${n.sample_id}`, title: n.name },
          h("img", { src: render(n.sample_id, "triptych", 60), alt: `flow of ${n.name}`, height: 60 }),
        ),
        h("span", { class: "name" }, neighbourName(n)),
        h("span", { class: n.label === why.given ? "same" : "other" }, `${n.label} (predicted ${n.prediction})`),
      ),
    ),
  );
}

/** Why run `runId` judged the sample as it did (`why`: the run's answer for the sample). */
export function whyPanel(why, runId) {
  const relabelled = relabelledText(why);
  return h(
    "section",
    { class: "why", id: "why", "aria-label": "Why flagged" },
    h("h2", {}, `Why run ${runId} judged it so`),
    relabelled === null ? "" : h("p", { class: "caveats" }, relabelled),
    h("p", {}, ...predictionParts(why, classes())),
    h("p", {}, ...lossParts(why)),
    lossCurves(why),
    h("h3", {}, "Nearest in the network's hidden space"),
    neighbours(why),
  );
}
