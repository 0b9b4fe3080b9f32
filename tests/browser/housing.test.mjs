// The housing officer's journey through the console (docs/journeys.md,
// "ISSUE's sites" and "The life of a unit"; docs/console.md): a SISP (Test
// Org C, a housing operator) adds a site lent to the ISSUE partnership, a
// wrong period shown beside its field; publishes a unit to street workers,
// withdraws and publishes it again; DIOGENES (Test Org D) proposes a person
// for it through the API; the SISP reads what the consent shares, accepts,
// starts the occupancy under a convention, sees it among its occupancies
// and in the partnership's site table, suppressed (one person).  The units
// exported as CSV and checked; axe-core and a screenshot on every page.
// Started by tests/browser/run.sh after console.test.mjs.
import {
  addUser, assert, axeClean, check, checkNoIncidents, CONSOLE, day, downloadsDir, equal, launch, noViolations, openPage,
  ready, rendered, run, signIn, signInByKeyboard, sleep, tabTo, testOrgs, text,
} from "./lib.mjs";
import { csvOf, fieldError, fill, goTo, parseCsv, renderMark, renderedAgain, submit } from "./roles.mjs";

const ORGS = testOrgs();
const SISP = ORGS.orgc;
const DIOGENES = ORGS.orgd;
const COORDINATOR = ORGS.coord;
const downloads = downloadsDir();

async function main() {
  let officer = null;
  let diogenes = null;
  let partnership = null;
  let coord = null;

  await check("housing: three users enrol; the coordinator names the ISSUE partnership", async () => {
    officer = await addUser(SISP, "officer@sisp.test", "Housing Officer", { role: "org_admin" });
    diogenes = await signIn(await addUser(DIOGENES, "worker@diogenes.test", "Worker D"));
    coord = await signIn(await addUser(COORDINATOR, "coordinator-h@brusshelp.test", "Coordinator H", { role: "coordinator_admin" }));
    partnership = await coord.call("POST", "/v1/partnerships", { name: "ISSUE", members: [SISP, DIOGENES] });
    assert(partnership.id, "a partnership");
  });

  const browser = await launch();
  try {
    const { page } = await openPage(browser, ["en-GB", "en"], { width: 1200, expected: [400, 401, 403, 412, 422], downloads });

    await check("housing: the officer signs in by keyboard and the navigation offers the housing pages only", async () => {
      await page.goto(CONSOLE, { waitUntil: "load" });
      await ready(page);
      await signInByKeyboard(page, officer);
      const links = await page.$$eval("#nav a", (as) => as.map((a) => a.getAttribute("href")));
      equal(JSON.stringify(links.filter((h) => !h.startsWith("#/housing-") && !["#/me", "#/events", "#/alert-settings", "#/accounts"].includes(h))),
        "[]", `only housing pages, the alert thresholds and the accounts (${links})`);
      for (const p of ["sites", "units", "proposals", "occupancies"]) assert(links.includes(`#/housing-${p}`), `a link to housing-${p}`);
      // A coordinator's page is not for a housing operator: who am I instead.
      await page.evaluate(() => { location.hash = "#/coordinator-rules"; });
      await page.waitForFunction(() => document.documentElement.dataset.page === "me");
    });

    await check("housing: the sites page says what to do when empty; a wrong period is shown beside its field", async () => {
      await goTo(page, "housing-sites");
      assert((await text(page, "#page-housing-sites .empty")).includes("Add your first site"), "the empty state");
      await axeClean(page, "housing-sites-empty");
      await fill(page, "site-form", { name: "Peterbos", commune: "Anderlecht", managing_partner: "Communa", units: "7",
        period_from: day(0), period_until: day(-30), partnership_id: partnership.id });
      await submit(page, "site-form");
      await page.waitForFunction(() => !document.getElementById("problem").hidden);
      const beside = await fieldError(page, "site-form", "period_until");
      assert(beside.trim().length > 0 && !beside.includes("not aria-invalid"), `an error beside period_until (${beside})`);
      equal(await fieldError(page, "site-form", "name"), "", "nothing beside the name");
      await fill(page, "site-form", { period_until: day(400) });
      await submit(page, "site-form");
      await page.waitForFunction(() => document.getElementById("status").textContent.includes("Peterbos"));
      await rendered(page, "housing-sites");
      const names = await page.$$eval('[data-list="sites"] tbody th', (cs) => cs.map((c) => c.textContent));
      equal(JSON.stringify(names), '["Peterbos"]', "the sites listed");
      equal(await fieldError(page, "site-form", "period_until"), "", "the error gone");
    });

    let unitId = null;
    const unitRow = (status) => page.waitForFunction((st) => [...document.querySelectorAll('[data-list="units"] tbody tr')]
      .some((r) => r.textContent.includes("Peterbos-01") && r.textContent.includes(st)), { timeout: 10000 }, status);
    await check("housing: a unit is published to street workers, withdrawn and published again", async () => {
      await goTo(page, "housing-units");
      assert(!(await page.$eval('#page-housing-units [data-list="units"] .empty', (e) => e.hidden)), "the empty state shown");
      const sites = await page.$$eval('#unit-form [name="site_id"] option', (os) => os.map((o) => [o.value, o.textContent]));
      const site = sites.find(([, name]) => name === "Peterbos");
      assert(site, `Peterbos among the sites (${JSON.stringify(sites)})`);
      // No audience: the API's error is shown beside the audience.
      await fill(page, "unit-form", { site_id: site[0], label: "Peterbos-01", type: "studio", bedrooms: "1", commune: "Anderlecht",
        address: "Rue Peterbos 1", available_from: day(0), available_until: day(300), terms: "precarious_occupation", status: "published" });
      await submit(page, "unit-form");
      await page.waitForFunction(() => !document.getElementById("problem").hidden);
      assert((await fieldError(page, "unit-form", "audience")).length > 0, "an error beside the audience");
      await page.click('#unit-form .field[data-field="audience"] input[value="street_work"]');
      await submit(page, "unit-form");
      await page.waitForFunction(() => document.getElementById("status").textContent === "The unit Peterbos-01 is saved.");
      await rendered(page, "housing-units");
      await unitRow("published");
      const row = await page.$$eval('[data-list="units"] tbody tr', (rs) => rs.map((r) => r.textContent).find((x) => x.includes("Peterbos-01")));
      assert(row.includes("Street work") && row.includes("precarious occupation") && row.includes("Peterbos"), `the row: ${row}`);
      await page.click('[data-list="units"] tbody button');
      await page.waitForFunction(() => document.getElementById("status").textContent === "The unit Peterbos-01 is withdrawn.");
      // Published units are listed unless another status is chosen: empty now.
      await rendered(page, "housing-units");
      await page.waitForFunction(() => !document.querySelector('[data-list="units"] .empty').hidden);
      await page.select("#units-status", "withdrawn");
      await rendered(page, "housing-units");
      await unitRow("withdrawn");
      await page.click('[data-list="units"] tbody button');
      await page.waitForFunction(() => document.getElementById("status").textContent === "The unit Peterbos-01 is published.");
      await rendered(page, "housing-units");
      await page.select("#units-status", "published");
      await unitRow("published");
      const units = await diogenes.call("GET", "/v1/units?status=published");
      const unit = units.items.find((u) => u.label === "Peterbos-01");
      assert(unit, "the unit offered to DIOGENES (street work)");
      equal(unit.version, 3, "the unit's version (created, withdrawn, published)");
      unitId = unit.id;
      await axeClean(page, "housing-units");
    });

    await check("housing: the units export as CSV, exactly what the API shows", async () => {
      const csv = await csvOf(page, downloads, '[data-list="units"]', "units-");
      assert(csv.startsWith("\uFEFF") && csv.endsWith("\r\n"), "a BOM first, CRLF line ends");
      const rows = parseCsv(csv.slice(1));
      equal(rows.length, 2, `a header and one unit (${csv})`);
      const api = (await diogenes.call("GET", `/v1/units/${unitId}`));
      const col = (name) => rows[1][rows[0].indexOf(name)];
      for (const key of ["id", "label", "status", "terms", "commune", "available_until"]) equal(col(key), String(api[key]), `the CSV's ${key}`);
      equal(col("audience"), JSON.stringify([{ kind: "street_work" }]), "the audience, as its JSON");
    });

    await check("housing: DIOGENES proposes Amina; the officer reads what the consent shares and accepts", async () => {
      const person = await diogenes.call("POST", "/v1/persons", { external_ref: "DIO-18", birth_year: 1987 });
      const consent = await diogenes.call("POST", "/v1/consents", {
        person_id: person.id, recipients: [{ kind: "housing_operator" }], purposes: ["housing_referral"],
        data_categories: ["identity", "housing_situation"], valid_until: day(365),
        evidence: { method: "signed_form", reference: "SL-18", recorded_by: "Worker D" },
      });
      const referral = await diogenes.call("POST", "/v1/referrals", {
        person_id: person.id, to_organisation_id: DIOGENES, program: "diogenes.housing_support", consent_id: consent.id,
        purpose: "housing_referral", reason: "Sleeps in the street since the summer.",
        data: { identity: { given_name: "Amina" }, housing_situation: { current: "street" } },
      });
      await diogenes.call("POST", `/v1/units/${unitId}/proposals`, { referral_id: referral.id, note: "Ready to move in." });
      // One list of the operator's proposals (issue 18), not a call per unit.
      const asked = [];
      const watch = (r) => { if (r.url().includes("/v1/")) asked.push(new URL(r.url()).pathname + new URL(r.url()).search); };
      page.on("request", watch);
      await goTo(page, "housing-proposals");
      page.off("request", watch);
      assert(asked.some((u) => u.startsWith("/v1/proposals?") && u.includes("role=operator")), `GET /v1/proposals?role=operator: ${asked}`);
      assert(!asked.some((u) => /^\/v1\/units\/[^/?]+\/proposals/.test(u)), `no call per unit: ${asked}`);
      const rows = await page.$$eval('[data-list="proposals"] tbody tr', (rs) => rs.map((r) => r.textContent));
      equal(rows.length, 1, "one proposal");
      assert(rows[0].includes("Test Org D") && rows[0].includes("Housing situation, Identity") && rows[0].includes("to decide"), `the row: ${rows[0]}`);
      await axeClean(page, "housing-proposals");
      // The proposal's link, by keyboard.
      await page.focus('[data-list="proposals"] tbody a');
      await page.keyboard.press("Enter");
      await page.waitForSelector("#proposal-detail dl.shared");
      await rendered(page, "housing-proposals");
      const shared = await text(page, "#proposal-detail dl.shared");
      assert(shared.includes("Amina") && shared.includes("street"), `the shared fields: ${shared}`);
      assert(!shared.includes("Sleeps in the street"), "the reason is not a shared category");
      await axeClean(page, "housing-proposal-decision");
      await fill(page, "decision-form", { decision: "accept" });
      await submit(page, "decision-form");
      await page.waitForFunction(() => document.getElementById("status").textContent.includes("is accepted"));
      await rendered(page, "housing-proposals");
      await page.waitForSelector("#occupancy-form");
      const status = (await diogenes.call("GET", `/v1/referrals/${referral.id}`)).status;
      equal(status, "accepted", "the referral, for DIOGENES");
    });

    await check("housing: the officer starts the occupancy under a convention; it is listed with its convention", async () => {
      await fill(page, "occupancy-form", { start_date: day(0), planned_end_date: day(20), "convention.kind": "precarious_occupation",
        "convention.reference": "PB-01" });
      await submit(page, "occupancy-form");
      await rendered(page, "housing-occupancies");
      const rows = await page.$$eval('[data-list="occupancies"] tbody tr', (rs) => rs.map((r) => r.textContent));
      equal(rows.length, 1, `one occupancy (${rows.join(" | ")})`);
      assert(rows[0].includes("Peterbos-01") && rows[0].includes("Test Org D") && rows[0].includes("Precarious occupation agreement · PB-01"),
        `the row: ${rows[0]}`);
      await axeClean(page, "housing-occupancies");
    });

    await check("housing: the ending-soon alert shows once housekeeping raised it (planned end in 20 days)", async () => {
      // Housekeeping raises occupancy.ending_soon (default threshold 90 days)
      // every REFGW_HOUSEKEEPING_SECONDS (60): the page is read again until then.
      const deadline = Date.now() + 90000;
      for (;;) {
        const rows = await page.$$eval('[data-list="ending-soon"] tbody tr', (rs) => rs.map((r) => r.textContent));
        if (rows.length === 1) {
          assert(rows[0].includes("Peterbos-01") && rows[0].includes("Test Org D"), `the alert: ${rows[0]}`);
          break;
        }
        assert(Date.now() < deadline, "no ending-soon alert after 90 s");
        await sleep(5000);
        await page.reload({ waitUntil: "load" });
        await rendered(page, "housing-occupancies");
      }
      const feed = await diogenes.call("GET", "/v1/events?limit=200");
      assert(feed.items.some((e) => e.type === "occupancy.ending_soon"), "DIOGENES has the alert too");
      await axeClean(page, "housing-occupancies");
    });

    await check("housing: the partnership's site table shows Peterbos, its one person suppressed", async () => {
      await goTo(page, "housing-sites");
      const rows = await page.$$eval('[data-list="partnership-issue"] tbody tr', (rs) => rs.map((r) => r.textContent));
      const row = rows.find((r) => r.includes("Peterbos"));
      assert(row && row.includes("Test Org C") && row.includes("suppressed"), `the ISSUE row: ${rows.join(" | ")}`);
      await axeClean(page, "housing-sites");
    });

    let occupancyId = null;
    await check("housing: the occupancy's convention completed; a date in the future shown beside its field", async () => {
      await goTo(page, "housing-occupancies");
      await page.focus('[data-list="occupancies"] tbody a');
      await page.keyboard.press("Enter");
      await rendered(page, "occupancy");
      occupancyId = await page.evaluate(() => decodeURIComponent(location.hash.split("/")[2]));
      equal(await page.$eval('#convention-form [name="convention.reference"]', (i) => i.value), "PB-01", "the convention read");
      await axeClean(page, "occupancy");
      await fill(page, "convention-form", { "convention.signed_on": day(5), "convention.signed_by": "SISP, housing officer" });
      await submit(page, "convention-form");
      await page.waitForFunction(() => !document.getElementById("problem").hidden);
      assert((await fieldError(page, "convention-form", "convention.signed_on")).length > 0, "an error beside signed_on");
      equal((await diogenes.call("GET", `/v1/occupancies/${occupancyId}`)).convention.signed_by ?? null, null, "nothing saved");
      await fill(page, "convention-form", { "convention.signed_on": day(0) });
      await submit(page, "convention-form");
      await page.waitForFunction(() => document.getElementById("status").textContent === "The convention is saved.");
      await rendered(page, "occupancy");
      const o = await diogenes.call("GET", `/v1/occupancies/${occupancyId}`);
      equal(JSON.stringify([o.convention.kind, o.convention.reference, o.convention.signed_on, o.convention.signed_by]),
        JSON.stringify(["precarious_occupation", "PB-01", day(0), "SISP, housing officer"]), "the convention (API)");
    });

    await check("housing: a referent saved on a stale version: the 412 said, nothing changed, reloaded by keyboard", async () => {
      // DIOGENES (the referring organisation) names a referent meanwhile.
      const read = await diogenes.call("GET", `/v1/occupancies/${occupancyId}`);
      await diogenes.call("PATCH", `/v1/occupancies/${occupancyId}`,
        { referent: { organisation_id: DIOGENES, name: "Samira B.", role: "housing referent" } }, { "If-Match": `"${read.version}"` });
      await fill(page, "referent-form", { "referent.organisation_id": SISP, "referent.name": "Jan V." });
      await submit(page, "referent-form");
      await page.waitForFunction(() => !document.getElementById("occupancy-stale").hidden);
      assert(!(await page.$eval("#problem", (p) => p.hidden)), "the problem shown");
      equal((await diogenes.call("GET", `/v1/occupancies/${occupancyId}`)).referent.name, "Samira B.", "the referent unchanged");
      await axeClean(page, "occupancy-stale");
      await tabTo(page, "occupancy-reload");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.getElementById("status").textContent === "The occupancy is reloaded.");
      await rendered(page, "occupancy");
      equal(await page.$eval('#referent-form [name="referent.name"]', (i) => i.value), "Samira B.", "the referent read again");
      assert(await page.$eval("#occupancy-stale", (d) => d.hidden), "the notice gone");
      await fill(page, "referent-form", { "referent.role": "Soutien au Logement" });
      await submit(page, "referent-form");
      await page.waitForFunction(() => document.getElementById("status").textContent === "The referent is saved.");
      equal((await diogenes.call("GET", `/v1/occupancies/${occupancyId}`)).referent.role, "Soutien au Logement", "the referent (API)");
    });

    await check("housing: the officer ends the occupancy with an outcome; a missing outcome and an early date shown beside them", async () => {
      await rendered(page, "occupancy");
      await fill(page, "occupancy-end-form", { end_date: day(-3) });
      await submit(page, "occupancy-end-form");
      await page.waitForFunction(() => !document.getElementById("problem").hidden);
      assert((await fieldError(page, "occupancy-end-form", "outcome")).length > 0, "an error beside the outcome");
      await fill(page, "occupancy-end-form", { outcome: "durable_housing" });
      await submit(page, "occupancy-end-form");
      await page.waitForFunction(() => document.querySelector('#occupancy-end-form [data-field="end_date"] .field-error'));
      equal(await fieldError(page, "occupancy-end-form", "outcome"), "", "nothing beside the outcome now");
      equal((await diogenes.call("GET", `/v1/occupancies/${occupancyId}`)).end_date, null, "still running");
      await fill(page, "occupancy-end-form", { end_date: day(0) });
      await submit(page, "occupancy-end-form");
      await page.waitForFunction(() => document.getElementById("status").textContent === "The occupancy has ended.");
      await rendered(page, "occupancy");
      const o = await diogenes.call("GET", `/v1/occupancies/${occupancyId}`);
      equal(JSON.stringify([o.end_date, o.outcome]), JSON.stringify([day(0), "durable_housing"]), "ended (API)");
      assert(!(await page.$("#occupancy-end-form")), "no end form once ended");
      assert((await text(page, "#page-occupancy dl")).includes("Durable housing"), "the outcome shown");
      await axeClean(page, "occupancy-ended");
      await goTo(page, "housing-sites");
    });

    await check("housing: the pages in French, and at 320 px wide, stay axe-clean", async () => {
      const before = await renderMark(page);
      await page.select("#language", "fr");
      await page.waitForFunction(() => document.getElementById("status").textContent === "Votre langue est enregistrée.");
      await renderedAgain(page, "housing-sites", before);
      equal(await text(page, "#housing-sites-title"), "Sites", "the heading");
      assert((await text(page, '[data-list="partnership-issue"]')).includes("masqué"), "suppressed in French");
      await page.setViewport({ width: 320, height: 800 });
      await goTo(page, "housing-units");
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(width <= 320, `the page is ${width} px wide at 320`);
      await axeClean(page, "housing-units-fr-320");
      await noViolations(page);
    });

    await check("housing: an organisation of another kind granted site.host finds the housing pages too", async () => {
      await coord.call("PUT", `/v1/access-rules/${ORGS.orgb}/site.host`, { allowed: true });
      const host = await addUser(ORGS.orgb, "host@orgb.test", "Host B", { role: "org_admin" });
      const other = await openPage(browser, ["en-GB", "en"], { width: 1200, expected: [401, 403] });
      const p = other.page;
      await p.goto(CONSOLE, { waitUntil: "load" });
      await ready(p);
      await signInByKeyboard(p, host);
      await p.waitForSelector('#nav a[href="#/housing-sites"]');
      const links = await p.$$eval("#nav a", (as) => as.map((a) => a.getAttribute("href")));
      assert(links.includes("#/inbox") && links.indexOf("#/housing-sites") > links.indexOf("#/inbox"), `worker pages, then housing (${links})`);
      await goTo(p, "housing-sites");
      assert((await text(p, "#page-housing-sites .empty")).includes("Add your first site"), "its own sites: none yet");
      await axeClean(p, "housing-sites-hosting");
      await other.context.close();
    });

    await checkNoIncidents("housing: ");
  } finally {
    await browser.close();
  }
  return 0;
}

await run(main);
