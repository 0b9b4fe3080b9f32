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
  ORGS, User, assert, axeClean, check, csvOf, equal, fieldError, fill, goTo, launch, loaded, openPage, run, signIn,
  submit, text,
} from "./roles.mjs";

const SISP = ORGS.orgc;
const DIOGENES = ORGS.orgd;
const COORDINATOR = ORGS.coord;
const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

async function main() {
  const officer = new User(SISP, "officer@sisp.test", "org_admin", "Housing Officer");
  const worker = new User(DIOGENES, "worker@diogenes.test", "worker", "Worker D");
  const coordinator = new User(COORDINATOR, "coordinator-h@brusshelp.test", "coordinator_admin", "Coordinator H");
  let diogenes = null;
  let partnership = null;

  await check("housing: three users enrol; the coordinator names the ISSUE partnership", async () => {
    for (const u of [officer, worker, coordinator]) await u.enrol();
    diogenes = await worker.session();
    const coord = await coordinator.session();
    partnership = await coord.call("POST", "/v1/partnerships", { name: "ISSUE", members: [SISP, DIOGENES] });
    assert(partnership.id, "a partnership");
  });

  const { browser, done } = await launch();
  try {
    const { page, downloads } = await openPage(browser);

    await check("housing: the officer signs in by keyboard and the navigation offers the housing pages only", async () => {
      await signIn(page, officer);
      const links = await page.$$eval("#role-nav a", (as) => as.map((a) => a.getAttribute("href")));
      equal(JSON.stringify(links), JSON.stringify(["#/me", "#/housing-sites", "#/housing-units", "#/housing-proposals",
        "#/housing-occupancies"]), "the links");
      // A coordinator's page is not for a housing operator: who am I instead.
      await page.evaluate(() => { location.hash = "#/coordinator-rules"; });
      await page.waitForFunction(() => document.documentElement.dataset.page === "me");
    });

    await check("housing: the sites page says what to do when empty; a wrong period is shown beside its field", async () => {
      await goTo(page, "housing-sites");
      assert((await text(page, "#page-housing-sites .empty")).includes("Add your first site"), "the empty state");
      await axeClean(page, "housing-sites-empty");
      await fill(page, "site", { name: "Peterbos", commune: "Anderlecht", managing_partner: "Communa", units: "7",
        period_from: day(0), period_until: day(-30), partnership_id: partnership.id });
      await submit(page, "site");
      await page.waitForFunction(() => !document.getElementById("problem").hidden);
      const beside = await fieldError(page, "site", "period_until");
      assert(beside.trim().length > 0 && !beside.includes("not aria-invalid"), `an error beside period_until (${beside})`);
      equal((await fieldError(page, "site", "name")).trim(), "(not aria-invalid)", "nothing beside the name");
      await fill(page, "site", { period_until: day(400) });
      await submit(page, "site");
      await page.waitForFunction(() => document.getElementById("status").textContent.includes("Peterbos"));
      await page.waitForFunction(() => [...document.querySelectorAll('table[data-list="sites"] tbody th')].some((c) => c.textContent === "Peterbos"));
      equal((await fieldError(page, "site", "period_until")).trim(), "(not aria-invalid)", "the error cleared");
    });

    let unitId = null;
    await check("housing: a unit is published to street workers, withdrawn and published again", async () => {
      await goTo(page, "housing-units");
      await page.waitForFunction(() => document.querySelector("#page-housing-units .empty") && !document.querySelector("#page-housing-units .empty").hidden);
      const sites = await page.$$eval('form[data-form="unit"] [name="site_id"] option', (os) => os.map((o) => [o.value, o.textContent]));
      const site = sites.find(([, name]) => name === "Peterbos");
      assert(site, `Peterbos among the sites (${JSON.stringify(sites)})`);
      await fill(page, "unit", { site_id: site[0], label: "Peterbos-01", type: "studio", bedrooms: "1", commune: "Anderlecht",
        address: "Rue Peterbos 1", available_from: day(0), available_until: day(300), terms: "precarious_occupation", status: "published" });
      await page.click('form[data-form="unit"] [data-field="audience"] input[value="street_work"]');
      await submit(page, "unit");
      await page.waitForFunction(() => [...document.querySelectorAll('table[data-list="units"] tbody tr')].some((r) => r.textContent.includes("Peterbos-01") && r.textContent.includes("published")));
      const row = await page.$$eval('table[data-list="units"] tbody tr', (rs) => rs.map((r) => r.textContent).find((x) => x.includes("Peterbos-01")));
      assert(row.includes("Street work") && row.includes("precarious occupation"), `the row: ${row}`);
      await page.click('table[data-list="units"] button.secondary');
      await page.waitForFunction(() => document.getElementById("status").textContent === "The unit Peterbos-01 is withdrawn.");
      // Published units are listed unless another status is chosen: the empty state says what to do.
      await page.waitForFunction(() => !document.querySelector("#page-housing-units .empty").hidden);
      await page.select("#units-status", "withdrawn");
      await page.waitForFunction(() => [...document.querySelectorAll('table[data-list="units"] tbody tr')].some((r) => r.textContent.includes("Peterbos-01") && r.textContent.includes("withdrawn")));
      await page.click('table[data-list="units"] button.secondary');
      await page.waitForFunction(() => document.getElementById("status").textContent === "The unit Peterbos-01 is published.");
      await page.select("#units-status", "published");
      await page.waitForFunction(() => [...document.querySelectorAll('table[data-list="units"] tbody tr')].some((r) => r.textContent.includes("Peterbos-01") && r.textContent.includes("published")));
      const units = await diogenes.call("GET", "/v1/units?status=published");
      const unit = units.items.find((u) => u.label === "Peterbos-01");
      assert(unit, "the unit offered to DIOGENES (street work)");
      equal(unit.version, 3, "the unit's version (created, withdrawn, published)");
      unitId = unit.id;
      await axeClean(page, "housing-units");
    });

    await check("housing: the units export as CSV, exactly what the list shows", async () => {
      const csv = await csvOf(page, downloads, "units");
      const lines = csv.trim().split("\r\n");
      assert(lines[0].startsWith("\ufeff") ? lines[0].slice(1).startsWith("label,") : lines[0].startsWith("label,site_id,type"), `the header: ${lines[0]}`);
      equal(lines.length, 2, `one unit (${csv})`);
      assert(lines[1].startsWith("Peterbos-01,Peterbos,studio,1,Anderlecht,precarious_occupation,"), `the row: ${lines[1]}`);
      assert(lines[1].endsWith(",Street work,published"), `the audience and status: ${lines[1]}`);
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
      await goTo(page, "housing-proposals");
      const row = await page.$$eval('table[data-list="proposals"] tbody tr', (rs) => rs.map((r) => r.textContent));
      equal(row.length, 1, "one proposal");
      assert(row[0].includes("Test Org D") && row[0].includes("housing situation, identity") && row[0].includes("to decide"), `the row: ${row[0]}`);
      await axeClean(page, "housing-proposals");
      await page.click('table[data-list="proposals"] button[data-proposal]');
      await page.waitForFunction(() => document.querySelector("#proposal-detail dl.shared"));
      const shared = await text(page, "#proposal-detail dl.shared");
      assert(shared.includes("Amina") && shared.includes("street"), `the shared fields: ${shared}`);
      assert(!shared.includes("Sleeps in the street"), "the reason is not a shared category");
      await axeClean(page, "housing-proposal-decision");
      await fill(page, "decision", { decision: "accept" });
      await submit(page, "decision");
      await page.waitForFunction(() => document.getElementById("status").textContent.includes("accepted"));
      await loaded(page, "housing-proposals");
    });

    await check("housing: the officer starts the occupancy under a convention; it is listed with its convention", async () => {
      await page.waitForFunction(() => [...document.querySelectorAll('table[data-list="proposals"] tbody tr')].some((r) => r.textContent.includes("accepted")));
      await page.click('table[data-list="proposals"] button[data-proposal]');
      await page.waitForSelector('form[data-form="occupancy"]');
      await fill(page, "occupancy", { start_date: day(0), planned_end_date: day(20), convention: "precarious_occupation", reference: "PB-01" });
      await submit(page, "occupancy");
      await page.waitForFunction(() => document.getElementById("status").textContent.includes("occupancy"));
      await goTo(page, "housing-occupancies");
      const rows = await page.$$eval('table[data-list="occupancies"] tbody tr', (rs) => rs.map((r) => r.textContent));
      equal(rows.length, 1, `one occupancy (${rows.join(" | ")})`);
      assert(rows[0].includes("Peterbos-01") && rows[0].includes("Test Org D") && rows[0].includes("precarious-occupation convention · PB-01"),
        `the row: ${rows[0]}`);
      await axeClean(page, "housing-occupancies");
    });

    await check("housing: the partnership's site table shows Peterbos, its one person suppressed", async () => {
      await goTo(page, "housing-sites");
      const rows = await page.$$eval('table[data-list="partnership-issue"] tbody tr', (rs) => rs.map((r) => r.textContent));
      const row = rows.find((r) => r.includes("Peterbos"));
      assert(row && row.includes("Test Org C") && row.includes("suppressed"), `the ISSUE row: ${rows.join(" | ")}`);
      await axeClean(page, "housing-sites");
    });

    await check("housing: the pages in French, and at 320 px wide, stay axe-clean", async () => {
      await page.select("#language", "fr");
      await page.waitForFunction(() => document.getElementById("status").textContent === "Votre langue est enregistrée.");
      await loaded(page, "housing-sites");
      equal(await text(page, "#housing-sites-title"), "Sites", "the heading");
      assert((await text(page, 'table[data-list="partnership-issue"]')).includes("masqué"), "suppressed in French");
      await page.setViewport({ width: 320, height: 800 });
      await goTo(page, "housing-units");
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(width <= 320, `the page is ${width} px wide at 320`);
      await axeClean(page, "housing-units-fr-320");
    });
  } finally {
    await done();
  }
}

await run(main);
