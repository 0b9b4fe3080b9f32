// bench/console.mjs — each console page's time to interactive (issue 18),
// started by bench/console.sh with a gateway seeded with N referrals.
//   node bench/console.mjs measure N OUT.json   one role's user per line of
//                                               REFGW_BENCH_USERS ("group org role email")
//   node bench/console.mjs report A.json B.json the table, B against A
// For every page of each role's navigation, in headless chromium:
//   cold  a full load of /console/#/page with the browser's cache off
//         (every module fetched, the session restored, the page rendered):
//         from navigation start (performance.timeOrigin)
//   warm  a hash change to the page from "me" in the loaded console
// until interactive: the page's section shown and rendered
// (data-rendered = "page:n", ui.js), no aria-busy on it or on any of its
// lists, then the main thread free again (a timeout of 0 run) and a
// control of the page focusable.  Median and max of BENCH_LOADS (5) each;
// the slowest /v1 call of each load is kept, to say which one a slow page
// waits for.  Needs the env of tests/browser/lib.mjs (REFGW_BROWSER_*,
// REFGW_TEST_BIN).
import { readFileSync, writeFileSync } from "node:fs";

const loads = Number(process.env.BENCH_LOADS || 5);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };

// What the page records of itself, before any of its scripts runs.
function recorder() {
  window.__bench = { after: -1, at: null, idle: null, rows: 0 };
  const check = () => {
    const b = window.__bench;
    if (b.at !== null) return;
    const want = (/^#\/([a-z0-9-]+)/.exec(location.hash) || [])[1];
    if (!want) return;
    const [name, count] = (document.documentElement.dataset.rendered || "").split(":");
    if (name !== want || Number(count) <= b.after) return;
    const s = document.getElementById(`page-${want}`);
    if (!s || s.hidden || s.hasAttribute("aria-busy") || s.querySelector('[aria-busy="true"]')) return;
    b.at = performance.now();
    b.rows = s.querySelectorAll("tbody tr").length;
    setTimeout(() => { b.idle = performance.now(); }, 0);
  };
  new MutationObserver(check).observe(document, { subtree: true, attributes: true, childList: true });
}

async function interactive(page, name) {
  await page.waitForFunction(() => window.__bench && window.__bench.idle !== null, { timeout: 60000, polling: 50 });
  return page.evaluate((n) => {
    const s = document.getElementById(`page-${n}`);
    const c = s.querySelector(".page-body button, .page-body input, .page-body select, .page-body a[href], .page-body [tabindex]");
    let focusable = false;
    if (c) { c.focus(); focusable = document.activeElement === c; c.blur(); }
    return { idle: window.__bench.idle, rows: window.__bench.rows, focusable, control: Boolean(c) };
  }, name);
}

async function measure(n, out) {
  const lib = await import("../tests/browser/lib.mjs");
  const users = process.env.REFGW_BENCH_USERS.trim().split("\n").map((l) => l.split(" "));
  const browser = await lib.launch();
  const results = [];
  try {
    for (const [group, org, role, email] of users) {
      const user = await lib.addUser(org, email, `Bench ${group}`, { role });
      const { page } = await lib.openPage(browser, ["en-GB", "en"], { width: 1200 });
      // The slowest /v1 call since the last mark.
      const started = new Map();
      let calls = [];
      page.on("request", (r) => { if (r.url().includes("/v1/")) started.set(r, performance.now()); });
      const done = (r) => {
        if (!started.has(r)) return;
        calls.push({ path: new URL(r.url()).pathname + (new URL(r.url()).search ? "?…" : ""), ms: performance.now() - started.get(r) });
        started.delete(r);
      };
      page.on("requestfinished", done);
      page.on("requestfailed", done);
      // the slowest /v1 call of a load and how many it made (the events' long poll aside)
      const slowest = () => {
        const own = calls.filter((c) => !c.path.startsWith("/v1/events")).sort((a, b) => b.ms - a.ms);
        return own.length ? { ...own[0], count: own.length } : null;
      };
      await page.evaluateOnNewDocument(recorder);

      await page.goto(lib.CONSOLE, { waitUntil: "load" });
      await lib.ready(page);
      await page.type("#email", user.email);
      await page.type("#password", user.password);
      await page.keyboard.press("Enter");
      await lib.onPage(page, "second-factor");
      await page.type("#code", await user.auth.next());
      await page.keyboard.press("Enter");
      await lib.onPage(page, "me");
      const names = (await page.$$eval("#nav a", (as) => as.map((a) => a.getAttribute("href").slice(2))))
        .filter((x) => x !== "me")
        // CONSOLE_PAGES="housing-proposals ...": only those pages
        .filter((x) => !process.env.CONSOLE_PAGES || process.env.CONSOLE_PAGES.split(/\s+/).includes(x));
      for (const name of names) {
        const row = { n, group, role, page: name, cold: [], warm: [], rows: 0, focusable: true, slowCold: [], slowWarm: [] };
        await page.setCacheEnabled(false);
        for (let i = 0; i < loads; i++) {
          calls = [];
          // a document of its own (a goto that changes only the hash would not load one)
          await page.goto("about:blank");
          await page.goto(`${lib.CONSOLE}#/${name}`, { waitUntil: "domcontentloaded" });
          const r = await interactive(page, name);
          row.cold.push(r.idle);
          row.rows = r.rows;
          row.focusable &&= r.focusable || !r.control;
          row.slowCold.push(slowest());
        }
        await page.setCacheEnabled(true);
        for (let i = 0; i < loads; i++) {
          await page.evaluate(() => { location.hash = "#/me"; });
          await lib.onPage(page, "me");
          calls = [];
          const t0 = await page.evaluate(() => {
            const b = window.__bench;
            b.after = Number((document.documentElement.dataset.rendered || ":0").split(":")[1]) || 0;
            b.at = null; b.idle = null;
            return performance.now();
          });
          await page.evaluate((x) => { location.hash = `#/${x}`; }, name);
          const r = await interactive(page, name);
          row.warm.push(r.idle - t0);
          row.rows = r.rows;
          row.slowWarm.push(slowest());
        }
        results.push(row);
        console.error(`bench console: n=${n} ${group} ${name}: cold ${median(row.cold).toFixed(0)} ms, warm ${median(row.warm).toFixed(0)} ms, ${row.rows} rows`);
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
  if (lib.incidents.length) console.error(`bench console: incidents: ${lib.incidents.join("; ")}`);
  writeFileSync(out, JSON.stringify(results));
}

function report(baseFile, bigFile) {
  const base = JSON.parse(readFileSync(baseFile, "utf8"));
  const big = bigFile ? JSON.parse(readFileSync(bigFile, "utf8")) : base;
  const f = (x) => x.toFixed(0);
  const slow = (s) => {
    const ok = s.filter(Boolean).sort((a, b) => a.ms - b.ms);
    if (!ok.length) return "-";
    const m = ok[Math.floor((ok.length - 1) / 2)];
    return `${m.count} calls; ${m.path} ${f(m.ms)}`;
  };
  console.log(`| page | role | N | cold median ms | cold max ms | warm median ms | warm max ms | rows shown | cold ×base | warm ×base | /v1 calls; the slowest (median load, ms) |`);
  console.log(`|---|---|---|---|---|---|---|---|---|---|---|`);
  let over = [];
  for (const r of big) {
    const b = bigFile ? base.find((x) => x.group === r.group && x.page === r.page) : null;
    for (const [row, ratio] of [[b, null], [r, b]]) {
      if (!row) continue;
      const cm = median(row.cold), wm = median(row.warm);
      const rc = ratio ? (cm / median(ratio.cold)).toFixed(2) : "";
      const rw = ratio ? (wm / median(ratio.warm)).toFixed(2) : "";
      console.log(`| ${row.page} | ${row.group} (${row.role}) | ${row.n} | ${f(cm)} | ${f(Math.max(...row.cold))} | ${f(wm)} | ${f(Math.max(...row.warm))} | ${row.rows} | ${rc} | ${rw} | ${slow(row.slowCold)} |`);
      if (Math.max(cm, wm) >= 1000) over.push(`${row.page} (${row.group}, N=${row.n})`);
      if (!row.focusable) over.push(`${row.page}: no control focusable`);
    }
  }
  console.log(over.length ? `over one second (median): ${over.join(", ")}` : "every page interactive in under one second (median, cold and warm)");
}

const [mode, a, b] = process.argv.slice(2);
if (mode === "measure") await measure(Number(a), b);
else if (mode === "report") report(a, b);
else { console.error("usage: node bench/console.mjs measure N OUT.json | report BASE.json BIG.json"); process.exit(2); }
