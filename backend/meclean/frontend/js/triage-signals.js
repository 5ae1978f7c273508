// Review next's choice of signals: which of those the queue has (the runs', the experts'
// disagreement, the action units') rank it.
import { SIGNAL_NAMES, toggledSignals } from "./triage-text.js";
import { h } from "./ui.js";

/** A box per signal of `available`; `state.signals` ([] for all) changes on a tick and
 * `onChange()` follows. */
export function signalPicker(available, state, onChange) {
  return h(
    "fieldset",
    { class: "triage-signals" },
    h("legend", {}, "Rank by"),
    available.map((signal) =>
      h(
        "label",
        {},
        h("input", {
          type: "checkbox",
          name: "signal",
          value: signal,
          checked: !state.signals.length || state.signals.includes(signal),
          onchange: (e) => {
            const next = toggledSignals(state.signals, available, signal, e.target.checked);
            if (next === null) {
              e.target.checked = true;
              return;
            }
            state.signals = next;
            onChange();
          },
        }),
        ` ${SIGNAL_NAMES[signal] ?? signal}`,
      ),
    ),
  );
}
