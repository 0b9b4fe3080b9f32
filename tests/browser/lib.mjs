// What every browser test shares (tests/browser/*.test.mjs, started by
// tests/browser/run.sh): the gateway's API from Node (with a client
// certificate-free HTTPS call, a person's session when asked), TOTP codes,
// the organisations and users a test makes with the gateway's CLI,
// chromium (pinned to the test server's key), pages that record every
// incident (console error, CSP violation, dialog), axe-core, keyboard
// helpers, and a screenshot of every page: build/screenshots/<page>.png
// (REFGW_BROWSER_SCREENSHOTS=DIR elsewhere; `make screenshots` copies
// them to docs/screenshots/).
import { execFileSync } from "node:child_process";
import { createHash, createHmac, X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

export const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (tests/browser/run.sh sets it)`);
  return v;
};
export const BASE = env("REFGW_BROWSER_BASE");
export const CA = readFileSync(env("REFGW_BROWSER_CA"));
const SERVER_CERT = readFileSync(env("REFGW_BROWSER_SERVER_CERT"));
export const CONSOLE = `${BASE}/console/`;
export const ORIGIN = new URL(BASE).origin;
export const SHOTS = process.env.REFGW_BROWSER_SCREENSHOTS || "build/screenshots";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the API from Node ----

// path is sent as written.  cookie/csrf: a person's session (see signIn).
export function api(method, path, { body, cookie, csrf, headers = {} } = {}) {
  return new Promise((resolveCall, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const base = new URL(BASE);
    const req = https.request({
      host: base.hostname,
      port: base.port,
      path,
      method,
      ca: CA,
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

// ---- TOTP (RFC 6238: HMAC-SHA1, 30 s, 6 digits), each step used once per user ----

export function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "").toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${text}`);
    bits += v.toString(2).padStart(5, "0");
  }
  const out = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out);
}

export function totp(key, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac("sha1", key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}

// A user's authenticator: a code for a step never used before, within
// the gateway's +-1 step window (waits for the clock when needed).
export class Authenticator {
  constructor(secret) {
    this.key = base32(secret);
    this.lastStep = 0;
  }

  async next() {
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
}

// ---- organisations and users (the gateway's CLI, on the test's database) ----

export function cli(...args) {
  return execFileSync(env("REFGW_TEST_BIN"), args, { encoding: "utf8" }).trim();
}

export function addOrganisation(name, kind, programs = []) {
  const args = ["org", "add", "--name", name, "--kind", kind];
  if (programs.length) args.push("--programs", programs.join(","));
  return cli(...args).split("\n").pop().trim();
}

// A user invited, enrolled and confirmed: {email, password, id, auth}.
export async function addUser(org, email, name, { role = "worker", language = "en" } = {}) {
  const token = cli("user", "add", "--org", org, "--email", email, "--role", role, "--name", name,
    "--language", language).split("\n").pop().trim();
  const password = `a long passphrase for ${email}`;
  const enrol = await api("POST", "/v1/account/enrol", { body: { invitation_token: token, password } });
  if (enrol.status !== 200) throw new Error(`enrol ${email}: ${enrol.status} ${enrol.text}`);
  const auth = new Authenticator(enrol.json.totp_secret);
  const confirm = await api("POST", "/v1/account/confirm", { body: { invitation_token: token, code: await auth.next() } });
  if (confirm.status !== 204) throw new Error(`confirm ${email}: ${confirm.status} ${confirm.text}`);
  return { email, password, name, org, auth };
}

function cookieOf(res) {
  const set = [].concat(res.headers["set-cookie"] || []);
  const c = set.map((x) => x.split(";")[0]).find((x) => x.startsWith("__Host-refgw-session="));
  return c || null;
}

// A session of the user from Node: call(method, path, body, headers) with
// its cookie and CSRF token, as the console would.
export async function signIn(user) {
  const first = await api("POST", "/v1/session", { body: { email: user.email, password: user.password } });
  if (first.status !== 200) throw new Error(`sign-in ${user.email}: ${first.status} ${first.text}`);
  let cookie = cookieOf(first);
  const second = await api("POST", "/v1/session/second-factor", { cookie, body: { code: await user.auth.next() } });
  if (second.status !== 200) throw new Error(`second factor ${user.email}: ${second.status} ${second.text}`);
  cookie = cookieOf(second) || cookie;
  const csrf = second.json.csrf_token;
  const call = async (method, path, body, headers = {}) => {
    const res = await api(method, path, { body, cookie, csrf, headers });
    if (res.status >= 400) throw new Error(`${method} ${path} as ${user.email}: ${res.status} ${res.text}`);
    return res.json;
  };
  return { call, raw: (method, path, body, headers = {}) => api(method, path, { body, cookie, csrf, headers }), session: second.json };
}

// ---- checks ----

export class StopError extends Error {}

export const suite = { results: [], failed: 0, current: "" };

export async function check(name, fn) {
  suite.current = name;
  try {
    await fn();
    suite.results.push(name);
    console.log(`ok    ${name}`);
  } catch (err) {
    suite.failed++;
    console.log(`FAIL  ${name}\n      ${String(err && err.stack ? err.stack : err).split("\n").join("\n      ")}`);
    throw new StopError();
  }
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export function equal(actual, expected, what) {
  if (actual !== expected)
    throw new Error(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

// Runs main(), prints "browser: N passed, N failed" and exits.
export async function run(main, { cleanup } = {}) {
  let code = 1;
  try {
    code = await main();
    if (suite.failed === 0) console.log(`browser: ${suite.results.length} passed, 0 failed`);
  } catch (err) {
    if (!(err instanceof StopError)) {
      suite.failed++;
      console.log(`FAIL  ${String(err && err.stack ? err.stack : err)}`);
    }
    console.log(`browser: ${suite.results.length} passed, ${suite.failed} failed (the checks after a failure did not run)`);
    code = 1;
  } finally {
    if (cleanup) await cleanup();
  }
  process.exit(code);
}

// ---- the browser ----

function spkiPin(pem) {
  const der = new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("base64");
}

// Chromium, headless, trusting the test server's key and no other.
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "refgw-chromium-"));
  const args = [
    `--ignore-certificate-errors-spki-list=${spkiPin(SERVER_CERT)}`,
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--metrics-recording-only",
  ];
  if (process.getuid && process.getuid() === 0) args.push("--no-sandbox");
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, userDataDir: profile, args });
  const close = browser.close.bind(browser);
  browser.close = async () => {
    await close();
    rmSync(profile, { recursive: true, force: true });
  };
  return browser;
}

export const incidents = [];
export const dialogs = [];

// Chromium logs every 4xx of a fetch: the console's own calls whose
// problem it shows are expected (the statuses a test names).
function expectedConsoleError(msg, statuses) {
  const url = msg.location() && msg.location().url ? msg.location().url : "";
  const m = /^Failed to load resource: the server responded with a status of ([0-9]{3}) /.exec(msg.text());
  return m && statuses.includes(Number(m[1])) && url.startsWith(`${ORIGIN}/v1/`);
}

// A page in a fresh context, with the browser's languages given, that
// records every incident.  expected: the 4xx statuses of /v1 a test
// provokes on purpose; ignoreFailed(url): requests whose failure is the
// test's doing (a long-poll cut by the page's end).
// downloads: a directory where the page's downloads (a CSV) are saved.
export async function openPage(browser, languagesList, { width = 1024, expected = [401, 403], ignoreFailed = () => false, downloads } = {}) {
  const context = await browser.createBrowserContext(downloads
    ? { downloadBehavior: { policy: "allow", downloadPath: downloads } } : {});
  const page = await context.newPage();
  await page.setViewport({ width, height: 800 });
  await page.evaluateOnNewDocument((langs) => {
    Object.defineProperty(navigator, "languages", { get: () => langs });
    Object.defineProperty(navigator, "language", { get: () => langs[0] });
    window.__refgwViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__refgwViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  }, languagesList);
  page.on("console", (msg) => {
    if ((msg.type() === "error" || msg.type() === "warn") && !expectedConsoleError(msg, expected))
      incidents.push(`[${suite.current}] console ${msg.type()}: ${msg.text()} (${msg.location()?.url || ""})`);
  });
  page.on("pageerror", (err) => incidents.push(`[${suite.current}] page error: ${err.message}`));
  page.on("dialog", async (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
  // A 204 reported as net::ERR_ABORTED is a Chromium quirk (puppeteer#9458).
  page.on("requestfailed", (req) => req.response()?.status() === 204 || ignoreFailed(req.url()) ||
    incidents.push(`[${suite.current}] request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`));
  return { context, page };
}

export async function ready(page) {
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true", { timeout: 10000 });
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

// A page of ui.js rendered (its body filled, its lists loaded).
export async function rendered(page, name) {
  await onPage(page, name);
  await page.waitForFunction((n) => {
    const s = document.getElementById(`page-${n}`);
    return (document.documentElement.dataset.rendered || "").startsWith(`${n}:`) &&
      !s.hasAttribute("aria-busy") && !s.querySelector('.list[aria-busy="true"]');
  }, { timeout: 10000 }, name);
}

export async function text(page, selector) {
  return page.$eval(selector, (el) => el.textContent);
}

// A screenshot of the page as it is: SHOTS/<name>.png, the whole page at
// 60 % (small enough to commit: make screenshots copies those that
// docs/console.md shows to docs/screenshots/).
export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const size = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth,
    height: Math.min(document.documentElement.scrollHeight, 4000),
  }));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), captureBeyondViewport: true,
    clip: { x: 0, y: 0, width: size.width, height: size.height, scale: 0.6 } });
}

const axeSource = readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

// axe-core on the whole page (WCAG 2.1 A and AA; every rule of axe-core,
// its best practices too, with allRules): none allowed.  Injected by
// evaluating its source (the CSP blocks a script added from elsewhere than
// 'self'; puppeteer's evaluate is the DevTools protocol's, outside the
// page's policy).  Saves the page's screenshot too.
export async function axeClean(page, what, { allRules = false } = {}) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async (all) => {
    const options = { resultTypes: ["violations"] };
    if (!all) options.runOnly = { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] };
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, options);
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }, allRules);
  await screenshot(page, what);
  assert(result.length === 0, `axe-core on ${what}: ${result.join("; ")}`);
}

export async function noViolations(page) {
  const v = await page.evaluate(() => window.__refgwViolations);
  assert(v.length === 0, `CSP violations: ${v.join("; ")}`);
}

// Tab until the element matching the test has the focus (keyboard only).
export async function tabTo(page, id, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((x) => document.activeElement && document.activeElement.id === x, id)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`#${id} never got the focus by Tab`);
}

// Tab until the focused element satisfies fn (run in the page with the
// active element), e.g. a link of the navigation by its text.
export async function tabUntil(page, fn, arg, what, max = 60) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate(fn, arg)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`${what} never got the focus by Tab`);
}

export async function sessionCookie(page) {
  const cookies = await page.cookies(BASE);
  const c = cookies.find((x) => x.name === "__Host-refgw-session");
  return c ? `${c.name}=${c.value}` : null;
}

// ---- what the role and journey tests share ----

// The test organisations of tests/test-orgs.txt (tests/cluster.sh): slug -> id.
export function testOrgs() {
  return Object.fromEntries(readFileSync(env("REFGW_TEST_ORGS"), "utf8").trim().split("\n").map((l) => l.split(" ")));
}

// A date n days from today, as a date input and the API write it (yyyy-mm-dd).
export const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

// A directory for a page's downloads (openPage's downloads).
export function downloadsDir() {
  return mkdtempSync(join(tmpdir(), "refgw-downloads-"));
}

// A user of addUser signs in on the sign-in page, keyboard only: email,
// Tab, password, Enter, then the code of its authenticator; ends on who am I.
export async function signInByKeyboard(page, user, { tabs = 40 } = {}) {
  await tabTo(page, "email", tabs);
  await page.keyboard.type(user.email);
  await page.keyboard.press("Tab");
  equal(await page.evaluate(() => document.activeElement.id), "password", "Tab from the email");
  await page.keyboard.type(user.password);
  await page.keyboard.press("Enter");
  await onPage(page, "second-factor");
  await tabTo(page, "code", tabs);
  await page.keyboard.type(await user.auth.next());
  await page.keyboard.press("Enter");
  await onPage(page, "me");
}

// The last check of a file: no page of the run logged an incident.
export async function checkNoIncidents(prefix) {
  await check(`${prefix}no console error, no CSP violation, no dialog in the whole run`, async () => {
    assert(incidents.length === 0, incidents.join("; "));
    equal(dialogs.length, 0, `dialogs (${dialogs.join("; ")})`);
  });
}
