// Small DOM helpers shared by the screens.

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

/** A field for an action unit's number (1-99), titled `title`; `onchange(text)`. */
export function auField(value, onchange, title) {
  return h(
    "label",
    { title },
    "AU ",
    h("input", {
      name: "au",
      type: "number",
      min: 1,
      max: 99,
      size: 3,
      value,
      onchange: (e) => onchange(e.target.value.trim()),
    }),
  );
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
