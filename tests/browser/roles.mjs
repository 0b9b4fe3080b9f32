// What the role tests (housing.test.mjs, coordinator.test.mjs) share: users
// made with the gateway's CLI (tests/cluster.sh exported its database and
// the test organisations), enrolled and signed in through the API with
// their TOTP, chromium driven by puppeteer-core, axe-core on every page and
// a screenshot of it (build/screenshots/<page>.png), checks that print one
// line each and a last line "browser: N passed, N failed".
import { execFileSync } from "node:child_process";
import { createHash, createHmac, X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (tests/browser/run.sh sets it)`);
  return v;
};
export const BASE = env("REFGW_BROWSER_BASE");
const CA = readFileSync(env("REFGW_BROWSER_CA"));
const SERVER_CERT = readFileSync(env("REFGW_BROWSER_SERVER_CERT"));
export const BIN = env("REFGW_TEST_BIN");
export const CERTS = env("REFGW_TEST_CERTS");
const SHOTS = process.env.REFGW_BROWSER_SCREENSHOTS || "build/screenshots";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const CONSOLE = `${BASE}/console/`;
const ORIGIN = new URL(BASE).origin;
export const PASSWORD = "a long passphrase for the role tests";
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The test organisations of tests/test-orgs.txt: slug → id.
export const ORGS = Object.fromEntries(readFileSync(env("REFGW_TEST_ORGS"), "utf8").trim().split("\n")
  .map((l) => l.split(" ")));

// ---- the API from Node ----

export function api(method, path, { body, cookie, csrf, headers = {} } = {}) {
  return new Promise((resolveCall, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const base = new URL(BASE);
    const req = https.request({
      host: base.hostname, port: base.port, path, method, ca: CA,
      headers: {
        Accept: "application/json",
        ...(data ? { "Content-Type": "application/json" } : {}),
        ...(method !== "GET" ? { Origin: ORIGIN } : {}),
        ...(cookie ? { Cookie: cookie } : {}),
        ...(csrf && method !== "GET" ? { "X-CSRF-Token": csrf } : {}),
        ...headers,
      },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { json = null; }
        resolveCall({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

// ---- users: made by the CLI, enrolled with TOTP (RFC 6238) ----

function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const out = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}

function totp(key, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac("sha1", key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}

export class User {
  constructor(org, email, role, name) {
    this.email = email;
    this.name = name;
    this.token = execFileSync(BIN, ["user", "add", "--org", org, "--email", email, "--role", role, "--name", name,
      "--language", "en"], { encoding: "utf8" }).trim();
    this.key = null;
    this.lastStep = 0;
  }

  // A code for a step never used, within the gateway's one-step window.
  async code() {
    for (;;) {
      const now = Math.floor(Date.now() / 30000);
      const step = Math.max(now - 1, this.lastStep + 1);
      if (step <= now + 1 && !(step === now - 1 && Date.now() % 30000 > 28000)) {
        this.lastStep = step;
        return totp(this.key, step);
      }
      await sleep(500);
    }
  }

  async enrol() {
    const enrol = await api("POST", "/v1/account/enrol", { body: { invitation_token: this.token, password: PASSWORD } });
    equal(enrol.status, 200, `enrol ${this.email} (${enrol.text})`);
    this.key = base32(enrol.json.totp_secret);
    const confirm = await api("POST", "/v1/account/confirm", { body: { invitation_token: this.token, code: await this.code() } });
    equal(confirm.status, 204, `confirm ${this.email} (${confirm.text})`);
  }

  // A session from Node: {call(method, path, body, headers)}.
  async session() {
    const first = await api("POST", "/v1/session", { body: { email: this.email, password: PASSWORD } });
    equal(first.status, 200, `sign-in ${this.email} (${first.text})`);
    const pending = first.headers["set-cookie"][0].split(";")[0];
    const second = await api("POST", "/v1/session/second-factor", { body: { code: await this.code() }, cookie: pending });
    equal(second.status, 200, `second factor ${this.email} (${second.text})`);
    const cookie = second.headers["set-cookie"][0].split(";")[0];
    const csrf = second.json.csrf_token;
    return {
      info: second.json,
      call: async (method, path, body, headers = {}) => {
        const r = await api(method, path, { body, cookie, csrf, headers });
        if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
        return r.json;
      },
    };
  }
}

// ---- checks ----

const results = [];
let failed = 0;
export let current = "";
class StopError extends Error {}

export async function check(name, fn) {
  current = name;
  try {
    await fn();
    results.push(name);
    console.log(`ok    ${name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL  ${name}\n      ${String(err && err.stack ? err.stack : err).split("\n").join("\n      ")}`);
    throw new StopError();
  }
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}
export function equal(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

// ---- the browser ----

function spkiPin(pem) {
  const der = new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("base64");
}

const axeSource = readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
export const incidents = [];

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "refgw-chromium-"));
  const args = [`--ignore-certificate-errors-spki-list=${spkiPin(SERVER_CERT)}`, "--disable-gpu", "--disable-dev-shm-usage",
    "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
    "--disable-sync"];
  if (process.getuid && process.getuid() === 0) args.push("--no-sandbox");
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, userDataDir: profile, args });
  return { browser, done: async () => { await browser.close(); rmSync(profile, { recursive: true, force: true }); } };
}

function expectedConsoleError(msg) {
  const url = msg.location() && msg.location().url ? msg.location().url : "";
  return /^Failed to load resource: the server responded with a status of 4[0-9][0-9] /.test(msg.text()) &&
    url.startsWith(`${ORIGIN}/v1/`);
}

export async function openPage(browser, { width = 1200, language = "en" } = {}) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width, height: 900 });
  await page.evaluateOnNewDocument((lang) => {
    Object.defineProperty(navigator, "languages", { get: () => [lang] });
    window.__refgwViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__refgwViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  }, language);
  page.on("console", (msg) => {
    if ((msg.type() === "error" || msg.type() === "warn") && !expectedConsoleError(msg))
      incidents.push(`[${current}] console ${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => incidents.push(`[${current}] page error: ${err.message}`));
  page.on("dialog", async (d) => { incidents.push(`[${current}] dialog ${d.message()}`); await d.dismiss(); });
  page.on("requestfailed", (req) => req.response()?.status() === 204 || req.url().startsWith("blob:") ||
    incidents.push(`[${current}] request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`));
  const downloads = mkdtempSync(join(tmpdir(), "refgw-downloads-"));
  const cdp = await page.createCDPSession();
  await cdp.send("Page.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  return { context, page, downloads };
}

export async function text(page, selector) {
  return page.$eval(selector, (el) => el.textContent);
}

export async function tabTo(page, id, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((x) => document.activeElement && document.activeElement.id === x, id)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`#${id} never got the focus by Tab`);
}

// Signs in by keyboard alone: email, password, Enter; the code, Enter.
export async function signIn(page, user) {
  await page.goto(CONSOLE, { waitUntil: "load" });
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true", { timeout: 10000 });
  await tabTo(page, "email");
  await page.keyboard.type(user.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await onPage(page, "second-factor");
  await tabTo(page, "code");
  await page.keyboard.type(await user.code());
  await page.keyboard.press("Enter");
  await onPage(page, "me");
}

export async function onPage(page, name) {
  try {
    await page.waitForFunction((n) => document.documentElement.dataset.page === n &&
      !document.getElementById(`page-${n}`).hidden, { timeout: 10000 }, name);
  } catch {
    const seen = await page.evaluate(() => `page ${document.documentElement.dataset.page}, ` +
      `problem "${document.getElementById("problem").textContent.trim()}"`);
    throw new Error(`not on ${name} (${seen})`);
  }
}

// Follows the navigation link to a role page by keyboard (Tab, Enter),
// then waits until the page has read what it shows.
export async function goTo(page, name) {
  const id = `nav-link-${name}`;
  await page.evaluate((n, i) => {
    const a = document.querySelector(`#role-nav a[href="#/${n}"]`);
    if (a) a.id = i;
  }, name, id);
  await tabTo(page, id, 60);
  await page.keyboard.press("Enter");
  await onPage(page, name);
  await loaded(page, name);
}

export async function loaded(page, name) {
  await page.waitForFunction((n) => document.documentElement.dataset.loaded === n, { timeout: 20000 }, name);
  const problem = await page.evaluate(() => (document.getElementById("problem").hidden ? "" : document.getElementById("problem").textContent.trim()));
  assert(problem === "", `a problem on ${name}: ${problem}`);
}

// axe-core on the page as it is, and its screenshot (build/screenshots).
export async function axeClean(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }, resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${what}.png`), fullPage: true });
  assert(result.length === 0, `axe-core on ${what}: ${result.join("; ")}`);
  const v = await page.evaluate(() => window.__refgwViolations);
  assert(v.length === 0, `CSP violations: ${v.join("; ")}`);
}

// Clicks the CSV button of a list and returns the file's text.
export async function csvOf(page, downloads, name) {
  for (const f of readdirSync(downloads)) rmSync(join(downloads, f), { force: true });
  await page.click(`button[data-csv="${name}"]`);
  for (let i = 0; i < 100; i++) {
    const files = readdirSync(downloads).filter((f) => f === `${name}.csv`);
    if (files.length) return readFileSync(join(downloads, files[0]), "utf8");
    await sleep(100);
  }
  throw new Error(`no ${name}.csv downloaded`);
}

// Types into a form's field (by the form's data-form and the field name).
export async function fill(page, formName, values) {
  for (const [name, value] of Object.entries(values)) {
    const sel = `form[data-form="${formName}"] [name="${name}"]`;
    const tag = await page.$eval(sel, (el) => el.tagName);
    const type = await page.$eval(sel, (el) => el.type);
    if (tag === "SELECT") await page.select(sel, value);
    else if (type === "date") {
      // A date input takes its value as yyyy-mm-dd from a script only.
      await page.$eval(sel, (el, v) => { el.value = v; el.dispatchEvent(new Event("input", { bubbles: true })); }, value);
    } else {
      await page.$eval(sel, (el) => { el.value = ""; });
      await page.type(sel, value);
    }
  }
}

export async function submit(page, formName) {
  await page.click(`form[data-form="${formName}"] button[type="submit"]`);
}

// The error shown beside a field (its aria-describedby), "" when none.
export async function fieldError(page, formName, name) {
  return page.$eval(`form[data-form="${formName}"] [name="${name}"], form[data-form="${formName}"] [data-field="${name}"]`, (el) => {
    const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter((x) => x.endsWith("-error"));
    return ids.map((i) => document.getElementById(i).textContent).join(" ") +
      (el.getAttribute("aria-invalid") === "true" ? "" : " (not aria-invalid)");
  });
}

export async function run(main) {
  let code = 1;
  try {
    await main();
    await check("no console error, no CSP violation, no dialog in the whole run", async () => {
      assert(incidents.length === 0, incidents.join("; "));
    });
    console.log(`browser: ${results.length} passed, 0 failed`);
    code = 0;
  } catch (err) {
    if (!(err instanceof StopError)) {
      failed++;
      console.log(`FAIL  ${String(err && err.stack ? err.stack : err)}`);
    }
    console.log(`browser: ${results.length} passed, ${failed} failed (the checks after a failure did not run)`);
  }
  process.exit(code);
}
