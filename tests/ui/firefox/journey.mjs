// An expert's and a curator's way through the app in Firefox, driven over WebDriver BiDi.
// Usage: xvfb-run -a node journey.mjs BASE_URL PASSWORD SCREENSHOT_DIR FIREFOX
// (Firefox runs headful on the virtual screen: headless Firefox offers no WebGL.)
// Exits non-zero naming the step that failed; any console error or failed request fails it.
import { readFileSync } from "node:fs";
import puppeteer from "puppeteer-core";

const [base, password, screenshots, firefox] = process.argv.slice(2);
const errors = [];
const firstPoint = readFileSync(new URL("../first_point.js", import.meta.url), "utf8");

function textMatches(selector, pattern, timeout = 30_000) {
  return page.waitForFunction(
    (sel, source, flags) =>
      [...document.querySelectorAll(sel)].some((el) => new RegExp(source, flags).test(el.textContent)),
    { timeout },
    selector,
    pattern.source,
    pattern.flags,
  );
}

function countIs(selector, count) {
  return page.waitForFunction(
    (sel, n) => document.querySelectorAll(sel).length === n,
    { timeout: 30_000 },
    selector,
    count,
  );
}

function imagesLoaded(selector, count) {
  return page.waitForFunction(
    (sel, n) => {
      const images = [...document.querySelectorAll(sel)];
      return images.length === n && images.every((img) => img.complete && img.naturalWidth > 0);
    },
    { timeout: 60_000 },
    selector,
    count,
  );
}

async function signIn(name) {
  await page.goto(base);
  await page.locator("input[name=name]").fill(name);
  await page.locator("input[name=password]").fill(password);
  await page.locator("form.login button[type=submit]").click();
  await textMatches("#whoami", new RegExp(name));
}

async function step(name, body) {
  try {
    await body();
  } catch (error) {
    await page.screenshot({ path: `${screenshots}/firefox-failed.png` }).catch(() => {});
    throw new Error(`${name}: ${error.message}`, { cause: error });
  }
  if (errors.length) throw new Error(`${name}: console errors ${JSON.stringify(errors)}`);
}

const browser = await puppeteer.launch({ browser: "firefox", executablePath: firefox, headless: false });
const version = await browser.version();
const page = await browser.newPage();
await page.setViewport({ width: 1366, height: 800 });
page.on("console", (message) => {
  if (message.type() === "error") errors.push(message.text());
});
page.on("pageerror", (error) => errors.push(String(error)));
page.on("response", (response) => {
  if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
});

try {
  await step("an annotator marks by keyboard", async () => {
    await signIn("annotator");
    await countIs(".card", 18);
    await page.keyboard.press("c");
    await page.keyboard.press("n");
    await textMatches("#my-progress", /^Me: 2 \/ 18 marked \(1 clean, 1 noisy, 0 unsure\)$/);
    await imagesLoaded(".card img", 18);
    await page.screenshot({ path: `${screenshots}/firefox-grid.png` });
  });

  await step("the marks are kept after a reload", async () => {
    await page.reload();
    await countIs(".card", 18);
    await textMatches(".card:nth-child(1) .badge.mine", /^clean$/);
    await textMatches(".card:nth-child(2) .badge.mine", /^noisy$/);
  });

  await step("the sample page shows its flow and the class means", async () => {
    const title = await page.$eval(".card:nth-child(3) h3", (el) => el.textContent);
    await page.locator(".card:nth-child(3)").click();
    await page.keyboard.press("Enter");
    await textMatches("h1", new RegExp(`^${title.replace(/[|]/g, "\\|")}$`));
    await page.waitForSelector('img[alt^="Optical strain of"]', { visible: true });
    await page.screenshot({ path: `${screenshots}/firefox-sample.png` });
    await page.locator('a[href="#/class-means"]').click();
    await imagesLoaded(".side-by-side img", 2);
  });

  await step("a curator's ILC run finishes and its projection is drawn", async () => {
    await page.locator("#logout").click();
    await page.waitForSelector("form.login"); // signed out: the session cookies are gone
    await signIn("curator");
    await page.locator('a[href="#/runs"]').click();
    await page.waitForSelector("#launch-form select[name=method]"); // the screen loads first
    await page.select("#launch-form select[name=method]", "ilc");
    await page.locator("#launch-form input[name=alpha]").fill("0");
    await page.locator("#launch-form input[name=epochs]").fill("4");
    await page.locator("#launch-form button[type=submit]").click();
    await textMatches("#runs tbody tr:first-child .status", /^succeeded$/, 240_000);
    await page.locator("#runs tbody tr:first-child a[href$=projection]").click();
    await page.waitForSelector("body[data-projection-ready]", { timeout: 60_000 });
    await countIs("#projection .legendtext", 7); // 3 classes, 3 review states, high loss
    // Drawn by WebGL (scattergl), as on an expert's laptop, not by the SVG fallback.
    await countIs("#no-webgl[hidden]", 1);
    await countIs("#projection .gl-canvas-context", 1);
  });

  await step("hovering a point shows its probabilities", async () => {
    const [x, y] = await page.evaluate(firstPoint);
    await page.mouse.move(x, y);
    await textMatches(".hover-card .probabilities", /negative \d\.\d\d, positive \d\.\d\d, surprise \d\.\d\d/);
  });

  await step("a lassoed group's relabels are accepted into a new label version", async () => {
    const box = await (await page.$("#projection .nsewdrag")).boundingBox();
    const [left, top] = [box.x + 2, box.y + 2];
    const [right, bottom] = [box.x + box.width - 2, box.y + box.height - 2];
    await page.mouse.move(left, top);
    await page.mouse.down();
    for (const [x, y] of [
      [right, top],
      [right, bottom],
      [left, bottom],
      [left, top + 5],
    ]) {
      await page.mouse.move(x, y, { steps: 8 });
    }
    await page.mouse.up();
    await textMatches("#selection h2", /18 selected/);
    await page.screenshot({ path: `${screenshots}/firefox-projection.png` });
    await page.locator("#accept-relabels").click();
    await textMatches("#toast", /into label version/);
  });
} finally {
  await browser.close();
}
console.log(`${version}: every step passed`);
