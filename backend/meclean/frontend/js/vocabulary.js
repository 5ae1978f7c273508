// The API's words (classes, verdicts, import layouts), read once at sign-in: the screens build their
// choices from them rather than from copies of their own.
import { api } from "./api.js";
import { verdictChoices } from "./format.js";

let words = { classes: [], verdicts: [], decided: [], retraction: "retracted", layouts: [], face_modes: [] };
let choices = [];

export async function loadVocabulary() {
  words = await api("/api/vocabulary");
  choices = verdictChoices(words.verdicts);
}

export const classes = () => words.classes;
export const verdicts = () => words.verdicts;
export const retraction = () => words.retraction;
export const layouts = () => words.layouts;
export const faceModes = () => words.face_modes;

// Every verdict button: { verdict, typical, label, key }.
export const choicesOfVerdict = () => choices;

// The verdict a key gives, as [verdict, typical], or undefined.
export function keyVerdict(key) {
  const choice = choices.find((c) => c.key === key);
  return choice && [choice.verdict, choice.typical];
}
