// Pure helpers (no DOM) of the shell: which screen an address shows, the dataset chosen at
// sign-in, the progress counter's texts. Unit-tested with node --test (tests/js/).

// Screens about the signer, not a dataset: shown with or without one.
export const ACCOUNT_ROUTES = [
  [/^#\/users$/, "users"],
  [/^#\/account$/, "account"],
  [/^#\/import$/, "import"],
  [/^#\/help$/, "help"],
];

// Screens of the dataset chosen, in the order they are tried.
export const DATASET_ROUTES = [
  [/^#\/sample\/(\d+)$/, "sample"],
  [/^#\/class-means$/, "class-means"],
  [/^#\/action-units$/, "action-units"],
  [/^#\/timing$/, "timing"],
  [/^#\/runs\/(\d+)\/projection$/, "projection"],
  [/^#\/runs\/(\d+)$/, "run"],
  [/^#\/runs$/, "runs"],
  [/^#\/labels$/, "labels"],
  [/^#\/agreement$/, "agreement"],
  [/^#\/samples(\?.*)?$/, "samples"],
  [/^#\/triage(\?.*)?$/, "triage"],
];

// The screen an address shows, as { screen, match } (the address matched against its
// pattern), or null: a dataset's screens only once there is a dataset.
export function routeOf(hash, hasDataset) {
  const found =
    ACCOUNT_ROUTES.find(([pattern]) => pattern.test(hash)) ??
    (hasDataset ? DATASET_ROUTES.find(([pattern]) => pattern.test(hash)) : undefined);
  return found ? { screen: found[1], match: hash.match(found[0]) } : null;
}

// The dataset picked last on this browser (`wanted`, its id), else the first one.
export const chosenDataset = (datasets, wanted) => datasets.find((d) => d.id === wanted) ?? datasets[0] ?? null;

// The counter's texts: my marks, anyone's, and the marks not saved yet (null when none).
export function progressTexts(progress, unsaved) {
  const mine = progress.my_verdicts;
  const myMarked = Object.values(mine).reduce((a, b) => a + b, 0);
  const all = progress.verdicts;
  return {
    mine: `Me: ${myMarked} / ${progress.samples} marked (${mine.clean ?? 0} clean, ${mine.noisy ?? 0} noisy, ${mine.unsure ?? 0} unsure)`,
    // Samples and verdicts apart: several experts' verdicts can fall on one sample.
    all: `Everyone: ${progress.marked} / ${progress.samples} samples marked; verdicts: ${all.clean ?? 0} clean, ${all.noisy ?? 0} noisy, ${all.unsure ?? 0} unsure`,
    unsaved: unsaved ? `${unsaved} unsaved` : null,
  };
}
