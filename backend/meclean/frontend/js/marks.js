// Saving my marks: shown at once, saved in order, retried until the server has them, and
// undoable. A save is never silently dropped: unsaved marks stay visible until they land.
import { api, ApiError } from "./api.js";
import { toast } from "./ui.js";
import { retraction } from "./vocabulary.js";

/** The marking keys every screen shares: key -> [verdict, typical]. */

const listeners = new Set();
const pending = new Map(); // sample id -> {verdict, typical}, waiting to be saved
const undoStack = [];
// The id of my last mark saved per sample: a mark made while the one before was still on its
// way follows it, whatever copy of the sample it was made on.
const savedIds = new Map();
let retryDelay = 1000;
let saving = false;

export function onMarksChanged(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed(sample, state) {
  for (const listener of listeners) listener(sample, state);
}

export function unsavedCount() {
  return pending.size;
}

export function isUnsaved(sampleId) {
  return pending.has(sampleId);
}

/** Mark a sample (an object from the samples API, updated in place). */
export function mark(sample, verdict, typical = false, note, shouldBe = null) {
  undoStack.push({ sample, previous: sample.my_mark ? { ...sample.my_mark } : null });
  apply(sample, verdict, typical, note, shouldBe);
}

/** Undo my last mark; with `only`, only if that mark was on this sample (a sample page
 * must not take back, unseen, a mark made on another). */
export function undo(only) {
  const top = undoStack.at(-1);
  if (!top || (only && top.sample.id !== only.id)) {
    toast(only ? "No mark of yours on this sample to undo" : "Nothing to undo");
    return null;
  }
  const last = undoStack.pop();
  const { sample, previous } = last;
  if (previous) apply(sample, previous.verdict, previous.typical, previous.note, previous.should_be);
  else apply(sample, retraction(), false);
  toast(`Undid my mark on ${sample.name}: ${previous ? `back to ${previous.verdict}` : "unmarked again"}`);
  return sample;
}

// Only a noisy or unsure verdict says what the label should be.
const SAYS_WHAT_IT_SHOULD_BE = new Set(["noisy", "unsure"]);

function apply(sample, verdict, typical, note, shouldBe = null) {
  const should_be = SAYS_WHAT_IT_SHOULD_BE.has(verdict) ? shouldBe || null : null;
  sample.my_mark =
    verdict === retraction()
      ? null
      : { ...(sample.my_mark ?? {}), verdict, typical, should_be, note: note ?? sample.my_mark?.note ?? "" };
  pending.set(sample.id, { sample, verdict, typical, should_be, note: sample.my_mark?.note ?? "" });
  changed(sample, "pending");
  flush();
}

async function flush() {
  if (saving) return;
  saving = true;
  try {
    while (pending.size) {
      const [id, job] = pending.entries().next().value;
      try {
        const saved = await api(`/api/samples/${id}/mark`, {
          method: "PUT",
          body: {
            verdict: job.verdict,
            typical: job.typical,
            note: job.note,
            should_be: job.should_be ?? null,
            based_on: savedIds.has(id) ? savedIds.get(id) : job.sample.my_mark_id,
          },
        });
        job.sample.my_mark_id = saved.id;
        savedIds.set(id, saved.id);
        if (pending.get(id) === job) pending.delete(id);
        retryDelay = 1000;
        changed(job.sample, "saved");
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          // Another tab of mine marked it first: show theirs rather than overwrite it.
          const current = error.detail.current;
          job.sample.my_mark_id = current?.id ?? null;
          savedIds.set(id, current?.id ?? null);
          job.sample.my_mark = current?.verdict === retraction() ? null : current;
          pending.delete(id);
          changed(job.sample, "conflict");
          toast(`Sample ${job.sample.name} was marked in another tab; kept that mark.`, "error");
        } else if (error instanceof ApiError && error.status < 500 && error.status !== 429) {
          pending.delete(id);
          changed(job.sample, "failed");
          toast(`Could not save the mark on ${job.sample.name}: ${error.message}`, "error");
        } else {
          changed(job.sample, "retrying");
          toast(`Saving failed (${error.message}); retrying in ${retryDelay / 1000} s`, "error");
          await new Promise((resolve) => setTimeout(resolve, retryDelay));
          retryDelay = Math.min(retryDelay * 2, 30000);
        }
      }
    }
  } finally {
    saving = false;
  }
}

window.addEventListener("beforeunload", (event) => {
  if (pending.size) event.preventDefault(); // warn: marks not yet saved
});
