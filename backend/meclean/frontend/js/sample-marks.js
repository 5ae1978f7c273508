// The sample page's marks: my verdict and its buttons, the note saved with it, and every
// expert's marks as the server holds them.
import { api } from "./api.js";
import { mark, onMarksChanged, undo } from "./marks.js";
import {
  markCells,
  MARKS_HEADER,
  marksCaption,
  myVerdictText,
  NOTE_SAVING,
  NOTE_WITHOUT_VERDICT,
  noteEditedText,
  noteStatusAfter,
} from "./sample-text.js";
import { h } from "./ui.js";
import { choicesOfVerdict, classes } from "./vocabulary.js";

export const marksTable = ({ marks: all, marks_withheld: withheld }) =>
  h(
    "table",
    { class: "marks", id: "marks" },
    h("caption", {}, marksCaption(withheld)),
    h(
      "tr",
      {},
      MARKS_HEADER.map((t) => h("th", {}, t)),
    ),
    all.map((m) =>
      h(
        "tr",
        {},
        markCells(m).map((cell) => h("td", {}, cell)),
      ),
    ),
  );

// My verdict and the note box of `first`, kept up to date as my marks of it are saved:
// `current` is the sample as my marks left it, `markAs` and `undo` mark it, `leave` saves
// the note and stops.
export function myMarking(first) {
  let sample = first;
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
      noteStatus.textContent = NOTE_WITHOUT_VERDICT;
      return;
    }
    mark(sample, sample.my_mark.verdict, sample.my_mark.typical, note.value);
    noteStatus.textContent = NOTE_SAVING;
  };
  note.addEventListener("input", () => {
    noteStatus.textContent = noteEditedText(note.value === savedNote());
  });
  note.addEventListener("change", saveNote);
  // With a noisy or unsure verdict, the class I say the sample should have.
  const shouldBe = h(
    "select",
    { name: "should-be", "aria-label": "Should be" },
    h("option", { value: "" }, "–"),
    classes()
      .filter((c) => c !== sample.label)
      .map((c) => h("option", { value: c, selected: sample.my_mark?.should_be === c }, c)),
  );
  const markAs = (verdict, typical) => mark(sample, verdict, typical, note.value, shouldBe.value);
  shouldBe.addEventListener("change", () => {
    const mine = sample.my_mark;
    if (mine && ["noisy", "unsure"].includes(mine.verdict)) markAs(mine.verdict, mine.typical);
  });
  const myMark = h("div", { class: "my-mark" });
  const drawMine = () =>
    myMark.replaceChildren(
      h("strong", {}, "My verdict: "),
      myVerdictText(sample.my_mark),
      sample.my_mark?.should_be ? `, should be ${sample.my_mark.should_be}` : "",
      ...choicesOfVerdict().map(({ verdict, typical, label, key }) =>
        h("button", { type: "button", onclick: () => markAs(verdict, typical) }, `${label} (${key})`),
      ),
      h("label", { class: "should-be", title: "With a noisy or unsure verdict" }, " should be ", shouldBe),
    );
  drawMine();
  const stop = onMarksChanged((changed, how) => {
    if (changed.id !== sample.id) return;
    // Only my mark comes from the change: another screen's copy (the grid's, saved while
    // this page loaded) lacks the page's history and runs.
    sample = { ...sample, my_mark: changed.my_mark, my_mark_id: changed.my_mark_id };
    drawMine();
    const status = noteStatusAfter(how, note.value === savedNote(), noteStatus.textContent);
    if (status !== null) noteStatus.textContent = status;
    if (how === "saved" || how === "conflict") {
      // Every expert's marks as the server now holds them, mine included.
      api(`/api/samples/${sample.id}`)
        .then((fresh) => {
          // Left meanwhile, the page's table is no longer on screen: another page's stays.
          if (myMark.isConnected) myMark.closest("#view")?.querySelector("#marks")?.replaceWith(marksTable(fresh));
        })
        .catch(() => {});
    }
  });
  return {
    current: () => sample,
    myMark,
    noteBox: () => h("p", { class: "note-box" }, note, " ", noteStatus),
    markAs,
    undo: () => undo(sample),
    leave: () => {
      saveNote();
      stop();
    },
  };
}
