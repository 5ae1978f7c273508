// Pure helpers (no DOM) of the launch form: the methods' order, which fields a method
// takes, the body sent, and the server's plan as a sentence. Unit-tested with node --test
// (tests/js/). What a method takes and what a run would do are the server's answers.
import { duration, plural } from "./format.js";

// The methods the paper compares first (the form's default is the first), then their peers
// as the server lists them; the server's list is the truth.
const FIRST = ["ilc", "ltm", "idc", "idc+ilc", "idc+ltm"];
const rank = (method) => (FIRST.includes(method.name) ? FIRST.indexOf(method.name) : FIRST.length);
export const inFormOrder = (methods) => [...methods].sort((a, b) => rank(a) - rank(b));

/** Which of the optional fields the chosen method takes, as its catalogue entry says. */
export function fieldsTaken(method, consensus) {
  return {
    q: method.q_default !== null,
    warmup: method.warmup_share !== null,
    marks: method.needs_marks,
    cleanlab: method.needs_marks && consensus === "cleanlab",
  };
}

/** The placeholders of q and the warm-up epochs: the defaults the method would use. */
export function placeholders(method, takes, epochsValue, defaults) {
  const epochs = Number(epochsValue) || defaults.epochs;
  return {
    q: takes.q ? `default ${method.q_default}` : "",
    warmup: takes.warmup ? `default ${Math.max(1, Math.round(method.warmup_share * epochs))}` : "",
  };
}

/** The launch request from the form's values: only the parameters the method takes. */
export function launchBody(data, method) {
  const body = {
    method: data.method,
    device: data.device,
    protocol: data.protocol,
    alpha: Number(data.alpha),
    epochs: Number(data.epochs),
    seeds: Number(data.seeds),
    label_version_id: Number(data.label_version_id),
  };
  if (method.q_default !== null && data.q) body.q = Number(data.q);
  if (method.warmup_share !== null && data.warmup_epochs) body.warmup_epochs = Number(data.warmup_epochs);
  if (method.needs_marks) {
    body.consensus = data.consensus;
    if (data.marks_user) body.marks_user = data.marks_user;
    if (data.consensus === "cleanlab" && data.consensus_run_id) body.consensus_run_id = Number(data.consensus_run_id);
  }
  return body;
}

/** The grades CSV IDC would read: one expert's marks, or all experts' by the consensus rule. */
export function marksAddress(datasetId, expert, rule) {
  const query = expert ? `user=${encodeURIComponent(expert)}` : `rule=${encodeURIComponent(rule || "majority")}`;
  return `/api/datasets/${datasetId}/marks.csv?${query}`;
}

/** The run as the server would launch it: effective parameters, folds, clean set, duration. */
export function planText(plan) {
  const { method, ...parameters } = plan.method;
  const effective = Object.entries(parameters)
    .map(([k, v]) => `${k.replace("_epochs", "")} ${v}`)
    .join(", ");
  const clean = plan.clean_per_class
    ? `; IDC clean set ${Object.entries(plan.clean_per_class)
        .map(([c, n]) => `${c} ${n}`)
        .join(
          ", ",
        )}${plan.consensus_run_id ? ` (experts weighed by cleanlab against run ${plan.consensus_run_id})` : ""}`
    : "";
  const estimate =
    plan.estimate_s !== null
      ? `; about ${duration(plan.estimate_s)} at the pace of this dataset's last runs`
      : "; no finished run yet to estimate its duration from";
  return `Runs ${method}${effective ? ` (${effective})` : ""} under the ${plan.protocol} protocol on label version ${plan.label_version_id}: ${plan.folds} LOSO folds × ${plural(plan.seeds, "seed")} × ${plural(plan.epochs, "epoch")}${clean}${estimate}.`;
}

// The form's words for the fields the server may refuse.
const FIELD_WORDS = {
  marks_user: "IDC marks from",
  consensus_run_id: "weighed against run",
  label_version_id: "label version",
  warmup_epochs: "warm-up epochs",
};

/** Why the plan says the run cannot run, naming the form's field the server refused. */
export function planRefusal(error) {
  const name = error.detail?.field;
  const field = name ? ` (${FIELD_WORDS[name] ?? name.replaceAll("_", " ")})` : "";
  return `Cannot run: ${error.message}${field}`;
}

/** Why the launch itself was refused. */
export function launchRefusal(error) {
  const where = error.detail?.field ? ` (${error.detail.field})` : "";
  return `${error.message}${where}`;
}
