// The top bar's line about the dataset's optical flow, computed on the queue after an
// import: live progress, and for curators a way to stop it or to resume a stopped one.
import { api } from "./api.js";
import { canCurate } from "./format.js";
import { h, toast } from "./ui.js";

const POLL_MS = 2000;
let timer;

export async function followFeatures(state) {
  clearTimeout(timer);
  const box = document.getElementById("features-status");
  const dataset = state.dataset;
  const job = dataset && state.me ? await api(`/api/datasets/${dataset.id}/features`) : null;
  // Signed out, or another dataset picked, while asking.
  if (!state.me || dataset !== state.dataset) return;
  const act = (path, done) => async () => {
    try {
      await api(`/api/datasets/${dataset.id}/features${path}`, { method: "POST" });
      toast(done);
    } catch (error) {
      toast(error.message, "error");
    }
    followFeatures(state).catch(() => {});
  };
  const curator = canCurate(state.me);
  const missing = job?.failed.length
    ? h("span", { class: "missing", title: job.failed.join("\n") }, `no flow for ${job.failed.length} samples`)
    : "";
  if (!job || job.status === "succeeded") {
    box.replaceChildren(missing);
  } else if (job.active) {
    box.replaceChildren(
      h(
        "label",
        {},
        "Computing flow ",
        h("progress", { max: job.total, value: job.done }),
        ` ${job.done} / ${job.total}`,
      ),
      missing,
      curator
        ? h("button", { type: "button", onclick: act("/cancel", "Stopped; the flow computed so far is kept") }, "Stop")
        : "",
    );
    timer = setTimeout(() => followFeatures(state).catch(() => {}), POLL_MS);
  } else {
    box.replaceChildren(
      h("span", { class: "missing", title: job.error ?? "" }, `Flow ${job.status} at ${job.done} / ${job.total}`),
      curator ? h("button", { type: "button", onclick: act("", "Computing the missing flow again") }, "Resume") : "",
    );
  }
}
