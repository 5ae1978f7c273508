// The mean Vx, Vy and strain image per class (the paper's Figure 1), for any label version,
// per dataset or composite, two versions side by side.
import { api } from "./api.js";
import { followFeatures } from "./features.js";
import { canCurate, groupsOf, sourceName } from "./format.js";
import { auField, explainedImage, h, select, toast } from "./ui.js";

const RETRY_MS = 5000;
let retry;

export async function showClassMeans(state) {
  const view = document.getElementById("view");
  const versions = await api(`/api/datasets/${state.dataset.id}/label-versions`);
  const current = versions.find((v) => v.current) ?? versions.at(-1);
  const choice = { left: versions[0].id, right: current.id, group: "composite", au: "" };
  const figures = h("div", { class: "side-by-side means-pair" });
  const options = versions.map((v) => [v.id, `v${v.id}${v.current ? " (current)" : ""}: ${v.reason}`.slice(0, 80)]);
  // 409: the dataset's flow is still being computed; the top bar follows the job, and the
  // figures are asked for again until they come. Where no job ever ran (a dataset stored
  // before imports queued one), none will come until a curator starts one here.
  const start = h("p", { id: "compute-flow" });
  const compute = async () => {
    try {
      await api(`/api/datasets/${state.dataset.id}/features`, { method: "POST" });
      start.replaceChildren();
      followFeatures(state).catch(() => {});
      draw();
    } catch (error) {
      toast(error.message, "error");
    }
  };
  const refused = async (status) => {
    if (status !== 409) return;
    followFeatures(state).catch(() => {});
    const job = await api(`/api/datasets/${state.dataset.id}/features`).catch(() => undefined);
    if (job === null) {
      start.replaceChildren(
        canCurate(state.me)
          ? h("button", { type: "button", onclick: compute }, "Compute the flow")
          : "The flow of this dataset was never computed: a curator starts it from this screen.",
      );
      return;
    }
    clearTimeout(retry);
    retry = setTimeout(() => figures.isConnected && draw(), RETRY_MS);
  };
  const figure = (query, alt, caption) =>
    h(
      "figure",
      {},
      explainedImage(
        { src: `/api/datasets/${state.dataset.id}/class-means?group=${choice.group}&size=180&${query}`, alt },
        refused,
      ),
      h("figcaption", {}, caption),
    );
  const draw = () =>
    figures.replaceChildren(
      // Each on the colour scale of both, so that brightness compares across versions.
      ...[
        ["left", "right"],
        ["right", "left"],
      ].map(([side, other]) =>
        figure(
          `version_id=${choice[side]}&scale_with=${choice[other]}`,
          `class means, label version ${choice[side]}`,
          `Label version ${choice[side]}, ${sourceName(choice.group)}: a row per class (samples in brackets); columns Vx, Vy, strain; one colour scale for both versions`,
        ),
      ),
      String(choice.left) === String(choice.right)
        ? ""
        : figure(
            `version_id=${choice.right}&minus=${choice.left}`,
            `difference of class means, version ${choice.right} minus ${choice.left}`,
            `Difference: version ${choice.right} minus version ${choice.left} (samples before -> after)`,
          ),
      choice.au ? auFigure() : "",
    );
  // The samples coding one AU, whatever their label: a check of the flow and the coding.
  const auFigure = () =>
    h(
      "figure",
      { id: "au-means" },
      explainedImage(
        {
          src: `/api/datasets/${state.dataset.id}/au-means?au=${choice.au}&group=${choice.group}&size=180`,
          alt: `mean flow of the samples coding AU${choice.au}`,
        },
        refused,
      ),
      h(
        "figcaption",
        {},
        `AU${choice.au}, ${sourceName(choice.group)}: the samples whose sheet codes it, above the other samples with AUs`,
      ),
    );
  view.replaceChildren(
    h("h1", {}, "Class means"),
    h(
      "form",
      { class: "filters" },
      select(
        "left",
        options,
        choice.left,
        (v) => {
          choice.left = v;
          draw();
        },
        "Left ",
      ),
      select(
        "right",
        options,
        choice.right,
        (v) => {
          choice.right = v;
          draw();
        },
        "Right ",
      ),
      select(
        "group",
        groupsOf(state.dataset).map((g) => [g, sourceName(g)]),
        choice.group,
        (v) => {
          choice.group = v;
          draw();
        },
        "Group ",
      ),
      auField(
        choice.au,
        (au) => {
          choice.au = au;
          draw();
        },
        "Also draw the mean flow of the samples whose sheet codes this action unit",
      ),
    ),
    start,
    figures,
  );
  draw();
}
