// One sample: frames and flow at a larger size, its dataset's class means beside it, every
// expert's marks, its label history and what each run made of it.
import { api, render } from "./api.js";
import { mark, onMarksChanged, undo } from "./marks.js";
import { RETURN_KEY } from "./grid.js";
import { canCurate, fixed, sourceName } from "./format.js";
import { actionUnitsSection } from "./sample-aus.js";
import { motionSection } from "./sample-motion.js";
import { explainedImage, h, screenKeys } from "./ui.js";
import { choicesOfVerdict, keyVerdict } from "./vocabulary.js";

// Previous and next in the order the grid showed, when the page was opened from it; past
// the cards the grid had loaded, the next page of the same query is fetched.
async function neighbours(sampleId) {
  const from = JSON.parse(sessionStorage.getItem(RETURN_KEY) ?? "null");
  const at = from?.ids?.indexOf(sampleId) ?? -1;
  if (at < 0) return null;
  if (at === from.ids.length - 1 && from.cursor !== null) {
    try {
      const page = await api(from.url, { query: { ...from.query, cursor: from.cursor, limit: 60 } });
      from.ids.push(...page.items.map((s) => s.id));
      from.cursor = page.next_cursor;
      sessionStorage.setItem(RETURN_KEY, JSON.stringify(from));
    } catch {
      // the stepper stops at the last card the grid had; nothing else is lost
    }
  }
  const go = (id) => {
    sessionStorage.setItem(RETURN_KEY, JSON.stringify({ ...from, id }));
    location.hash = `#/sample/${id}`;
  };
  return { from, at, previous: from.ids[at - 1], next: from.ids[at + 1], go };
}

const CLIP_FPS = 12;

// The movement as it happened, frame by frame, looped; a slider to stop on any frame.
async function clipPlayer(sample) {
  const clip = await api(`/api/samples/${sample.id}/clip`);
  const frames = Array.from({ length: clip.frames }, (_, i) => `/api/samples/${sample.id}/clip/${i}?size=200`);
  for (const src of frames) new Image().src = src; // fetched once, then played from cache
  const image = h("img", { src: frames[0], alt: `frame 1 of the clip of ${sample.name}`, height: 200 });
  const slider = h("input", { type: "range", min: 0, max: frames.length - 1, value: 0, "aria-label": "clip frame" });
  const caption = h("figcaption", {}, `Onset to ${clip.until}, ${frames.length} frames`);
  let timer = null;
  const show = (i) => {
    slider.value = i;
    image.src = frames[i];
    image.alt = `frame ${i + 1} of the clip of ${sample.name}`;
  };
  const button = h(
    "button",
    {
      type: "button",
      class: "small",
      onclick: () => {
        if (timer) {
          clearInterval(timer);
          timer = null;
          button.textContent = "Play";
          return;
        }
        timer = setInterval(() => show((Number(slider.value) + 1) % frames.length), 1000 / CLIP_FPS);
        button.textContent = "Pause";
      },
    },
    "Play",
  );
  slider.addEventListener("input", () => show(Number(slider.value)));
  const figure = h("figure", { class: "clip", id: "clip" }, image, h("div", {}, button, slider), caption);
  return { figure, stop: () => clearInterval(timer) };
}

export async function showSample(state, sampleId) {
  const view = document.getElementById("view");
  let sample = await api(`/api/samples/${sampleId}`);
  const frames = h(
    "section",
    { class: "panels", "aria-label": "Frames and flow" },
    [
      ["onset", "Onset"],
      ["apex", "Apex"],
      ["vx", "Vx"],
      ["vy", "Vy"],
      ["strain", "Optical strain"],
      ["flow", "Colour-coded flow"],
      ["arrows", "Flow on the apex frame"],
    ].map(([kind, title]) =>
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
    h(
      "figcaption",
      {},
      `Class means of ${sourceName(sample.source)} (rows: ${state.dataset.classes.join(", ")}; columns: Vx, Vy, strain)`,
    ),
  );
  const note = h(
    "textarea",
    { name: "note", rows: 2, cols: 40, placeholder: "Note (optional)" },
    sample.my_mark?.note ?? "",
  );
  // A note is saved with my verdict: edited after it, it is saved on leaving the box (or
  // the screen), and the line beside it says whether it is saved.
  const noteStatus = h("span", { class: "note-status", id: "note-status", "aria-live": "polite" });
  const savedNote = () => sample.my_mark?.note ?? "";
  const saveNote = () => {
    if (note.value === savedNote()) return;
    if (!sample.my_mark) {
      noteStatus.textContent = "Not saved: a note is saved with a verdict (c, n, u or t).";
      return;
    }
    mark(sample, sample.my_mark.verdict, sample.my_mark.typical, note.value);
    noteStatus.textContent = "Saving the note…";
  };
  note.addEventListener("input", () => {
    noteStatus.textContent = note.value === savedNote() ? "" : "Note not saved yet (saved on leaving the box).";
  });
  note.addEventListener("change", saveNote);
  const myMark = h("div", { class: "my-mark" });
  const drawMine = () =>
    myMark.replaceChildren(
      h("strong", {}, "My verdict: "),
      sample.my_mark ? `${sample.my_mark.verdict}${sample.my_mark.typical ? " (typical)" : ""}` : "unmarked",
      ...choicesOfVerdict().map(({ verdict, typical, label, key }) =>
        h("button", { type: "button", onclick: () => mark(sample, verdict, typical, note.value) }, `${label} (${key})`),
      ),
    );
  drawMine();
  const stop = onMarksChanged((changed, how) => {
    if (changed.id !== sample.id) return;
    sample = changed;
    drawMine();
    if (how === "saved" && note.value === savedNote() && noteStatus.textContent) noteStatus.textContent = "Note saved.";
    if (how === "failed" || how === "conflict")
      noteStatus.textContent = note.value === savedNote() ? "" : "Note not saved.";
    if (how === "saved" || how === "conflict") {
      // Every expert's marks as the server now holds them, mine included.
      api(`/api/samples/${sample.id}`)
        .then((fresh) => {
          document.getElementById("marks")?.replaceWith(marksTable(fresh));
        })
        .catch(() => {});
    }
  });
  const near = await neighbours(sample.id);
  const moves = { ArrowLeft: "previous", k: "previous", ArrowRight: "next", j: "next" };
  const onKey = (event) => {
    if (event.target.closest("input, textarea, select, dialog[open]") || event.ctrlKey || event.metaKey || event.altKey)
      return;
    const chosen = keyVerdict(event.key);
    if (chosen) mark(sample, ...chosen, note.value);
    else if (event.key === "z") undo(sample);
    else if (event.key in moves && near?.[moves[event.key]]) near.go(near[moves[event.key]]);
  };
  const back = near ? near.from.hash : "#/samples";
  const stepper = near
    ? h(
        "nav",
        { class: "stepper", "aria-label": "Samples in the grid's order" },
        h("button", { type: "button", disabled: !near.previous, onclick: () => near.go(near.previous) }, "← Previous"),
        ` ${near.at + 1} of ${near.from.total ?? near.from.ids.length} `,
        h("button", { type: "button", disabled: !near.next, onclick: () => near.go(near.next) }, "Next →"),
      )
    : "";
  const stopKeys = screenKeys(
    view,
    [
      ["c", "mark clean"],
      ["n", "mark noisy"],
      ["u", "mark unsure"],
      ["t", "mark clean and typical"],
      ["z", "undo my last mark"],
      ...(near
        ? [
            ["← / k", "previous sample of the grid"],
            ["→ / j", "next sample of the grid"],
          ]
        : []),
    ],
    onKey,
  );
  const marksTable = ({ marks: all, marks_withheld: withheld }) =>
    h(
      "table",
      { class: "marks", id: "marks" },
      h(
        "caption",
        {},
        withheld
          ? "Marking is blind on this dataset: the experts' marks show once you give yours"
          : "All experts' marks",
      ),
      h("tr", {}, h("th", {}, "Expert"), h("th", {}, "Verdict"), h("th", {}, "Note"), h("th", {}, "When")),
      all.map((m) =>
        h(
          "tr",
          {},
          h("td", {}, m.user),
          h("td", {}, m.verdict + (m.typical ? " (typical)" : "")),
          h("td", {}, m.note),
          h("td", {}, new Date(m.created_at).toLocaleString()),
        ),
      ),
    );
  const marks = marksTable(sample);
  const history = h(
    "table",
    { class: "history" },
    h("caption", {}, "Label history"),
    h("tr", {}, h("th", {}, "Version"), h("th", {}, "Label"), h("th", {}, "Why")),
    sample.label_history.map((e) =>
      h("tr", {}, h("td", {}, e.version_id), h("td", {}, e.label), h("td", {}, e.reason)),
    ),
  );
  const runs = h(
    "table",
    { class: "verdicts" },
    h("caption", {}, "Runs"),
    h(
      "tr",
      {},
      ...[
        "Run",
        "Method",
        "Prediction",
        ...state.dataset.classes.map((c) => `p(${c})`),
        "Flag rate (training)",
        "Loss (final model)",
        "Proposed relabel",
      ].map((t) => h("th", {}, t)),
    ),
    sample.runs.map((r) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `#/runs/${r.run_id}` }, r.run_id)),
        h("td", {}, r.method),
        h("td", {}, r.prediction),
        r.probabilities.map((p) => h("td", {}, fixed(p, 2))),
        h("td", {}, fixed(r.flag_rate, 2)),
        h("td", {}, fixed(r.final_loss, 3)),
        h("td", {}, r.proposed_label ?? "–"),
      ),
    ),
  );
  const player = await clipPlayer(sample).catch((error) => ({
    figure: h("p", { class: "error" }, `No clip: ${error.message}`),
    stop: () => {},
  }));
  frames.append(player.figure);
  const timing = await motionSection(sample, canCurate(state.me));
  view.replaceChildren(
    h("p", {}, h("a", { href: back }, back.startsWith("#/runs") ? "← Projection" : "← Samples"), " ", stepper),
    h("h1", {}, `${sample.label} | ${sample.subject} | ${sample.name}`),
    h(
      "p",
      {},
      `${sample.source}, emotion “${sample.emotion}”${sample.objective_class ? ` (objective class ${sample.objective_class})` : ""}, originally ${sample.original_label}; apex ${sample.apex_source}.`,
    ),
    h(
      "p",
      { class: "face" },
      sample.face ? `Frames ${sample.face} (face found on the onset frame).` : "Frames used whole (no face crop).",
    ),
    myMark,
    h("p", { class: "note-box" }, note, " ", noteStatus),
    h("div", { class: "detail" }, frames, means),
    actionUnitsSection(sample),
    timing,
    marks,
    history,
    sample.runs.length ? runs : h("p", {}, "No finished run has scored this sample yet."),
  );
  return () => {
    saveNote();
    stop();
    player.stop();
    stopKeys();
  };
}
