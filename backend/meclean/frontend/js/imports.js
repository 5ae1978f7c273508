// Import (curators): a folder under the server's import roots, its layout and options;
// the import runs on the queue (POST /api/datasets/import), its phase and progress shown
// live, then its report (imports-report.js) or its error naming the file, row and field.
import { api } from "./api.js";
import { canCurate } from "./format.js";
import { importReport } from "./imports-report.js";
import { h, select, toast } from "./ui.js";
import { faceModes, layouts } from "./vocabulary.js";

const POLL_MS = 1000;

const FACE_WORDS = {
  auto: "auto: crop raw frames to the face, leave face crops whole",
  crop: "crop every face found",
  keep: "keep the frames whole",
};

function field(name, label, hint, attributes = {}) {
  return h(
    "label",
    { class: "field" },
    label,
    h("input", { name, type: "text", ...attributes }),
    hint ? h("small", {}, hint) : "",
  );
}

function form(roots, onQueued) {
  const box = (name, text) => h("label", {}, h("input", { type: "checkbox", name, checked: true }), ` ${text}`);
  const element = h(
    "form",
    { class: "import-form", "aria-label": "Import a dataset" },
    field("name", "Name", "", { required: true, maxlength: 200 }),
    select(
      "layout",
      layouts().map((l) => [l, l]),
      "megc2019",
      () => {},
      "Layout ",
    ),
    field("path", "Folder (or manifest CSV) on the server", `an absolute path under ${roots.join(" or ")}`, {
      required: true,
    }),
    field("sheet", "Annotation sheet", "optional: where it is not found in the folder"),
    field("roster", "Roster CSV", "optional: a MEGC2019 roster other than the shipped one"),
    field("overrides", "Overrides CSV", "optional: onset, apex, offset or emotion per sample"),
    select(
      "faces",
      faceModes().map((m) => [m, FACE_WORDS[m] ?? m]),
      "auto",
      () => {},
      "Faces ",
    ),
    box("corrections", "correct the sheets' known errors"),
    box("estimates", "estimate a missing or impossible apex from the motion"),
    h("button", { type: "submit" }, "Import"),
    h("p", { class: "error", role: "alert" }),
  );
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(element);
    const body = {
      name: data.get("name"),
      layout: data.get("layout"),
      path: data.get("path"),
      faces: data.get("faces"),
    };
    for (const optional of ["sheet", "roster", "overrides"]) {
      if (data.get(optional)) body[optional] = data.get(optional);
    }
    body.corrections = data.get("corrections") === "on";
    body.estimates = data.get("estimates") === "on";
    const error = element.querySelector(".error");
    error.textContent = "";
    try {
      const job = await api("/api/datasets/import", { method: "POST", body });
      toast(`Import of ${job.name} queued`);
      onQueued(job);
    } catch (failure) {
      const at = failure.detail?.field;
      error.textContent = at ? `${at}: ${failure.message}` : failure.message;
    }
  });
  return element;
}

function progressLine(job) {
  if (job.phase === "finding faces" && job.total) {
    return h(
      "label",
      {},
      "finding faces ",
      h("progress", { max: job.total, value: job.done }),
      ` ${job.done} / ${job.total}`,
    );
  }
  // A worker busy training finishes its task first: an import can wait that long.
  const waiting = job.phase === "waiting for a worker" ? " (a worker that is training takes it after its task)" : "";
  return h("span", {}, job.phase, waiting);
}

function importRow(job, onCancel, onShow) {
  return h(
    "tr",
    { dataset: { importId: job.id, status: job.status } },
    h("td", {}, job.name),
    h("td", {}, job.layout),
    h("td", { class: "status" }, job.active ? progressLine(job) : job.status),
    h(
      "td",
      {},
      job.active ? h("button", { type: "button", onclick: () => onCancel(job) }, "Cancel") : "",
      job.report || job.error ? h("button", { type: "button", onclick: () => onShow(job) }, "Report") : "",
    ),
  );
}

export async function showImports(state) {
  const view = document.getElementById("view");
  if (!canCurate(state.me)) {
    view.replaceChildren(h("p", { class: "empty" }, "Only curators import datasets."));
    return;
  }
  let timer;
  let shown = null; // the import whose report is open
  const list = h("tbody");
  const report = h("section", { class: "import-report", "aria-label": "Import report" });

  async function cancel(job) {
    try {
      await api(`/api/imports/${job.id}/cancel`, { method: "POST" });
      toast(`Import of ${job.name} cancelled; nothing of it was stored`);
    } catch (error) {
      toast(error.message, "error");
    }
    refresh();
  }
  function show(job) {
    shown = job.id;
    report.replaceChildren(importReport(job));
  }
  async function refresh() {
    clearTimeout(timer);
    const jobs = await api("/api/imports");
    list.replaceChildren(...jobs.map((job) => importRow(job, cancel, show)));
    const open = jobs.find((job) => job.id === shown);
    if (open && !open.active && !report.dataset.shown) {
      report.dataset.shown = String(open.id);
      show(open);
      if (open.status === "succeeded")
        window.dispatchEvent(new CustomEvent("meclean:datasets-changed", { detail: open.dataset_id }));
    }
    if (jobs.some((job) => job.active)) timer = setTimeout(() => refresh().catch(() => {}), POLL_MS);
  }
  view.replaceChildren(
    h("h1", {}, "Import a dataset"),
    form(await api("/api/imports/roots"), (job) => {
      shown = job.id;
      delete report.dataset.shown;
      report.replaceChildren(h("p", {}, `Importing ${job.name}…`));
      refresh();
    }),
    h("h2", {}, "Imports"),
    h(
      "table",
      { class: "imports" },
      h(
        "tr",
        {},
        ["Name", "Layout", "Status", ""].map((t) => h("th", {}, t)),
      ),
      list,
    ),
    report,
  );
  await refresh();
  return () => clearTimeout(timer);
}
