// Pure helpers (no DOM) of the loss curves of Review next: the sample's training loss per
// epoch beside its class's median, scaled into the figure, as SVG paths and lone dots, and
// said in words. Unit-tested with node --test (tests/js/).
import { fixed, plural } from "./format.js";

// The figure's size and its margins around the plot, in SVG units.
export const CURVE = { width: 480, height: 160, left: 48, right: 12, top: 10, bottom: 24 };

/** The scale of curves `mine` (the sample's) and `theirs` (its class's), null where no value:
 * `top` (the highest loss, at least 1e-6), and `x(epoch)`, `y(loss)` in the figure. */
export function curveScale(mine, theirs, box = CURVE) {
  const known = [...mine, ...theirs].filter((v) => v !== null);
  const top = Math.max(...known, 1e-6);
  const { width, height, left, right, top: above, bottom } = box;
  const x = (epoch) => left + (epoch / Math.max(1, mine.length - 1)) * (width - left - right);
  const y = (loss) => height - bottom - (loss / top) * (height - above - bottom);
  return { top, x, y };
}

const before = (values, i) => values[i - 1] ?? null;
const after = (values, i) => values[i + 1] ?? null;

/** The SVG path of `values` in `scale`: a gap (epochs no batch held the sample) starts a new
 * stroke. */
export function curvePath(values, { x, y }) {
  const point = (v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  return values.map((v, i) => (v === null ? "" : `${before(values, i) === null ? "M" : "L"}${point(v, i)}`)).join("");
}

/** The dots of `values`, one an epoch: { cx, cy } of a value with no neighbour to draw a line
 * to (one epoch, or amid gaps), null for the others. */
export function loneDots(values, { x, y }) {
  return values.map((v, i) =>
    v !== null && before(values, i) === null && after(values, i) === null
      ? { cx: x(i).toFixed(1), cy: y(v).toFixed(1) }
      : null,
  );
}

/** A curve's first and last values, in words. */
export function endsText(values) {
  const set = values.filter((v) => v !== null);
  return set.length
    ? `${fixed(set[0], 2)} at the first epoch with a value, ${fixed(set.at(-1), 2)} at the last`
    : "none";
}

/** The curves in words: the figure's label and caption. */
export function curvesSummary(mine, theirs, given) {
  return (
    `Training loss over ${plural(mine.length, "epoch")}: ${endsText(mine)}` +
    (theirs.length ? `; the median of the other samples labelled ${given}: ${endsText(theirs)}.` : ".")
  );
}
