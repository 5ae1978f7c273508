// The projection's plot: Plotly's figure (drawn without WebGL where the browser offers
// none), the before/after toggle, and the card of the point hovered.
import { render } from "./api.js";
import { fixed } from "./format.js";
import { probabilitiesText, proposalText } from "./projection-review.js";
import { plotConfig, projectionLayout, projectionTraces, toggleText } from "./projection-traces.js";
import { h } from "./ui.js";

/** The plot of `screen` (see projection-traces.js) and its parts: `draw()` redraws it and
 * then calls `drawn()`; `showHover(i)` fills the hover card with point `i`. */
export function projectionPlot(Plotly, screen, drawn) {
  const plot = h("div", {
    id: "projection",
    class: "projection",
    role: "img",
    "aria-label": "UMAP projection of the final model's last hidden layer",
  });
  const hover = h("aside", { class: "hover-card", "aria-live": "polite" }, "Hover a point to see its flow.");
  const toggle = h(
    "button",
    {
      type: "button",
      id: "toggle-ilc",
      "aria-pressed": "false",
      onclick: () => {
        screen.after = !screen.after;
        toggle.setAttribute("aria-pressed", String(screen.after));
        draw();
      },
    },
    "Show after ILC",
  );
  const noWebGL = h(
    "span",
    { class: "note", id: "no-webgl", hidden: true },
    "This browser offers no WebGL, so the plot is drawn without it and may be slow with many points.",
  );

  async function draw() {
    toggle.textContent = toggleText(screen.after, screen.run.method.name);
    const keep = screen.selected;
    await Plotly.react(plot, projectionTraces(screen), projectionLayout(screen), plotConfig());
    if (screen.scatter === "scattergl" && plot.querySelector(".no-webgl")) {
      // Plotly found no WebGL (some VMs, remote desktops): the same traces drawn as SVG.
      screen.scatter = "scatter";
      noWebGL.hidden = false;
      Plotly.purge(plot);
      return draw();
    }
    screen.selected = keep; // redrawing clears Plotly's selection, not the reviewer's list
    drawn();
  }

  function showHover(i) {
    const { data, high } = screen;
    const sampleId = data.sample_id[i];
    hover.replaceChildren(
      h("img", { src: render(sampleId, "triptych", 120), alt: `flow of ${data.name[i]}`, height: 120 }),
      h("p", {}, data.name[i]),
      h(
        "p",
        {},
        `label ${data.current_label[i]}, predicted ${data.prediction[i]}, flag rate ${fixed(data.flag_rate[i], 2)}`,
      ),
      h("p", { class: "probabilities" }, `out of fold: ${probabilitiesText(data, i)}`),
      data.proposed_label[i] ? h("p", {}, proposalText(data, i, screen.run.method.name)) : "",
      high[i] ? h("p", { class: "flag" }, "✕ high loss of the final model (eval mode)") : "",
    );
  }

  return { plot, hover, toggle, noWebGL, draw, showHover };
}
