// The sample page's clip: the movement as it happened, frame by frame, looped; a slider to
// stop on any frame.
import { api } from "./api.js";
import { CLIP_FPS, clipCaption, clipFrameAlt, clipFrames } from "./sample-text.js";
import { h } from "./ui.js";

export async function clipPlayer(sample) {
  const clip = await api(`/api/samples/${sample.id}/clip`);
  const frames = clipFrames(sample.id, clip.frames);
  for (const src of frames) new Image().src = src; // fetched once, then played from cache
  const image = h("img", { src: frames[0], alt: clipFrameAlt(0, sample.name), height: 200 });
  // The apex is a tick on the slider, and a button away.
  const ticks = h(
    "datalist",
    { id: "clip-apex" },
    clip.apex === null ? "" : h("option", { value: clip.apex, label: "apex" }),
  );
  const slider = h("input", {
    type: "range",
    min: 0,
    max: frames.length - 1,
    value: 0,
    list: "clip-apex",
    "aria-label": "clip frame",
  });
  const caption = h("figcaption", {}, clipCaption(clip.until, frames.length));
  let timer = null;
  const show = (i) => {
    slider.value = i;
    image.src = frames[i];
    image.alt = clipFrameAlt(i, sample.name);
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
  const toApex =
    clip.apex === null
      ? ""
      : h(
          "button",
          { type: "button", class: "small", onclick: () => show(clip.apex) },
          `Apex (frame ${clip.apex + 1})`,
        );
  const figure = h(
    "figure",
    { class: "clip", id: "clip" },
    image,
    h("div", {}, button, slider, ticks, toApex),
    caption,
  );
  return { figure, stop: () => clearInterval(timer) };
}
