// Label versions: who made each, why, from which run; what changed between two; and the
// downloads (a version in the roster's CSV format, the experts' marks as IDC grades).
import { api, render } from "./api.js";
import { canCurate } from "./format.js";
import { changesSection } from "./labels-changes.js";
import { h, toast } from "./ui.js";

const when = (iso) => new Date(iso).toLocaleString();

export async function showLabels(state) {
  const view = document.getElementById("view");
  const dataset = state.dataset;
  const base = `/api/datasets/${dataset.id}`;
  const versions = await api(`${base}/label-versions`);
  const byId = new Map(versions.map((v) => [v.id, v]));
  const current = versions.find((v) => v.current) ?? versions.at(-1);

  const table = h(
    "table",
    { class: "versions", id: "versions" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Version", "Parent", "By", "When", "Why", "From run", ""].map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      [...versions]
        .reverse()
        .map((v) =>
          h(
            "tr",
            { dataset: { version: v.id } },
            h(
              "td",
              {},
              `v${v.id}`,
              v.current ? h("strong", {}, " (current)") : "",
              v.open ? h("span", { class: "open", title: "its author's next decisions join it" }, " open") : "",
            ),
            h("td", {}, v.parent_id ? `v${v.parent_id}` : "–"),
            h("td", {}, v.created_by ?? "import"),
            h("td", {}, when(v.created_at)),
            h("td", {}, v.reason),
            h(
              "td",
              {},
              v.source_run_id ? h("a", { href: `#/runs/${v.source_run_id}` }, `run ${v.source_run_id}`) : "–",
            ),
            h(
              "td",
              {},
              h("a", { href: `${base}/label-versions/${v.id}/csv`, download: "" }, "Download CSV"),
              v.open && canCurate(state.me) ? [" ", closeButton(v)] : "",
            ),
          ),
        ),
    ),
  );

  // An open version takes its author's next decisions; closed, the next starts a new one.
  function closeButton(version) {
    const close = async () => {
      try {
        await api(`${base}/label-versions/${version.id}/close`, { method: "POST" });
        toast(`Version ${version.id} closed: the next decision starts a new version`);
      } catch (error) {
        toast(error.message, "error");
      }
      showLabels(state);
    };
    return h("button", { type: "button", class: "small", onclick: close }, "Close");
  }

  const choose = (name, selected) =>
    h(
      "select",
      { name, "aria-label": `${name} version` },
      versions.map((v) => h("option", { value: v.id, selected: v.id === selected }, `v${v.id}`)),
    );
  const older = choose("old", current.parent_id ?? versions[0].id);
  const newer = choose("new", current.id);
  const changes = h("section", { id: "version-diff", "aria-live": "polite" });
  const decisions = h("div");

  async function compare() {
    const [old, fresh] = [Number(older.value), Number(newer.value)];
    const undone = () => showLabels(state);
    decisions.replaceChildren(await changesSection(base, dataset.id, fresh, canCurate(state.me), undone));
    const diff = await api(`${base}/label-versions/diff`, { query: { old, new: fresh } });
    const made = byId.get(fresh);
    changes.replaceChildren(
      h("h2", {}, `${diff.length} label${diff.length === 1 ? " differs" : "s differ"} between v${old} and v${fresh}`),
      h(
        "p",
        { class: "note" },
        `v${fresh} by ${made.created_by ?? "import"}, ${when(made.created_at)}: ${made.reason}`,
        made.source_run_id ? ` (run ${made.source_run_id})` : "",
      ),
      h(
        "ul",
        { class: "changes" },
        diff
          .slice(0, 500)
          .map((c) =>
            h(
              "li",
              { dataset: { sample: c.sample_id } },
              h("img", { src: render(c.sample_id, "triptych", 60), alt: "", height: 40, loading: "lazy" }),
              h("a", { href: `#/sample/${c.sample_id}` }, c.name),
              h("span", { class: "change" }, ` ${c.before} → `, h("strong", {}, c.after)),
            ),
          ),
      ),
      diff.length > 500 ? h("p", {}, `and ${diff.length - 500} more (download both versions to see all)`) : "",
    );
  }
  older.addEventListener("change", compare);
  newer.addEventListener("change", compare);

  // The IDC grades of one expert or of all by a consensus rule, as IDC reads them.
  // Curators may take any expert's marks; an annotator, their own.
  const others = canCurate(state.me) ? (await api(`${base}/experts`)).filter((e) => e.name !== state.me.name) : [];
  const expert = h(
    "select",
    { name: "expert", "aria-label": "whose marks" },
    h("option", { value: "" }, "all experts"),
    h("option", { value: state.me.name }, `mine (${state.me.name})`),
    others.map((e) => h("option", { value: e.name }, `${e.name} (${e.samples})`)),
  );
  const rule = h(
    "select",
    { name: "rule", "aria-label": "consensus rule" },
    h("option", { value: "majority" }, "majority"),
    h("option", { value: "any-noisy" }, "any noisy"),
  );
  const grades = h("a", { id: "grades-download", download: "" }, "Download IDC grades");
  const gradesLink = () => {
    const query = new URLSearchParams({ rule: rule.value });
    if (expert.value) query.set("user", expert.value);
    grades.href = `${base}/marks.csv?${query}`;
  };
  expert.addEventListener("change", gradesLink);
  rule.addEventListener("change", gradesLink);
  gradesLink();

  view.replaceChildren(
    h("h1", {}, `Label versions of ${dataset.name}`),
    table,
    h(
      "section",
      { class: "exports" },
      h("h2", {}, "Marks"),
      h("label", {}, "From ", expert),
      " ",
      h("label", {}, "by ", rule),
      " ",
      grades,
      " · ",
      h("a", { href: `${base}/features.npz`, download: "", id: "features-download" }, "Download the features (NPZ)"),
    ),
    h(
      "section",
      {},
      h("h2", {}, "Compare versions"),
      h("div", { class: "compare-pick" }, h("label", {}, "From ", older), h("label", {}, " to ", newer)),
    ),
    changes,
    decisions,
  );
  await compare();
}
