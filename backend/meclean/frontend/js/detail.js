// One sample: frames and flow at a larger size, its dataset's class means beside it, every
// expert's marks, its label history and what each run made of it.
import { api, render } from "./api.js";
import { canCurate } from "./format.js";
import { actionUnitsSection } from "./sample-aus.js";
import { clipPlayer } from "./sample-clip.js";
import { relabelForm } from "./relabel.js";
import { marksTable, myMarking } from "./sample-marks.js";
import { motionSection } from "./sample-motion.js";
import { historyTable, runsTable } from "./sample-runs.js";
import { neighbours, stepper } from "./sample-steps.js";
import {
  backText,
  classMeansCaption,
  faceText,
  FRAME_PANELS,
  MOVES,
  sampleHeading,
  sampleIntro,
  sampleKeys,
} from "./sample-text.js";
import { explainedImage, h, screenKeys } from "./ui.js";
import { keyVerdict } from "./vocabulary.js";

export async function showSample(state, sampleId) {
  const view = document.getElementById("view");
  let sample = await api(`/api/samples/${sampleId}`);
  const frames = h(
    "section",
    { class: "panels", "aria-label": "Frames and flow" },
    FRAME_PANELS.map(([kind, title]) =>
      h(
        "figure",
        {},
        h("img", { src: render(sample.id, kind, 200), alt: `${title} of ${sample.name}`, height: 200 }),
        h("figcaption", {}, title),
      ),
    ),
  );
  const means = h(
    "figure",
    { class: "class-means" },
    explainedImage({
      src: `/api/datasets/${sample.dataset_id}/class-means?group=${sample.source}&size=180`,
      alt: `class means of ${sample.source}`,
    }),
    h("figcaption", {}, classMeansCaption(sample.source, state.dataset.classes)),
  );
  const mine = myMarking(sample);
  const near = await neighbours(sample.id);
  sample = mine.current(); // as my marks saved meanwhile left it
  const onKey = (event) => {
    if (event.target.closest("input, textarea, select, dialog[open]") || event.ctrlKey || event.metaKey || event.altKey)
      return;
    const chosen = keyVerdict(event.key);
    if (chosen) mine.markAs(...chosen);
    else if (event.key === "z") mine.undo();
    else if (event.key in MOVES && near?.[MOVES[event.key]]) near.go(near[MOVES[event.key]]);
  };
  const back = near ? near.from.hash : "#/samples";
  const steps = stepper(near);
  const stopKeys = screenKeys(view, sampleKeys(Boolean(near)), onKey);
  const marks = marksTable(sample);
  const runs = runsTable(sample, state.dataset.classes);
  const player = await clipPlayer(sample).catch((error) => ({
    figure: h("p", { class: "error" }, `No clip: ${error.message}`),
    stop: () => {},
  }));
  frames.append(player.figure);
  sample = mine.current();
  const timing = await motionSection(sample, canCurate(state.me));
  sample = mine.current();
  const heading = h("h1", {}, sampleHeading(sample));
  let history = historyTable(sample);
  // After a relabel (or its undo): the label, the marks against it and the history anew.
  const relabelled = async () => {
    const fresh = await api(`/api/samples/${sample.id}`);
    sample = { ...mine.current(), label: fresh.label, marks: fresh.marks, label_history: fresh.label_history };
    heading.textContent = sampleHeading(fresh);
    view.querySelector("#marks")?.replaceWith(marksTable(fresh));
    const drawn = historyTable(fresh);
    history.replaceWith(drawn);
    history = drawn;
  };
  const relabel = canCurate(state.me)
    ? relabelForm(sample.dataset_id, {
        ids: () => [sample.id],
        label: () => sample.label,
        onDone: relabelled,
        nameOf: () => sample.name,
      })
    : "";
  view.replaceChildren(
    h("p", {}, h("a", { href: back }, backText(back)), " ", steps),
    heading,
    h("p", {}, sampleIntro(sample)),
    h("p", { class: "face" }, faceText(sample.face)),
    mine.myMark,
    mine.noteBox(),
    relabel,
    h("div", { class: "detail" }, frames, means),
    actionUnitsSection(sample),
    timing,
    marks,
    history,
    sample.runs.length ? runs : h("p", {}, "No finished run has scored this sample yet."),
  );
  return () => {
    mine.leave();
    player.stop();
    stopKeys();
  };
}
