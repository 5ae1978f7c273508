// Pure helpers (no DOM) that build the projection's Plotly figure: points coloured by
// class, subject or source dataset, proposals drawn by their review state, the high-loss
// crosses under them. Unit-tested with node --test (tests/js/).
//
// `screen` is the projection's state: { run, data, after, colourBy ("label", "subject",
// "source", "verdict" or "loss"), subject (the one picked, colouring by subject), scatter
// ("scattergl" or "scatter"), selected (point indices), high, alpha, runAlpha }.
import { classColour, fixed, FLAG_COLOUR, plotlyText } from "./format.js";
import { isIlc, probabilitiesText, proposalText, reviewCounts, reviewOf } from "./projection-review.js";

// Proposals drawn by their review state: pending ones need a decision, so they stand out.
export const REVIEW_STYLE = {
  pending: { symbol: "circle", line: "#222222", width: 2.5, legend: "relabel pending" },
  accepted: { symbol: "diamond", line: "#222222", width: 1, legend: "relabel accepted" },
  rejected: { symbol: "circle", line: "#9a9a9a", width: 1.5, legend: "relabel rejected" },
};

/** A point's class: after the relabels, its proposal unless rejected. */
export function colourClass(data, i, after) {
  return after && data.proposed_label[i] && data.review[i] !== "rejected"
    ? data.proposed_label[i]
    : data.current_label[i];
}

/** What the experts' verdicts on a sample add up to, for colouring by verdict. */
export function verdictGroup(verdicts) {
  const decided = new Set(verdicts.map((v) => v.verdict).filter((v) => v === "clean" || v === "noisy"));
  if (decided.size === 2) return "experts disagree";
  if (decided.size === 1) return `marked ${[...decided][0]}`;
  return verdicts.length ? "marked unsure" : "no verdict";
}

/** Beyond this many subjects a legend is a wall (the composite has 68): the subject picker
 * highlights one instead. */
export const MAX_LEGEND_GROUPS = 20;

export const VERDICT_GROUPS = ["marked clean", "marked noisy", "experts disagree", "marked unsure", "no verdict"];
const VERDICT_COLOURS = ["#2e7d32", "#c62828", "#ef6c00", "#8e8e8e", "#cfd8dc"];

export const groupOf = ({ data, colourBy, after }, i) =>
  colourBy === "subject"
    ? data.subject[i]
    : colourBy === "source"
      ? data.source[i]
      : colourBy === "verdict"
        ? verdictGroup(
            (data.verdicts?.[i] ?? []).filter((v) => !v.judged_label || v.judged_label === data.current_label[i]),
          )
        : colourClass(data, i, after);

/** The legend's groups: the classes in the server's order, the verdicts in theirs, else
 * subjects or sources sorted (colouring by loss has one group, coloured by its scale). */
export const colourGroups = (screen) =>
  screen.colourBy === "label"
    ? screen.data.classes
    : screen.colourBy === "verdict"
      ? VERDICT_GROUPS
      : screen.colourBy === "loss"
        ? ["final loss"]
        : [...new Set(screen.data.sample_id.map((_, i) => groupOf(screen, i)))].sort((a, b) => a.localeCompare(b));

// The points' colour: by class, verdict or loss; subjects and sources outnumber any palette,
// so their hues are spread by the golden angle.
function markerColour(screen, group, k, points) {
  if (screen.colourBy === "label") return classColour(group, k);
  if (screen.colourBy === "verdict") return VERDICT_COLOURS[k];
  if (screen.colourBy === "loss") return points.map((i) => screen.data.final_loss[i] ?? 0);
  return `hsl(${(k * 137.508) % 360}, 65%, 45%)`;
}

export function projectionTraces(screen) {
  const { data, scatter, colourBy, high, alpha, runAlpha } = screen;
  const methodName = screen.run.method.name;
  const index = data.sample_id.map((_, i) => i);
  const style = (i) => REVIEW_STYLE[reviewOf(data, i)];
  // Redrawn after a decision, the plot keeps showing what is selected.
  const chosen = new Set(screen.selected);
  const selection = (points) =>
    chosen.size ? { selectedpoints: points.flatMap((i, k) => (chosen.has(i) ? [k] : [])) } : {};
  const groups = colourGroups(screen);
  const byClass = groups.map((c, k) => {
    const points = colourBy === "loss" ? index : index.filter((i) => groupOf(screen, i) === c);
    // 68 subjects make no legend: the subject picked stands out, the others fade.
    const faded = colourBy === "subject" && screen.subject && c !== screen.subject;
    return {
      type: scatter,
      mode: "markers",
      name: plotlyText(c),
      legendrank: k + 1,
      showlegend: colourBy !== "subject" || groups.length <= MAX_LEGEND_GROUPS,
      ...selection(points),
      x: points.map((i) => data.x[i]),
      y: points.map((i) => data.y[i]),
      customdata: points.map((i) => i),
      text: points.map(
        (i) =>
          `${plotlyText(data.name[i])}<br>label ${data.current_label[i]}, predicted ${data.prediction[i]}` +
          `<br>${probabilitiesText(data, i)}${data.proposed_label[i] ? `<br>${proposalText(data, i, methodName)} (${reviewOf(data, i)})` : ""}` +
          `<br>flag rate ${fixed(data.flag_rate[i], 2)}`,
      ),
      hovertemplate: "%{text}<extra></extra>",
      marker: {
        color: markerColour(screen, c, k, points),
        ...(colourBy === "loss"
          ? { colorscale: "Viridis", showscale: true, colorbar: { title: { text: "final loss" }, x: -0.15 } }
          : {}),
        size: 8,
        opacity: faded ? 0.12 : 0.85,
        symbol: points.map((i) => style(i)?.symbol ?? "circle"),
        line: {
          width: points.map((i) => style(i)?.width ?? 0),
          color: points.map((i) => style(i)?.line ?? "#222222"),
        },
      },
    };
  });
  // Legend entries for the review states (the points draw them themselves), with counts.
  const states = reviewCounts(data);
  for (const [state, look] of Object.entries(REVIEW_STYLE)) {
    byClass.push({
      type: scatter,
      mode: "markers",
      name: `${look.legend} (${states[state]})`,
      x: [null],
      y: [null],
      legendrank: 1000 + Object.keys(REVIEW_STYLE).indexOf(state),
      hoverinfo: "skip",
      marker: {
        color: "#ffffff",
        size: 9,
        symbol: look.symbol,
        line: { width: Math.max(1.5, look.width), color: look.line },
      },
    });
  }
  const flagged = index.filter((i) => high[i]);
  // Drawn first, under the points: a cross must not hide a proposal's outline.
  byClass.unshift({
    type: scatter,
    mode: "markers",
    name: alpha === runAlpha ? "high loss of the final model" : `high loss at α = ${alpha}`,
    legendrank: 2000,
    ...selection(flagged),
    x: flagged.map((i) => data.x[i]),
    y: flagged.map((i) => data.y[i]),
    customdata: flagged,
    text: flagged.map((i) => plotlyText(data.name[i])),
    hovertemplate: "%{text} (high loss of the final model, scored in eval mode)<extra></extra>",
    // An open cross over the class-coloured point, so both stay readable.
    marker: { color: FLAG_COLOUR, symbol: "x-open", size: 15, line: { width: 2, color: FLAG_COLOUR } },
  });
  return byClass;
}

const LEGEND_TITLES = { label: "class", subject: "subject", source: "dataset", verdict: "experts", loss: "" };

export function projectionLayout({ run, after, colourBy }) {
  return {
    title: {
      text: `Run ${run.id} (${run.method.name}): ${after ? "after" : "before"} ${isIlc(run.method.name) ? "ILC relabelling" : "the suggested relabels"}`,
    },
    dragmode: "lasso",
    hovermode: "closest",
    height: 560,
    legend: { title: { text: LEGEND_TITLES[colourBy] ? `${LEGEND_TITLES[colourBy]} / flag` : "flag" } },
    xaxis: { title: { text: "UMAP 1" }, zeroline: false },
    yaxis: { title: { text: "UMAP 2" }, zeroline: false },
    margin: { l: 50, r: 10, t: 50, b: 50 },
  };
}

export const plotConfig = () => ({
  responsive: true,
  displaylogo: false,
  showSendToCloud: false,
  showEditInChartStudio: false,
  showLink: false,
});

export const toggleText = (after, methodName) =>
  `Show ${after ? "before" : "after"} ${isIlc(methodName) ? "ILC" : "the relabels"}`;
