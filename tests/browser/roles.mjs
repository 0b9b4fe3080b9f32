// What the role and journey tests (*.test.mjs but console's) add to
// lib.mjs: the navigation by keyboard or by address, a ui.js form filled
// and sent by its id, the error shown beside a field, a list's CSV as
// downloaded, the API as the page's session sees it.
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { rendered, sleep, tabUntil } from "./lib.mjs";

// The navigation's link to a page, reached by Tab and followed by Enter.
export async function goTo(page, name) {
  await tabUntil(page, (n) => document.activeElement && document.activeElement.matches(`#nav a[href="#/${n}"]`),
    name, `the link to ${name}`, 80);
  await page.keyboard.press("Enter");
  await rendered(page, name);
}

// Goes to the hash (rendered afresh even when it is the current one).
export async function visit(page, hash, name) {
  const before = await page.evaluate(() => document.documentElement.dataset.rendered || "");
  await page.evaluate((h) => {
    if (location.hash === h) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = h;
  }, hash);
  await page.waitForFunction((b) => (document.documentElement.dataset.rendered || "") !== b, {}, before);
  await rendered(page, name);
}

// The API's answer as the page's session sees it (a fetch in the page).
export async function inPage(page, path) {
  return page.evaluate(async (p) => (await fetch(p, { headers: { Accept: "application/json" } })).json(), path);
}

// Tab from the top to the button of that text inside container, Enter.
export async function pressByKeyboard(page, container, label) {
  await page.focus(".skip");
  await tabUntil(page, ([c, l]) => document.activeElement && document.activeElement.tagName === "BUTTON" &&
    document.activeElement.textContent === l && document.activeElement.closest(c) !== null,
  [container, label], `the button ${label}`, 200);
  await page.keyboard.press("Enter");
}

// A render after this moment (a language changed, a rerender).
export async function renderedAgain(page, name, before) {
  await page.waitForFunction((b) => document.documentElement.dataset.rendered !== b, { timeout: 10000 }, before);
  await rendered(page, name);
}

export async function renderMark(page) {
  return page.evaluate(() => document.documentElement.dataset.rendered || "");
}

// Sets a form's fields by name (a date as yyyy-mm-dd, which only a script
// can give a date input), types the others.
export async function fill(page, form, values) {
  for (const [name, value] of Object.entries(values)) {
    const sel = `#${form} [name="${name}"]`;
    const { tag, type } = await page.$eval(sel, (el) => ({ tag: el.tagName, type: el.type }));
    if (tag === "SELECT") await page.select(sel, value);
    else if (type === "date") {
      await page.$eval(sel, (el, v) => { el.value = v; }, value);
    } else {
      await page.$eval(sel, (el) => { el.value = ""; });
      await page.type(sel, value);
    }
  }
}

export async function submit(page, form) {
  await page.click(`#${form} button[type="submit"]`);
}

// The errors shown beside a field (its aria-describedby), and whether it
// is marked invalid: "" when none.
export async function fieldError(page, form, name) {
  return page.$eval(`#${form} .field[data-field="${name}"]`, (wrap) => {
    const control = wrap.querySelector("input, select, textarea, fieldset");
    const ids = (control.getAttribute("aria-describedby") || "").split(" ").filter((x) => x.includes("-error"));
    const texts = ids.map((i) => document.getElementById(i).textContent).join(" ");
    const invalid = control.getAttribute("aria-invalid") === "true" || Boolean(wrap.querySelector('[aria-invalid="true"]'));
    return texts === "" && !invalid ? "" : `${texts}${invalid ? "" : " (not aria-invalid)"}`;
  });
}

// Clicks the CSV button inside root and returns the downloaded file.
export async function csvOf(page, downloads, root, prefix) {
  for (const f of readdirSync(downloads)) rmSync(join(downloads, f), { force: true });
  await page.click(`${root} button.csv`);
  for (let i = 0; i < 150; i++) {
    const done = readdirSync(downloads).filter((f) => f.startsWith(prefix) && f.endsWith(".csv"));
    if (done.length === 1) return readFileSync(join(downloads, done[0]), "utf8");
    await sleep(100);
  }
  throw new Error(`no ${prefix}*.csv downloaded (${readdirSync(downloads).join(", ")})`);
}

// A CSV (RFC 4180) as rows of cells.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell); rows.push(row); row = []; cell = ""; i++;
    } else cell += c;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}
