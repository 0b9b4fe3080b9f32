// The coordinator's journey through the console (docs/journeys.md; docs/
// console.md): Bruss'help's admin registers an organisation (a name left
// empty shown beside its field), exports the directory as CSV and checks
// it against the API, sees every certificate's expiry and the pending
// confirmation it registered, invites the new organisation's admin, reads
// the access rules as a matrix (each cell as the API says), grants and
// removes a rule with the keyboard (asked to confirm, the matrix and the
// API agreeing), registers a certificate made by the test for the new
// organisation and revokes it (the confirmation naming its fingerprint),
// reads the audit chain's status as the API says it, and reads the
// reports as charts whose small counts are suppressed.  axe-core and a
// screenshot on every page.  Started by tests/browser/run.sh.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  addUser, assert, axeClean, check, checkNoIncidents, CONSOLE, day, downloadsDir, env, equal, launch, noViolations,
  openPage, ready, rendered, run, signIn, signInByKeyboard, testOrgs, text,
} from "./lib.mjs";
import { csvOf, fieldError, fill, goTo, parseCsv, submit } from "./roles.mjs";

const ORGS = testOrgs();
const downloads = downloadsDir();

async function main() {
  let admin = null;
  let coord = null;

  await check("coordinator: an admin of the coordinator, a pending certificate, an intake to count", async () => {
    admin = await addUser(ORGS.coord, "admin@brusshelp.test", "Coordinator C", { role: "coordinator_admin" });
    coord = await signIn(await addUser(ORGS.coord, "coordinator-c@brusshelp.test", "Coordinator Node", { role: "coordinator_admin" }));
    const pem = readFileSync(join(env("REFGW_TEST_CERTS"), "newcert.pem"), "utf8");
    const cert = await coord.call("POST", `/v1/organisations/${ORGS.orgb}/certificates`, { pem });
    equal(cert.status, "pending", "the certificate registered for Test Org B");
    // One intake of DIOGENES (Test Org D): a count under five, suppressed.
    const worker = await signIn(await addUser(ORGS.orgd, "worker-c@diogenes.test", "Worker C"));
    const person = await worker.call("POST", "/v1/persons", { external_ref: "DIO-C", birth_year: 1990 });
    const consent = await worker.call("POST", "/v1/consents", {
      person_id: person.id, recipients: [{ kind: "housing_operator" }], purposes: ["housing_referral"],
      data_categories: ["identity", "housing_situation"], valid_until: day(365),
      evidence: { method: "signed_form", reference: "SL-C", recorded_by: "Worker C" },
    });
    await worker.call("POST", "/v1/referrals", {
      person_id: person.id, to_organisation_id: ORGS.orgd, program: "diogenes.housing_support", consent_id: consent.id,
      purpose: "housing_referral", reason: "Counted, never shown.", data: { identity: { given_name: "Karim" } },
    });
  });

  const browser = await launch();
  try {
    const { page } = await openPage(browser, ["en-GB", "en"], { width: 1200, expected: [400, 401, 403, 422], downloads });

    await check("coordinator: signs in by keyboard; the navigation offers the coordinator's pages", async () => {
      await page.goto(CONSOLE, { waitUntil: "load" });
      await ready(page);
      await signInByKeyboard(page, admin);
      const links = await page.$$eval("#nav a", (as) => as.map((a) => a.getAttribute("href")));
      for (const p of ["organisations", "certificates", "admins", "rules", "reports", "audit"])
        assert(links.includes(`#/coordinator-${p}`), `a link to coordinator-${p} (${links})`);
      assert(!links.some((h) => h.startsWith("#/housing-")), `no housing page (${links})`);
      await page.evaluate(() => { location.hash = "#/housing-units"; });
      await page.waitForFunction(() => document.documentElement.dataset.page === "me");
    });

    let newOrg = null;
    await check("coordinator: registers an organisation; a name left empty is shown beside the name", async () => {
      await goTo(page, "coordinator-organisations");
      const names = await page.$$eval('[data-list="organisations"] tbody th', (cs) => cs.map((c) => c.textContent));
      assert(names.includes("Test Org C") && names.includes("Test Coordinator"), `the directory (${names})`);
      await fill(page, "organisation-form", { kind: "housing_operator", programs: "trois_pommiers.transit, trois_pommiers.lease" });
      await submit(page, "organisation-form");
      await page.waitForFunction(() => !document.getElementById("problem").hidden);
      const beside = await fieldError(page, "organisation-form", "name");
      assert(beside.length > 0 && !beside.includes("not aria-invalid"), `an error beside the name (${beside})`);
      equal(await page.evaluate(() => document.activeElement.name), "name", "the focus on the field in error");
      await fill(page, "organisation-form", { name: "AIS Les Trois Pommiers bis" });
      await submit(page, "organisation-form");
      await page.waitForFunction(() => document.getElementById("status").textContent.includes("AIS Les Trois Pommiers bis"));
      await rendered(page, "coordinator-organisations");
      const all = await coord.call("GET", "/v1/organisations?limit=200");
      newOrg = all.items.find((o) => o.name === "AIS Les Trois Pommiers bis");
      assert(newOrg, "the organisation in the directory");
      equal(JSON.stringify(newOrg.programs), '["trois_pommiers.transit","trois_pommiers.lease"]', "its programs");
      await axeClean(page, "coordinator-organisations");
    });

    await check("coordinator: the directory exports as CSV, every organisation as the API shows it", async () => {
      const csv = await csvOf(page, downloads, '[data-list="organisations"]', "organisations-");
      const rows = parseCsv(csv.slice(1));
      const api = [];
      let cursor = null;
      do {
        const pageOf = await coord.call("GET", `/v1/organisations?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        api.push(...pageOf.items);
        cursor = pageOf.next_cursor;
      } while (cursor);
      equal(rows.length - 1, api.length, "one row per organisation");
      const id = rows[0].indexOf("id");
      const row = rows.find((r) => r[id] === newOrg.id);
      assert(row, "the new organisation's row");
      equal(row[rows[0].indexOf("programs")], JSON.stringify(newOrg.programs), "its programs as JSON");
      equal(row[rows[0].indexOf("kind")], "housing_operator", "its kind");
    });

    await check("coordinator: certificates at a glance, the pending confirmation listed", async () => {
      await goTo(page, "coordinator-certificates");
      const pending = await page.$$eval('[data-list="pending-certificates"] tbody tr', (rs) => rs.map((r) => r.textContent));
      equal(pending.length, 1, `one pending certificate (${pending.join(" | ")})`);
      assert(pending[0].includes("Test Org B"), `the pending row: ${pending[0]}`);
      equal(await text(page, '.summary [data-level="pending"]'), "1 awaiting confirmation", "the summary");
      const badges = await page.$$eval('[data-list="certificates"] .badge', (bs) => bs.map((b) => b.textContent));
      assert(badges.length >= 10 && badges.every((b) => /^(valid [0-9]+ more days|expires in [0-9]+ days|expired|revoked)$/.test(b)),
        `an expiry for each (${badges.slice(0, 5)})`);
      assert(badges.includes("revoked"), "the revoked certificate of Test Revoked");
      await axeClean(page, "coordinator-certificates");
    });

    await check("coordinator: invites the new organisation's admin; the list and the API show it invited", async () => {
      await page.evaluate((id) => { location.hash = `#/coordinator-admins/${id}`; }, newOrg.id);
      await rendered(page, "coordinator-admins");
      equal(await page.$eval("#admins-organisation", (s) => s.value), newOrg.id, "the organisation chosen");
      assert(!(await page.$eval('[data-list="users"] .empty', (e) => e.hidden)), "the empty state");
      await fill(page, "invite-form", { display_name: "L. Dubois", email: "admin@trois-pommiers.test", role: "org_admin", language: "fr" });
      await submit(page, "invite-form");
      await page.waitForFunction(() => !document.getElementById("invitation").hidden);
      assert(/^Invitation of L\. Dubois: .*: [A-Za-z0-9_-]{20,}$/.test(await text(page, "#invitation")), "the token shown once");
      await page.waitForFunction(() => [...document.querySelectorAll('[data-list="users"] tbody tr')].some((r) => r.textContent.includes("admin@trois-pommiers.test")));
      const users = await coord.call("GET", `/v1/organisations/${newOrg.id}/users`);
      equal(users.items.length, 1, "one user");
      equal(users.items[0].status, "invited", "invited");
      equal(users.items[0].role, "org_admin", "its role");
      await axeClean(page, "coordinator-admins");
    });

    await check("coordinator: the access rules as a matrix, each cell as the API says", async () => {
      await goTo(page, "coordinator-rules");
      const rules = (await coord.call("GET", "/v1/access-rules")).items.filter((r) => r.kind && !r.organisation_id);
      assert(rules.length > 20, "the default matrix");
      for (const r of rules) {
        const cell = await page.$eval(`td[data-rule="${r.kind} ${r.action}"]`, (td) => td.textContent);
        equal(cell, r.allowed ? "✓allowed" : "✗denied", `${r.kind} ${r.action}`);
      }
      assert((await text(page, 'td[data-rule="housing_operator unit.manage"]')).includes("allowed"), "a housing operator manages units");
      await axeClean(page, "coordinator-rules");
    });

    await check("coordinator: grants a rule by keyboard after confirming, sees it in the matrix and the API, then removes it", async () => {
      await goTo(page, "coordinator-rules");
      const rule = () => coord.call("GET", "/v1/access-rules").then((a) => a.items.find((r) => r.kind === "housing_operator" && !r.organisation_id && r.action === "audit.read"));
      equal(await rule(), undefined, "no rule yet for housing operators and audit.read");
      equal(JSON.stringify(await page.select("#rule-form-target", "kind:housing_operator")), '["kind:housing_operator"]', "the kind chosen");
      equal(JSON.stringify(await page.select("#rule-form-action", "audit.read")), '["audit.read"]', "the action chosen");
      await page.click("#rule-form-decision-0");
      await page.focus('#rule-form button[type="submit"]');
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => !document.getElementById("rule-confirm").hidden);
      equal(await text(page, "#rule-confirm"), "Allow audit.read to every “Housing operator”? Press Confirm.", "the question");
      equal(await text(page, '#rule-form button[type="submit"]'), "Confirm", "the button asks to confirm");
      equal(await rule(), undefined, "nothing changed before the confirmation");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.getElementById("status").textContent.includes("audit.read allowed"));
      await rendered(page, "coordinator-rules");
      equal(await text(page, 'td[data-rule="housing_operator audit.read"]'), "✓allowed", "the matrix refreshed");
      equal((await rule())?.allowed, true, "the API has the rule");
      await axeClean(page, "coordinator-rules-change");

      // Removed the same way: the cell says no rule again.
      await page.select("#rule-form-target", "kind:housing_operator");
      await page.select("#rule-form-action", "audit.read");
      await page.click("#rule-form-decision-2");
      await submit(page, "rule-form");
      await page.waitForFunction(() => !document.getElementById("rule-confirm").hidden);
      await submit(page, "rule-form");
      await page.waitForFunction(() => document.getElementById("status").textContent.includes("removed"));
      await rendered(page, "coordinator-rules");
      equal(await text(page, 'td[data-rule="housing_operator audit.read"]'), "·no rule (denied)", "the cell without a rule");
      equal(await rule(), undefined, "the rule removed in the API");

      // A rule the API refuses: its error beside the field it names.
      equal(JSON.stringify(await page.select("#rule-form-target", `org:${ORGS.coord}`)), JSON.stringify([`org:${ORGS.coord}`]), "the coordinator chosen");
      equal(JSON.stringify(await page.select("#rule-form-action", "site.host")), '["site.host"]', "site.host chosen");
      await page.click("#rule-form-decision-0");
      await submit(page, "rule-form");
      await page.waitForFunction(() => !document.getElementById("rule-confirm").hidden);
      await submit(page, "rule-form");
      await page.waitForFunction(() => !document.getElementById("problem").hidden);
      const beside = await fieldError(page, "rule-form", "action");
      assert(beside.includes("a coordinator does not host sites") && !beside.includes("not aria-invalid"), `the error beside the action (${beside})`);
      const hosts = (await coord.call("GET", "/v1/access-rules")).items.filter((r) => r.organisation_id === ORGS.coord && r.action === "site.host");
      equal(hosts.length, 0, "no site.host rule for the coordinator");
    });

    await check("coordinator: registers a certificate made by the test for the new organisation, then revokes it naming its fingerprint", async () => {
      const dir = mkdtempSync(join(tmpdir(), "refgw-cert-"));
      const certs = env("REFGW_TEST_CERTS");
      writeFileSync(join(dir, "ext"), "extendedKeyUsage=clientAuth\n");
      execFileSync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", join(dir, "key.pem"), "-subj", "/CN=AIS Les Trois Pommiers bis/O=refgw browser test", "-out", join(dir, "req.pem")], { stdio: "ignore" });
      execFileSync("openssl", ["x509", "-req", "-in", join(dir, "req.pem"), "-CA", join(certs, "ca.pem"), "-CAkey", join(certs, "ca.key"),
        "-set_serial", String(Date.now()), "-days", "30", "-extfile", join(dir, "ext"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
      const pem = readFileSync(join(dir, "cert.pem"), "utf8");
      const sha256 = execFileSync("openssl", ["x509", "-in", join(dir, "cert.pem"), "-noout", "-fingerprint", "-sha256"], { encoding: "utf8" })
        .trim().split("=")[1].replaceAll(":", "").toLowerCase();

      await page.evaluate((id) => { location.hash = `#/coordinator-admins/${id}`; }, newOrg.id);
      await rendered(page, "coordinator-admins");
      assert(!(await page.$eval('[data-list="organisation-certificates"] .empty', (e) => e.hidden)), "no certificate yet");
      // Nothing pasted: the API's error beside the PEM.
      await submit(page, "certificate-form");
      await page.waitForFunction(() => !document.getElementById("problem").hidden);
      const beside = await fieldError(page, "certificate-form", "pem");
      assert(beside.length > 0 && !beside.includes("not aria-invalid"), `an error beside the PEM (${beside})`);
      // From a file, as a person would choose it.
      const input = await page.$("#certificate-file");
      await input.uploadFile(join(dir, "cert.pem"));
      await page.waitForFunction(() => document.querySelector('#certificate-form [name="pem"]').value.includes("BEGIN CERTIFICATE"));
      await submit(page, "certificate-form");
      await page.waitForFunction((fp) => document.getElementById("status").textContent.includes(fp), { timeout: 10000 }, sha256)
        .catch(async (e) => { throw new Error(`${e.message}: status "${await text(page, "#status")}", problem "${await text(page, "#problem")}", ${sha256}`); });
      await rendered(page, "coordinator-admins");
      const listed = (await coord.call("GET", `/v1/organisations/${newOrg.id}/certificates`)).items;
      equal(listed.length, 1, "one certificate in the API");
      equal(listed[0].sha256, sha256, "the one the test made");
      assert(pem.startsWith("-----BEGIN CERTIFICATE-----") && listed[0].subject.includes("Trois Pommiers"), `its subject (${listed[0].subject})`);
      await axeClean(page, "coordinator-organisation-certificates");

      // Revoke: the confirmation names the fingerprint; nothing changes before it.
      await page.focus(`button[data-revoke="${sha256}"]`);
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => !document.getElementById("revoke-confirm").hidden);
      assert((await text(page, "#revoke-confirm-text")).includes(sha256), "the confirmation names the fingerprint");
      equal((await coord.call("GET", `/v1/organisations/${newOrg.id}/certificates`)).items[0].status, listed[0].status, "unchanged before confirming");
      equal(await page.evaluate(() => document.activeElement.textContent), "Yes, revoke this certificate", "the focus on the confirmation");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.getElementById("status").textContent.includes("revoked"));
      await rendered(page, "coordinator-admins");
      equal((await coord.call("GET", `/v1/organisations/${newOrg.id}/certificates`)).items[0].status, "revoked", "revoked in the API");
      equal(await page.$$eval("button[data-revoke]", (bs) => bs.length), 0, "nothing left to revoke");
    });

    await check("coordinator: the audit chain's status as the API says it, without any of the log's data", async () => {
      await goTo(page, "coordinator-audit");
      const chain = await coord.call("GET", "/v1/audit/chain");
      const shown = await page.$eval("#chain-status", (p) => p.dataset.status);
      assert(shown === chain.status || (shown === "unverified" && chain.status === "intact"), `the status (${shown} / ${chain.status})`);
      assert(["intact", "unverified"].includes(chain.status), `the chain is not broken (${JSON.stringify(chain.last_pass)})`);
      assert((await text(page, "#page-coordinator-audit dl")).includes(chain.heads_sha256), "the heads' digest");
      equal(await page.$$eval("#chain-broken", (x) => x.length), 0, "no break shown");
      assert(!(await text(page, "#page-coordinator-audit .page-body")).includes("null"), "no stray null in the page");
      await axeClean(page, "coordinator-audit");
    });

    await check("coordinator: the reports as charts, the small count suppressed (and said so to screen readers)", async () => {
      await goTo(page, "coordinator-reports");
      const report = await coord.call("GET", "/v1/reports/referrals");
      const item = report.items.find((i) => i.program === "diogenes.housing_support");
      assert(item && item.suppressed === true && item.referrals === null, `the API suppresses it (${JSON.stringify(item)})`);
      const bars = await page.$$eval('svg[data-chart="referrals"] text.chart-suppressed', (ts) => ts.map((x) => x.textContent));
      assert(bars.length >= 1 && bars.every((b) => b === "suppressed"), `suppressed bars (${bars})`);
      equal(await page.$eval('svg[data-chart="referrals"]', (s) => s.getAttribute("aria-hidden")), "true", "the chart hidden from screen readers");
      const alt = await page.$$eval('table[data-chart-table="referrals"] tbody tr', (rs) => rs.map((r) => r.textContent));
      assert(alt.some((r) => r.includes("diogenes.housing_support") && r.includes("suppressed (fewer than 5 people)")), `the table (${alt})`);
      await axeClean(page, "coordinator-reports");
    });

    await check("coordinator: the pages in Dutch at 320 px wide stay readable and axe-clean", async () => {
      await page.select("#language", "nl");
      await page.waitForFunction(() => document.getElementById("status").textContent === "Uw taal is opgeslagen.");
      await page.setViewport({ width: 320, height: 800 });
      await goTo(page, "coordinator-rules");
      equal(await text(page, "#coordinator-rules-title"), "Toegangsregels", "the heading");
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      const wide = await page.evaluate(() => [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > 330)
        .slice(0, 5).map((e) => `${e.tagName}.${e.className}#${e.id} ${Math.round(e.getBoundingClientRect().right)}`));
      assert(width <= 320, `the page is ${width} px wide at 320 (${wide.join(", ")})`);
      await axeClean(page, "coordinator-rules-nl-320");
      await noViolations(page);
    });

    await checkNoIncidents("coordinator: ");
  } finally {
    await browser.close();
  }
  return 0;
}

await run(main);
