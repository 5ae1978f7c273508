// Small DOM helpers shared by the screens.

// Okabe-Ito colours: told apart with the common colour-vision deficiencies.
const CLASS_COLOURS = { negative: "#0072B2", positive: "#009E73", surprise: "#E69F00" };
const MORE_COLOURS = ["#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
// How the known source datasets are written; any other (a manifest's) is shown as named.
const SOURCE_NAMES = {
  casme2: "CASME II",
  samm: "SAMM",
  smic: "SMIC-HS",
  casme3a: "CAS(ME)³ A",
  "4dme": "4DME",
  mmew: "MMEW",
  composite: "Composite",
};

export function classColour(label, index) {
  return CLASS_COLOURS[label] ?? MORE_COLOURS[index % MORE_COLOURS.length];
}

export function sourceName(source) {
  return SOURCE_NAMES[source] ?? source;
}

// The composite, then each source dataset the chosen dataset holds (from the API).
export function groupsOf(dataset) {
  return ["composite", ...Object.keys(dataset.sources)];
}
export const FLAG_COLOUR = "#CC0000";

export function h(tag, attributes = {}, ...children) {
  return filled(document.createElement(tag), attributes, children);
}

/** An SVG element, built like `h`. */
export function svg(tag, attributes = {}, ...children) {
  return filled(document.createElementNS("http://www.w3.org/2000/svg", tag), attributes, children);
}

function filled(element, attributes, children) {
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** An <img> that, when the server refuses to draw it, shows the server's reason instead
 * and passes the refusal's HTTP status to `onRefused`. */
export function explainedImage(attributes, onRefused) {
  const image = h("img", attributes);
  image.addEventListener(
    "error",
    async () => {
      let reason = "could not be drawn";
      let status;
      try {
        const response = await fetch(image.src);
        status = response.status;
        reason = (await response.json()).detail?.message ?? reason;
      } catch {
        // the server gave no reason; keep the generic one
      }
      image.replaceWith(h("p", { class: "error image-error" }, `${attributes.alt}: ${reason}`));
      onRefused?.(status);
    },
    { once: true },
  );
  return image;
}

let toastTimer;
export function toast(message, kind = "info") {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.className = `visible ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.className = ""), kind === "error" ? 8000 : 3000);
}

export function select(name, options, value, onchange, label) {
  return h(
    "label",
    {},
    label ?? "",
    h(
      "select",
      { name, onchange: (e) => onchange(e.target.value) },
      options.map(([v, text]) => h("option", { value: v, selected: String(v) === String(value) }, text)),
    ),
  );
}

/** Text Plotly shows as written. Plotly renders a subset of HTML in hover text, legends
 * and titles: a sample or subject named `<a href=…>` would become a live link. */
export function plotlyText(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function fixed(value, digits = 3) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
    : s >= 60
      ? `${Math.floor(s / 60)} min ${s % 60} s`
      : `${s} s`;
}

export function canCurate(me) {
  return me.role === "curator" || me.role === "admin";
}

let plotly;
/** Plotly.js (4.8 MB), fetched the first time a screen needs a plot, not on every page;
 * index.html may have started fetching it already (#plotly-js). */
export function loadPlotly() {
  plotly ??= new Promise((resolve, reject) => {
    if (window.Plotly) return resolve(window.Plotly);
    let script = document.getElementById("plotly-js");
    if (!script) {
      script = h("script", { id: "plotly-js", src: "/vendor/plotly.min.js" });
      document.head.append(script);
    }
    script.addEventListener("load", () => resolve(window.Plotly));
    script.addEventListener("error", () => {
      script.remove();
      plotly = undefined;
      reject(new Error("could not load Plotly.js"));
    });
  });
  return plotly;
}

/** A screen's keyboard: `onKey` hears keys only while `view` is the screen shown (a screen
 * the expert left while it loaded must not mark samples), and the `?` help lists `rows`.
 * Returns the function that stops it. */
export function screenKeys(view, rows, onKey) {
  const listener = (event) => {
    if (view.isConnected) onKey(event);
  };
  document.addEventListener("keydown", listener);
  if (view.isConnected) setShortcuts(rows);
  return () => document.removeEventListener("keydown", listener);
}

/** The keyboard shortcuts the `?` help lists: each screen states its own. */
export function setShortcuts(rows) {
  document
    .getElementById("help-keys")
    ?.replaceChildren(
      ...[...rows, ["?", "this help"]].map(([key, what]) => h("tr", {}, h("th", {}, key), h("td", {}, what))),
    );
}

/** A finished run as a choice of the model cleanlab weighs the experts against: its UF1,
 * and whether it trained on the experts' marks (then judging them by it is circular). */
export function referenceName(run) {
  const uf1 = run.summary?.composite?.uf1_mean;
  return (
    `run ${run.id}: ${run.method.name}` +
    (uf1 === undefined || uf1 === null ? "" : `, UF1 ${fixed(uf1, 3)}`) +
    (run.clean_set_from ? ", trained on the experts' marks (circular)" : "")
  );
}

/** "1 relabel", "3 relabels". */
export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
