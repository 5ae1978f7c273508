// Help: what each screen is for, the keys, what the signals and numbers mean, and where the
// API is documented. Reachable from every screen (#/help, the top bar's "Help").
import { GRID_KEYS } from "./grid-state.js";
import { sampleKeys } from "./sample-text.js";
import { SIGNAL_NAMES, TRIAGE_KEYS } from "./triage-text.js";
import { h } from "./ui.js";

const SCREENS = [
  [
    "Samples",
    "#/samples",
    "Every sample as a card (label | subject | sample, its flow). Filter by label, verdict, disagreement, a run's flags, AUs; mark by keys; open a sample with Enter.",
  ],
  [
    "Review next",
    "#/triage",
    "The queue: samples ordered by the signals you tick, most doubtful first; mark and go on by keys. Curators relabel from here.",
  ],
  [
    "Sample page",
    "",
    "Frames and flow at full size, the class means beside it, every expert's verdict (with the label it judged), its AUs, its motion and timing, its label history and each run's verdict. Say what a noisy label should be; curators relabel.",
  ],
  [
    "Class means",
    "#/class-means",
    "The mean flow and strain of each class, per source dataset and label version; a class whose mean looks like another's hides mislabelled samples.",
  ],
  [
    "Action units",
    "#/action-units",
    "The AUs typical of each class, the samples whose AUs contradict their label, disputed counts per dataset.",
  ],
  [
    "Timing",
    "#/timing",
    "Samples whose onset, apex or offset the motion doubts; experts' timing changes; the timing CSV.",
  ],
  [
    "Runs",
    "#/runs",
    "Launch SSSNet training with a noisy-label method under leave-one-subject-out; follow it; compare runs (a difference is called real only between runs of the same protocol, epochs, labels and timing).",
  ],
  [
    "Projection",
    "",
    "A run's UMAP of the last hidden layer: high-loss samples crossed, ILC's proposals to accept or reject, lasso a selection to mark or relabel.",
  ],
  [
    "Labels",
    "#/labels",
    "Label versions (one per curator's sitting), the decisions each holds with undo, what changed between two, CSV downloads, the experts' marks as IDC grades.",
  ],
  [
    "Agreement",
    "#/agreement",
    "Curators: who marked how much, Cohen's and Fleiss' kappa, the samples experts disagree on.",
  ],
  [
    "Import",
    "#/import",
    "Curators: import a release or a manifest from a folder under the server's import roots; watch it and read its report.",
  ],
];

const NUMBERS = [
  [
    "UF1",
    "Unweighted F1: the mean over classes of each class's F1, on the out-of-fold predictions of all subjects concatenated (the MEGC protocol).",
  ],
  ["UAR", "Unweighted average recall: the mean over classes of each class's recall."],
  [
    "Out-of-fold loss",
    "The sample's cross-entropy under the model that never saw its subject: high when the network, trained on the others, disagrees with its label.",
  ],
  [
    "Flag rate",
    "How often the run's method flagged the sample during training (LTM: loss above mean + α·std of its batch).",
  ],
  ["High loss", "The final model's loss above the run's threshold (mean + α·std): the crosses on the projection."],
  ["Label quality", "cleanlab's self-confidence: the out-of-fold probability of the given label."],
  [
    "AU support",
    "The probability of the label given the sample's AUs, from the other subjects of its source dataset: supported, contested (another class likelier), disputed (below 0.2).",
  ],
  [
    "Timing doubts",
    "The apex far from the motion's peak, onset equal to apex, longer than 500 ms or only a few frames, frames missing, no motion.",
  ],
  [
    "Difference [interval]",
    "A run's UF1 minus the reference's, with a 95% bootstrap interval over subjects and a paired test over seeds; 'real' when the interval excludes zero and the seeds agree.",
  ],
];

const keysTable = (title, rows) =>
  h(
    "section",
    {},
    h("h3", {}, title),
    h(
      "table",
      { class: "help-keys" },
      rows.map(([key, what]) => h("tr", {}, h("th", {}, key), h("td", {}, what))),
    ),
  );

export function showHelp() {
  const view = document.getElementById("view");
  view.replaceChildren(
    h("h1", {}, "Help"),
    h(
      "section",
      { "aria-label": "Screens" },
      h("h2", {}, "Screens"),
      h(
        "dl",
        { class: "help-screens" },
        SCREENS.flatMap(([name, href, what]) => [h("dt", {}, href ? h("a", { href }, name) : name), h("dd", {}, what)]),
      ),
    ),
    h(
      "section",
      { "aria-label": "Keys" },
      h("h2", {}, "Keys"),
      h("p", {}, "Keys act only outside text fields. ? shows the keys of the screen you are on."),
      keysTable("Samples", GRID_KEYS),
      keysTable("Review next", TRIAGE_KEYS),
      keysTable("Sample page", sampleKeys(true)),
    ),
    h(
      "section",
      { "aria-label": "Signals and numbers" },
      h("h2", {}, "Signals and numbers"),
      h("p", {}, `The review queue ranks by: ${Object.values(SIGNAL_NAMES).join(", ")}.`),
      h(
        "dl",
        {},
        NUMBERS.flatMap(([name, what]) => [h("dt", {}, name), h("dd", {}, what)]),
      ),
    ),
    h(
      "section",
      { "aria-label": "API" },
      h("h2", {}, "API"),
      h(
        "p",
        {},
        "Everything the app does goes through the HTTP API: ",
        h("a", { href: "/docs" }, "its documentation"),
        " lists every route, the role it needs and its fields.",
      ),
    ),
  );
}
