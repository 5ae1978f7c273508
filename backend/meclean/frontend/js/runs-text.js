// Pure helpers (no DOM) of the runs list, the comparison and a run's page: the texts they
// show and the confusion heatmaps' Plotly figures. Unit-tested with node --test (tests/js/).
import { duration, fixed, plural } from "./format.js";

export const newestFirst = (runs) => [...runs].sort((a, b) => b.id - a.id);

/** A run's progress in the list: its percentage and the line beside the bar. */
export function progressText(run) {
  const p = run.progress;
  const percent = Math.round(100 * p.fraction);
  // Tasks train side by side: one task's stage would jump between them, so the list
  // counts folds and names a stage only while one task runs. The estimate waits for 10%.
  const stage = p.running_parts === 1 && p.stage ? `, ${p.stage}` : "";
  const eta = p.eta_s && p.fraction >= 0.1 ? `, ${duration(p.eta_s)} left` : "";
  const detail =
    run.status === "running"
      ? `${percent}%, ${p.folds_done} of ${p.folds_total} LOSO folds${stage}${eta}${p.loss !== null ? `, loss ${fixed(p.loss)}` : ""}${p.uf1 !== null ? `, UF1 so far ${fixed(p.uf1)}` : ""}`
      : run.status === "failed"
        ? run.error
        : `${percent}%`;
  return { percent, detail };
}

/** UF1 ± std / UAR ± std of one group, or a dash. */
export function scoreText(summary, group) {
  const s = summary?.[group];
  return s
    ? `${fixed(s.uf1_mean, 4)} ± ${fixed(s.uf1_std, 4)} / ${fixed(s.uar_mean, 4)} ± ${fixed(s.uar_std, 4)}`
    : "–";
}

const signed = (v) => `${v >= 0 ? "+" : "-"}${fixed(Math.abs(v), 4)}`;

/** A difference the server measured: the interval and the test, before its verdict. */
export function differenceText(d) {
  const seeds =
    d.p_value === null
      ? `no paired test (${d.paired_seeds} shared seed${d.paired_seeds === 1 ? "" : "s"})`
      : `p = ${fixed(d.p_value, 3)} over ${d.paired_seeds} seeds`;
  return `${signed(d.difference)} [${signed(d.ci_low)}, ${signed(d.ci_high)}], ${seeds}: `;
}

/** The method column: alpha only for the methods the server says train by it. */
export function methodText(run, trainsByAlpha) {
  return `${run.method.name}${trainsByAlpha.has(run.method.name) ? ` α=${run.method.alpha}` : ""}${run.protocol === "paper" ? " (paper protocol)" : ""}`;
}

/** The picked runs as they stand: a new key asks the server for the differences again. */
export const comparisonKey = (picked) => picked.map((r) => `${r.id}:${r.status}`).join(",");

export function cancelQuestion(id, run) {
  const trained = Math.round(100 * (run?.progress.fraction ?? 0));
  const done = trained ? `; the ${trained}% trained so far is lost` : "";
  return `Cancel run ${id}${done}?`;
}

export function runTitle(run) {
  return `Run ${run.id}: ${run.method.name}, ${plural(run.epochs, "epoch")} × ${plural(run.seeds.length, "seed")}, ${run.protocol} protocol`;
}

/** The parameters the run trained with, as the server resolved them. */
export function parametersText(run) {
  const resolved = run.method.resolved ?? run.method;
  const shown = Object.entries(resolved)
    .filter(([k]) => k !== "method")
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return (
    `Parameters: ${resolved.method}${shown ? ` (${shown})` : ""}; ${plural(run.epochs, "epoch")} × ${plural(run.seeds.length, "seed")}; label version v${run.label_version_id}; ${run.protocol} protocol` +
    (run.clean_set_from ? `; clean set of ${run.clean_samples} from ${run.clean_set_from}.` : ".")
  );
}

/** A run's page, live: its status line and the line beside its progress bar. */
export function liveText(run) {
  const p = run.progress;
  const folds = `${p.folds_done} of ${p.folds_total} LOSO folds trained`;
  return {
    status: `Status: ${run.status}${run.error ? ` (${run.error})` : ""}`,
    percent: Math.round(100 * p.fraction),
    progress: ` ${folds}${p.stage ? `; now ${p.stage}` : ""}${p.eta_s ? `; ${duration(p.eta_s)} left` : ""}`,
  };
}

/** A task's LOSO folds (counted from 1) and how far it is. */
export const partFolds = (p) => (p.folds.length ? p.folds.map((f) => f + 1).join(", ") : "–");
export function partProgress(p, epochs) {
  return p.kind === "folds"
    ? `${Math.min(Math.floor(p.done / epochs), p.folds.length)} / ${p.folds.length} folds, ${p.done} / ${p.total} epochs`
    : `${p.done} / ${p.total}`;
}

/** A confusion matrix as Plotly's data, layout and config (true classes down, predicted across). */
export function heatmapFigure(matrix, classes, title) {
  return [
    [
      {
        type: "heatmap",
        z: matrix,
        x: classes,
        y: classes,
        colorscale: "Viridis",
        showscale: true,
        hovertemplate: "true %{y}, predicted %{x}: %{z}<extra></extra>",
        text: matrix.map((r) => r.map(String)),
        texttemplate: "%{text}",
      },
    ],
    {
      title: { text: title },
      width: 340,
      height: 320,
      margin: { l: 80, r: 10, t: 40, b: 60 },
      xaxis: { title: { text: "predicted" } },
      yaxis: { title: { text: "true" }, autorange: "reversed" },
    },
    { displayModeBar: false, responsive: true },
  ];
}

/** A recorded protocol (nested objects) as [field, value] rows: nested fields joined by
 * dots, lists by commas, unset ones left out, in the order recorded. */
export function protocolRows(record, prefix = "") {
  return Object.entries(record ?? {}).flatMap(([key, value]) => {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value === null || value === undefined) return []; // unset: the default applies
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return protocolRows(value, name);
    return [[name, Array.isArray(value) ? value.join(", ") : String(value)]];
  });
}
