// The journeys of docs/journeys.md that people do in the console today,
// step by step, each organisation in its own browser context, signed in by
// keyboard (docs/console.md, "The journeys through the console"):
//   - Rizome-Bxl: an intake, proposed to an AIS;
//   - Rizome-Bxl: a candidature list ranked for a transit studio (ORS sends it);
//   - Placements close the loop (L'Ilot proposes, the SISP accepts and starts
//     the stay, not before the release; later ends it with its outcome);
//   - DIOGENES after move-in: a follow-up and its entries (L'Ilot reads them);
//   - A referent, a convention, alerts at each one's time (on the SISP's
//     stay: DIOGENES the referent, each organisation's threshold);
//   - The life of a unit: a published unit withdrawn by its operator (the
//     console withdraws published and draft units only);
//   - Programs: Rizome pauses its transit studios (Our programs);
//   - A person erased on request (DIOGENES; L'Ilot sees the referral closed).
// Each step checks what the journey's text says its user sees.  Only the
// setting (the units the operators offer, a transition of the other party
// that the journey does not walk) goes through the API.  The organisations
// are the seeds' (scripts/demo-orgs.txt); Rizome and the AIS carry
// "(journeys)" because worker.test.mjs, in the same run, makes its own.
// Started by tests/browser/run.sh (REFGW_BROWSER_ONLY=journeys).
import {
  addOrganisation, addUser, assert, axeClean, check, checkNoIncidents, CONSOLE, day, equal, launch, noViolations,
  openPage, ready, rendered, run, signIn, signInByKeyboard, sleep, text,
} from "./lib.mjs";
import { fieldError, fill, goTo, inPage, pressByKeyboard, submit, visit } from "./roles.mjs";

// What a journey provokes on purpose: a refused referral (403), a stay
// before the release or a referral to a paused program (422), a consent
// for an erased person (410), the candidates of a withdrawn unit (409), a
// threshold, an end or a commune list refused (400), a program's stale
// version (412).
const EXPECTED = [400, 401, 403, 409, 410, 412, 422];
const ids = {};
const users = {};
const pages = {};
let browser = null;

async function setUp() {
  ids.rizome = addOrganisation("Rizome-Bxl (journeys)", "justice_aid", ["rizome.transit_housing"]);
  ids.ors = addOrganisation("ORS - Office de Réadaptation Sociale", "justice_aid", ["ors.transit_housing"]);
  ids.ais = addOrganisation("AIS Les Trois Pommiers (journeys)", "housing_operator", ["trois_pommiers.lease"]);
  ids.ilot = addOrganisation("L'Ilot", "homeless_service", ["issue.axis1"]);
  ids.sisp = addOrganisation("SISP Logement Molenbeekois", "housing_operator");
  ids.diogenes = addOrganisation("DIOGENES", "street_work", ["diogenes.housing_support"]);
  users.rizome = await addUser(ids.rizome, "worker@rizome.journeys.test", "A. Peeters");
  users.ors = await addUser(ids.ors, "worker@ors.journeys.test", "M. Claes");
  users.ais = await addUser(ids.ais, "officer@ais.journeys.test", "L. Dubois", { role: "org_admin" });
  users.ilot = await addUser(ids.ilot, "worker@ilot.journeys.test", "S. Janssens");
  users.sisp = await addUser(ids.sisp, "officer@sisp.journeys.test", "K. Mertens", { role: "org_admin" });
  users.diogenes = await addUser(ids.diogenes, "worker@diogenes.journeys.test", "Worker D");
}

// A unit the operator publishes through the API (the housing officer's
// console is housing.test.mjs's journey): its id.
async function publishUnit(operator, site, label, commune, audience) {
  const unit = await operator.call("POST", "/v1/units", {
    site_id: site, label, type: "studio", bedrooms: 0, furnished: true, accessibility: "none", commune,
    address: `${label}, ${commune}`, available_from: day(0), available_until: day(900), terms: "transit",
    max_stay_months: 18, audience, status: "published",
  });
  return unit.id;
}

// The console of an organisation's user, signed in by keyboard, in English.
async function consoleOf(user) {
  const { page } = await openPage(browser, ["en-GB", "en"], {
    width: 1200, expected: EXPECTED, ignoreFailed: (url) => url.includes("/v1/events"),
  });
  await page.goto(CONSOLE, { waitUntil: "load" });
  await ready(page);
  await signInByKeyboard(page, user);
  return page;
}

// The person recorded on the persons page: its id (from the address).
async function recordPerson(page, ref) {
  await goTo(page, "persons");
  await fill(page, "person-form", { external_ref: ref });
  await submit(page, "person-form");
  await rendered(page, "person");
  return page.evaluate(() => decodeURIComponent(location.hash.split("/")[2]));
}

// A consent recorded from the person's page (recipients as the form's
// values: org:<id>, kind:<kind>): the API's answer; the page is its slip.
async function recordConsent(page, personId, { recipients, purposes, categories, validUntil, reference }) {
  await visit(page, `#/person/${personId}`, "person");
  await page.click(`#page-person a[href="#/consent/${personId}"]`);
  await rendered(page, "consent");
  for (const v of [...recipients, ...purposes, ...categories]) await page.click(`#consent-form input[value="${v}"]`);
  await page.$eval("#consent-form-valid_until", (i, d) => { i.value = d; }, validUntil);
  await page.type("#consent-form-evidence-reference", reference);
  const created = page.waitForResponse((r) => r.url().endsWith("/v1/consents") && r.request().method() === "POST");
  await submit(page, "consent-form");
  const resp = await created;
  equal(resp.status(), 201, `POST /v1/consents (${await resp.text()})`);
  await rendered(page, "slip");
  return resp.json();
}

// The referral form (refer or intake) of a person's consent, sent: the
// API's answer (the page is then the referral's); lastSent, its body.
let lastSent = null;
async function sendReferral(page, form, values, expect = 201) {
  const created = page.waitForResponse((r) => r.url().endsWith("/v1/referrals") && r.request().method() === "POST");
  await fill(page, form, values);
  await submit(page, form);
  const resp = await created;
  lastSent = JSON.parse(resp.request().postData());
  equal(resp.status(), expect, `POST /v1/referrals (${await resp.text()})`);
  if (expect === 201) await rendered(page, "referral");
  return resp.json();
}

// The referral's page: its status as shown, and its history (from, to).
async function referralShown(page, id) {
  await visit(page, `#/referral/${id}`, "referral");
  return {
    details: await text(page, "#page-referral dl"),
    history: await page.$$eval("#page-referral table tbody tr", (trs) => trs.map((tr) => `${tr.cells[1].textContent}>${tr.cells[2].textContent}`)),
  };
}

// A move of the referral's receiver, its button pressed by keyboard.
async function move(page, id, label, status) {
  await visit(page, `#/referral/${id}`, "referral");
  await pressByKeyboard(page, "#page-referral .moves", label);
  await page.waitForFunction((s) => document.getElementById("status").textContent === `The referral is now: ${s}.`, {}, status);
  await rendered(page, "referral");
}

// The housing officer's proposal page: what the consent shares, as shown.
async function proposalShown(page, proposalId) {
  await goTo(page, "housing-proposals");
  await page.click(`[data-list="proposals"] tbody a[href="#/housing-proposals/${proposalId}"]`);
  await page.waitForSelector("#proposal-detail dl.shared");
  await rendered(page, "housing-proposals");
  return text(page, "#proposal-detail");
}

async function accept(page) {
  await fill(page, "decision-form", { decision: "accept" });
  await submit(page, "decision-form");
  await page.waitForFunction(() => document.getElementById("status").textContent.includes("is accepted"));
  await rendered(page, "housing-proposals");
  await page.waitForSelector("#occupancy-form");
}

async function main() {
  let ais = null;
  let sisp = null;
  await check("journeys: the seeds' organisations, their users; the AIS and the SISP offer studios", async () => {
    await setUp();
    ais = await signIn(users.ais);
    sisp = await signIn(users.sisp);
    const aisSite = (await ais.call("POST", "/v1/sites", { name: "Rue Haute", commune: "Forest", period_from: day(-30) })).id;
    ids.studioJ1 = await publishUnit(ais, aisSite, "TP-F1", "Forest", [{ organisation_id: ids.rizome }]);
    ids.studioForest = await publishUnit(ais, aisSite, "TP-F2", "Forest", [{ organisation_id: ids.rizome }]);
    ids.studioStGilles = await publishUnit(ais, aisSite, "TP-SG1", "Saint-Gilles", [{ organisation_id: ids.rizome }]);
    const sispSite = (await sisp.call("POST", "/v1/sites", { name: "Quai", commune: "Molenbeek-Saint-Jean", period_from: day(-30) })).id;
    ids.studioSisp = await publishUnit(sisp, sispSite, "LM-01", "Molenbeek-Saint-Jean", [{ organisation_id: ids.ilot }]);
    ids.studioSisp2 = await publishUnit(sisp, sispSite, "LM-02", "Molenbeek-Saint-Jean", [{ organisation_id: ids.ilot }]);
  });

  browser = await launch();
  try {
    // ---- Rizome-Bxl: an intake, proposed to an AIS ----
    const j1 = {};
    await check("intake to AIS: Rizome records the person and a consent naming the AIS (signed form)", async () => {
      pages.rizome = await consoleOf(users.rizome);
      const rz = pages.rizome;
      j1.person = await recordPerson(rz, "RZ-2026-031");
      const consent = await recordConsent(rz, j1.person, {
        recipients: [`org:${ids.ais}`], purposes: ["housing_referral"], categories: ["identity", "housing_situation", "justice"],
        validUntil: "2027-12-31", reference: "RZ-F-0311",
      });
      j1.consent = consent.id;
      equal(JSON.stringify(consent.recipients), JSON.stringify([{ organisation_id: ids.ais }]), "the AIS, and only it");
      equal(consent.evidence.recorded_by, "A. Peeters", "recorded by the worker");
      const slip = await text(rz, "#slip");
      for (const s of ["AIS Les Trois Pommiers (journeys)", "Housing referral", "Identity", "Housing situation", "Justice", "RZ-F-0311"])
        assert(slip.includes(s), `the slip shows ${s}`);
    });

    await check("intake to AIS: the intake is waitlisted at once, one step in its history, among the referrals received", async () => {
      const rz = pages.rizome;
      await visit(rz, `#/intake/${j1.person}/${j1.consent}`, "intake");
      const r = await sendReferral(rz, "intake-form", {
        program: `${ids.rizome}|rizome.transit_housing`, reason: "candidature from Haren, no housing at release",
        release_date: "2027-01-15", "data.identity.given_name": "Jean", "data.justice.prison": "Haren",
      });
      j1.intake = r.id;
      equal(r.status, "waitlisted", "the intake's status");
      equal(r.intake, true, "an intake");
      const shown = await referralShown(rz, j1.intake);
      assert(shown.details.includes("Waitlisted") && shown.details.includes("Intake (your organisation)"), `the referral (${shown.details})`);
      equal(JSON.stringify(shown.history), JSON.stringify(["—>Waitlisted"]), "one step: none -> waitlisted");
      await visit(rz, "#/inbox/waitlisted", "inbox");
      const rows = await rz.$$eval("#page-inbox tbody tr", (trs) => trs.map((tr) => tr.textContent));
      equal(rows.length, 1, `the referrals received, waitlisted (${rows.join(" | ")})`);
      assert(rows[0].includes("Intake (your organisation)"), `the intake among them (${rows[0]})`);
      await axeClean(rz, "journey-intake-inbox");
    });

    await check("intake to AIS: ranked among the AIS studio's candidates, proposed; the status says what the AIS sees", async () => {
      const rz = pages.rizome;
      await visit(rz, `#/candidates/${ids.studioJ1}`, "candidates");
      const answer = await inPage(rz, `/v1/units/${ids.studioJ1}/candidates`);
      const ranked = await rz.$$eval("#candidates tbody tr", (trs) => trs.map((tr) => tr.dataset.referral));
      equal(JSON.stringify(ranked), JSON.stringify(answer.candidates.map((c) => c.referral_id)), "the ranking, as the API's");
      assert(ranked.includes(j1.intake), "the intake ranked");
      const posted = rz.waitForResponse((r) => r.url().endsWith(`/v1/units/${ids.studioJ1}/proposals`) && r.request().method() === "POST");
      await pressByKeyboard(rz, `#candidates tr[data-referral="${j1.intake}"]`, "Propose");
      const resp = await posted;
      equal(resp.status(), 201, "the proposal");
      const p = await resp.json();
      j1.proposal = p.id;
      assert(p.shared_categories.includes("identity") && p.shared_categories.includes("justice"), `shared: ${p.shared_categories}`);
      await rz.waitForFunction(() => document.getElementById("status").textContent.startsWith("Proposal sent"));
      const status = await text(rz, "#status");
      assert(status.includes("Identity") && status.includes("Justice"), `what the AIS sees (${status})`);
      await axeClean(rz, "journey-intake-proposed");
    });

    await check("intake to AIS: the AIS reads the shared categories only (not the reason) and accepts; Rizome sees it accepted", async () => {
      pages.ais = await consoleOf(users.ais);
      const shown = await proposalShown(pages.ais, j1.proposal);
      assert(shown.includes("Identity") && shown.includes("Justice"), `what the consent shares (${shown})`);
      assert(shown.includes("Jean") && shown.includes("Haren"), `the identity and justice data (${shown})`);
      assert(!shown.includes("candidature from Haren"), "not the reason (housing situation, not shared)");
      await axeClean(pages.ais, "journey-intake-ais-decision");
      await accept(pages.ais);
      const rz = await referralShown(pages.rizome, j1.intake);
      assert(rz.details.includes("Accepted"), `Rizome's intake (${rz.details})`);
      equal(rz.history[rz.history.length - 1], "Waitlisted>Accepted", "the last step");
    });

    // ---- Rizome-Bxl: a candidature list ranked for a transit studio ----
    const j2 = {};
    await check("ranking: ORS's consent without justice cannot carry the judge's prohibition: 403, shown beside the field", async () => {
      pages.ors = await consoleOf(users.ors);
      const ors = pages.ors;
      j2.person = await recordPerson(ors, "ORS-2026-301");
      const narrow = await recordConsent(ors, j2.person, {
        recipients: [`org:${ids.rizome}`], purposes: ["housing_referral"], categories: ["housing_situation", "family"],
        validUntil: "2027-12-31", reference: "ORS-F-87",
      });
      await visit(ors, `#/refer/${j2.person}/${narrow.id}`, "refer");
      const refused = await sendReferral(ors, "referral-form", {
        program: `${ids.rizome}|rizome.transit_housing`, release_date: "2027-01-15", "needs.household_size": "1",
        "needs.excluded_communes": "Saint-Gilles", "needs.preferred_communes": "Forest",
      }, 403);
      equal(refused.type, "urn:refgw:problem:consent-not-covering", "the problem");
      assert(refused.errors.some((e) => e.field === "needs.excluded_communes"), `errors (${JSON.stringify(refused.errors)})`);
      await ors.waitForFunction(() => !document.getElementById("problem").hidden);
      equal(await text(ors, "#problem-title"), refused.title, "the gateway's problem shown");
      const beside = await fieldError(ors, "referral-form", "needs.excluded_communes");
      assert(beside.length > 0 && !beside.includes("not aria-invalid"), `beside the excluded communes (${beside})`);
      await axeClean(ors, "journey-ranking-refused");
      const sent = await inPage(ors, "/v1/referrals?role=sent");
      equal(sent.items.length, 0, "nothing stored");
    });

    await check("ranking: with justice in the consent, ORS sends the candidature (release date, prohibition, wish)", async () => {
      const ors = pages.ors;
      const consent = await recordConsent(ors, j2.person, {
        recipients: [`org:${ids.rizome}`], purposes: ["housing_referral"], categories: ["housing_situation", "family", "justice"],
        validUntil: "2027-12-31", reference: "ORS-F-88",
      });
      await visit(ors, `#/refer/${j2.person}/${consent.id}`, "refer");
      const r = await sendReferral(ors, "referral-form", {
        program: `${ids.rizome}|rizome.transit_housing`, release_date: "2027-01-15", "needs.household_size": "1",
        "needs.excluded_communes": "Saint-Gilles", "needs.preferred_communes": "Forest",
      });
      j2.referral = r.id;
      equal(JSON.stringify(lastSent.needs), JSON.stringify({ household_size: 1, preferred_communes: ["Forest"], excluded_communes: ["Saint-Gilles"] }),
        "the needs sent");
      equal(lastSent.release_date, "2027-01-15", "the release date sent");
      const shown = await text(ors, "#page-referral dl");
      assert(shown.includes("Submitted") && shown.includes("Rizome-Bxl (journeys)"), `ORS's referral (${shown})`);
    });

    await check("ranking: Rizome waitlists it from its inbox (received, then waitlisted)", async () => {
      const rz = pages.rizome;
      await goTo(rz, "inbox");
      const rows = await rz.$$eval("#page-inbox tbody tr", (trs) => trs.map((tr) => tr.textContent));
      assert(rows.some((r) => r.includes("ORS - Office de Réadaptation Sociale") && r.includes("Submitted")), `the inbox (${rows.join(" | ")})`);
      await move(rz, j2.referral, "Waitlist", "Waitlisted");
      const shown = await referralShown(rz, j2.referral);
      equal(JSON.stringify(shown.history), JSON.stringify(["—>Submitted", "Submitted>Received", "Received>Waitlisted"]), "the history");
      assert(shown.details.includes("excluded_communes: Saint-Gilles") && shown.details.includes("preferred_communes: Forest"),
        `the needs Rizome reads (${shown.details})`);
    });

    await check("ranking: the Forest studio ranks it with its reasons; the Saint-Gilles one excludes it for the judge's prohibition", async () => {
      const rz = pages.rizome;
      await visit(rz, `#/candidates/${ids.studioForest}`, "candidates");
      const forest = await inPage(rz, `/v1/units/${ids.studioForest}/candidates`);
      const mine = forest.candidates.find((c) => c.referral_id === j2.referral);
      assert(mine, `ranked for the Forest studio (${JSON.stringify(forest.candidates)})`);
      const row = await rz.$eval(`#candidates tr[data-referral="${j2.referral}"]`, (tr) => ({
        rank: tr.cells[0].textContent, reasons: [...tr.querySelectorAll(".reasons li")].map((li) => li.textContent),
      }));
      equal(row.rank, String(mine.rank), "its rank");
      equal(JSON.stringify(row.reasons), JSON.stringify(mine.reasons), "its reasons, as the API says them");
      assert(mine.reason_codes.includes("preference.preferred"), `Forest is among his wishes (${mine.reason_codes})`);
      await axeClean(rz, "journey-ranking-forest");
      await visit(rz, `#/candidates/${ids.studioStGilles}`, "candidates");
      const stGilles = await inPage(rz, `/v1/units/${ids.studioStGilles}/candidates`);
      assert(!stGilles.candidates.some((c) => c.referral_id === j2.referral), "not ranked for Saint-Gilles");
      const out = await rz.$eval(`#excluded tr[data-referral="${j2.referral}"]`, (tr) => tr.textContent);
      assert(out.includes("Judicial condition"), `failed: justice (${out})`);
      assert(out.includes("Saint-Gilles is excluded by a justice condition"), `the reason (${out})`);
      await axeClean(rz, "journey-ranking-saint-gilles");
    });

    // ---- Placements close the loop ----
    const j3 = {};
    const release = day(30);
    await check("placements: Rizome refers a detainee to L'Ilot, released in a month (consent for L'Ilot, DIOGENES, the operators)", async () => {
      const rz = pages.rizome;
      j3.person = await recordPerson(rz, "RZ-2026-044");
      // DIOGENES: the housing referent the SISP names later (the consent must cover it).
      const consent = await recordConsent(rz, j3.person, {
        recipients: [`org:${ids.ilot}`, `org:${ids.diogenes}`, "kind:housing_operator"], purposes: ["housing_referral"],
        categories: ["identity", "housing_situation", "justice"], validUntil: "2028-12-31", reference: "RZ-F-0402",
      });
      await visit(rz, `#/refer/${j3.person}/${consent.id}`, "refer");
      const r = await sendReferral(rz, "referral-form", {
        program: `${ids.ilot}|issue.axis1`, release_date: release, reason: "release in a month, no housing",
        "data.identity.given_name": "Yves",
      });
      j3.referral = r.id;
      equal(r.status, "submitted", "sent");
    });

    await check("placements: L'Ilot waitlists it and proposes it for the SISP's studio", async () => {
      pages.ilot = await consoleOf(users.ilot);
      const il = pages.ilot;
      await move(il, j3.referral, "Waitlist", "Waitlisted");
      await fill(il, "propose-form", { unit: ids.studioSisp, note: "fits" });
      const posted = il.waitForResponse((r) => r.url().endsWith(`/v1/units/${ids.studioSisp}/proposals`) && r.request().method() === "POST");
      await submit(il, "propose-form");
      const resp = await posted;
      equal(resp.status(), 201, "the proposal");
      j3.proposal = (await resp.json()).id;
      await il.waitForFunction(() => document.getElementById("status").textContent.startsWith("Proposal sent"));
      await axeClean(il, "journey-placements-proposed");
    });

    await check("placements: the SISP accepts; the referral is accepted for Rizome", async () => {
      pages.sisp = await consoleOf(users.sisp);
      const shown = await proposalShown(pages.sisp, j3.proposal);
      assert(shown.includes("Yves"), `the identity shared (${shown})`);
      await accept(pages.sisp);
      const rz = await referralShown(pages.rizome, j3.referral);
      assert(rz.details.includes("Accepted"), `Rizome's referral (${rz.details})`);
    });

    await check("placements: a stay before the release is refused beside the start, without the date; on the day it starts", async () => {
      const s = pages.sisp;
      await fill(s, "occupancy-form", { start_date: day(0), planned_end_date: day(110) });
      const refused = s.waitForResponse((r) => r.url().endsWith("/v1/occupancies") && r.request().method() === "POST");
      await submit(s, "occupancy-form");
      const no = await refused;
      equal(no.status(), 422, "POST /v1/occupancies before the release");
      const beside = await fieldError(s, "occupancy-form", "start_date");
      assert(beside.includes("must not be before the person's release date"), `beside the start (${beside})`);
      assert(!(await text(s, "#page-housing-proposals")).includes(release), "the release date is not the SISP's to know");
      await axeClean(s, "journey-placements-before-release");
      await fill(s, "occupancy-form", { start_date: release });
      await submit(s, "occupancy-form");
      await rendered(s, "housing-occupancies");
      const rows = await s.$$eval('[data-list="occupancies"] tbody tr', (rs) => rs.map((r) => r.textContent));
      assert(rows.some((r) => r.includes("LM-01") && r.includes("L'Ilot")), `the occupancy listed (${rows.join(" | ")})`);
    });

    await check("placements: Rizome reads the placement on its referral, in progress; its feed says placement started", async () => {
      const rz = pages.rizome;
      const shown = await referralShown(rz, j3.referral);
      assert(shown.details.includes("In progress"), `the status (${shown.details})`);
      const placement = await text(rz, "#page-referral");
      assert(placement.includes(ids.studioSisp), "the unit of the placement");
      await goTo(rz, "events");
      assert((await text(rz, "#page-events tbody")).includes("placement started"), "placement.started in the feed");
      await axeClean(rz, "journey-placements-in-progress");
    });

    // ---- DIOGENES after move-in: a follow-up and its entries ----
    const j4 = {};
    const visitText = "Settled in, needs a fridge; CPAS appointment on the 16th";
    await check("follow-up: DIOGENES's consent names L'Ilot and the operators, with follow_up; the referral accepted, housed", async () => {
      pages.diogenes = await consoleOf(users.diogenes);
      const d = pages.diogenes;
      j4.person = await recordPerson(d, "DIO-15");
      const consent = await recordConsent(d, j4.person, {
        recipients: [`org:${ids.ilot}`, "kind:housing_operator"], purposes: ["housing_referral", "housing_support"],
        categories: ["identity", "housing_situation", "follow_up"], validUntil: "2028-12-31", reference: "SL-2026-15",
      });
      equal(consent.evidence.recorded_by, "Worker D", "recorded by");
      await visit(d, `#/refer/${j4.person}/${consent.id}`, "refer");
      j4.referral = (await sendReferral(d, "referral-form", { program: `${ids.ilot}|issue.axis1`, "data.identity.given_name": "Amina" })).id;
      await move(pages.ilot, j4.referral, "Accept", "Accepted");
      await visit(d, `#/referral/${j4.referral}`, "referral");
      await fill(d, "placement-form", { kind: "private_market", start_date: day(-7) });
      await submit(d, "placement-form");
      await d.waitForFunction(() => document.getElementById("status").textContent === "The housing is recorded.");
      await rendered(d, "referral");
      assert((await text(d, "#page-referral dl")).includes("In progress"), "in progress");
    });

    await check("follow-up: DIOGENES opens it after the move-in (active) and writes a visit", async () => {
      const d = pages.diogenes;
      await fill(d, "follow-up-form", { period_from: day(-6) });
      await submit(d, "follow-up-form");
      await rendered(d, "follow-up");
      j4.followUp = await d.evaluate(() => decodeURIComponent(location.hash.split("/")[2]));
      assert((await text(d, "#page-follow-up dl")).includes("Active"), "active by default");
      await fill(d, "entry-form", { date: day(0), kind: "visit", text: visitText });
      await submit(d, "entry-form");
      await d.waitForFunction((t) => (document.querySelector("#page-follow-up .list tbody") || {}).textContent?.includes(t), {}, visitText);
      await rendered(d, "follow-up");
      const rows = await d.$$eval("#page-follow-up .list tbody tr", (trs) => trs.map((tr) => tr.textContent));
      equal(rows.length, 1, "one entry");
      assert(rows[0].includes("Visit"), `its kind (${rows[0]})`);
      await axeClean(d, "journey-follow-up-entry");
    });

    await check("follow-up: L'Ilot, named by the consent, finds it among its follow-ups and reads the visit", async () => {
      const il = pages.ilot;
      await goTo(il, "follow-ups");
      const listed = await il.$$eval("#page-follow-ups tbody a", (as) => as.map((a) => a.getAttribute("href")));
      assert(listed.includes(`#/follow-up/${j4.followUp}`), `DIOGENES's follow-up listed (${listed})`);
      await visit(il, `#/follow-up/${j4.followUp}`, "follow-up");
      assert((await text(il, "#page-follow-up .list tbody")).includes(visitText), "the entry's text");
      equal(await il.$("#entry-form"), null, "only DIOGENES writes entries");
      await axeClean(il, "journey-follow-up-ilot");
    });

    await check("follow-up: the rent is unpaid: DIOGENES moves it to tenancy at risk", async () => {
      const d = pages.diogenes;
      await fill(d, "follow-up-status-form", { status: "tenancy_at_risk" });
      const patched = d.waitForResponse((r) => r.request().method() === "PATCH");
      await submit(d, "follow-up-status-form");
      const resp = await patched;
      equal(resp.status(), 200, "PATCH /v1/follow-ups/{id}");
      equal(resp.request().headers()["if-match"], '"1"', "If-Match: the version read");
      await rendered(d, "follow-up");
      assert((await text(d, "#page-follow-up dl")).includes("Tenancy at risk"), "the new status");
    });

    // ---- A referent, a convention, alerts at each one's time (j3's stay) ----
    // The SISP's stay of Yves ends in 110 days: DIOGENES, which asks to hear
    // 120 days before a transit convention's end, is told today; Rizome (91
    // days) and L'Ilot (the server's 90) are not.
    await check("referent: the SISP opens the stay, names DIOGENES's referent, then the transit convention (If-Match: the version read)", async () => {
      const s = pages.sisp;
      await goTo(s, "housing-occupancies");
      await s.click('[data-list="occupancies"] tbody a[href^="#/occupancy/"]');
      await rendered(s, "occupancy");
      j3.occupancy = await s.evaluate(() => decodeURIComponent(location.hash.split("/")[2]));
      const matches = [];
      const seen = (r) => r.method() === "PATCH" && r.url().endsWith(`/v1/occupancies/${j3.occupancy}`) && matches.push(r.headers()["if-match"]);
      s.on("request", seen);
      await fill(s, "referent-form", { "referent.organisation_id": ids.diogenes, "referent.name": "Samira B.", "referent.role": "housing referent" });
      await submit(s, "referent-form");
      await s.waitForFunction(() => document.getElementById("status").textContent === "The referent is saved.");
      await rendered(s, "occupancy");
      await fill(s, "convention-form", { "convention.kind": "transit_convention", "convention.reference": "LM-T-014",
        "convention.signed_on": day(0), "convention.signed_by": "SISP, gestion locative", "convention.end_date": day(110) });
      await submit(s, "convention-form");
      await s.waitForFunction(() => document.getElementById("status").textContent === "The convention is saved.");
      await rendered(s, "occupancy");
      s.off("request", seen);
      equal(JSON.stringify(matches), JSON.stringify(['"1"', '"2"']), "If-Match: the version read, each time");
      const shown = await text(s, "#page-occupancy dl");
      assert(shown.includes("Samira B., housing referent, DIOGENES"), `the referent (${shown})`);
      assert(shown.includes("Transit convention · LM-T-014"), `the convention (${shown})`);
      await axeClean(s, "journey-referent-saved");
    });

    await check("referent: DIOGENES reads the stay it accompanies (dates, referent, convention), and cannot change it", async () => {
      const d = pages.diogenes;
      await visit(d, `#/occupancy/${j3.occupancy}`, "occupancy");
      const shown = await text(d, "#page-occupancy dl");
      assert(shown.includes("Samira B.") && shown.includes("Transit convention · LM-T-014"), `the stay (${shown})`);
      assert(!shown.includes("Outcome"), "never the outcome");
      equal(await d.$("#occupancy-end-form"), null, "no end form for the referent");
      equal(await d.$("#referent-form"), null, "no referent form for the referent");
      assert((await text(d, "#page-occupancy")).includes("Only the operator and the referring organisation manage this occupancy."), "said so");
      const feed = await inPage(d, "/v1/events?limit=200");
      assert(feed.items.some((e) => e.type === "occupancy.referent_assigned" && e.resource.id === j3.occupancy), "occupancy.referent_assigned");
      await axeClean(d, "journey-referent-diogenes");
    });

    await check("alerts: a threshold out of range is refused beside its field, nothing saved; Rizome keeps 91 days for transit conventions", async () => {
      const rz = pages.rizome;
      await goTo(rz, "alert-settings");
      await fill(rz, "alert-thresholds-form", { transit_convention: "4000" });
      await submit(rz, "alert-thresholds-form");
      await rz.waitForFunction(() => !document.getElementById("problem").hidden);
      const beside = await fieldError(rz, "alert-thresholds-form", "transit_convention");
      assert(beside.length > 0 && !beside.includes("not aria-invalid"), `beside the transit convention (${beside})`);
      equal((await inPage(rz, "/v1/alert-thresholds")).items.length, 0, "nothing saved");
      await axeClean(rz, "journey-alerts-refused");
      await fill(rz, "alert-thresholds-form", { transit_convention: "91" });
      await submit(rz, "alert-thresholds-form");
      await rz.waitForFunction(() => document.getElementById("status").textContent === "The alert thresholds are saved.");
      await rendered(rz, "alert-settings");
      equal(await rz.$eval('#alert-thresholds-form [name="transit_convention"]', (i) => i.value), "91", "shown again");
      const mine = (await inPage(rz, "/v1/alert-thresholds")).items;
      equal(JSON.stringify(mine.map((x) => [x.convention_kind, x.days_before])), JSON.stringify([["transit_convention", 91]]), "Rizome's own row");
    });

    await check("alerts: DIOGENES asks 120 days before a transit convention's end (60 for any other); only its own rows", async () => {
      const d = pages.diogenes;
      await goTo(d, "alert-settings");
      await fill(d, "alert-thresholds-form", { any: "60", transit_convention: "120" });
      await submit(d, "alert-thresholds-form");
      await d.waitForFunction(() => document.getElementById("status").textContent === "The alert thresholds are saved.");
      await rendered(d, "alert-settings");
      const mine = (await inPage(d, "/v1/alert-thresholds")).items.map((x) => `${x.convention_kind ?? "any"}:${x.days_before}`).sort();
      equal(JSON.stringify(mine), JSON.stringify(["any:60", "transit_convention:120"]), "DIOGENES's rows, not Rizome's");
      await axeClean(d, "journey-alerts-diogenes");
    });

    await check("alerts: housekeeping tells DIOGENES the stay ends soon (shown in its feed); Rizome, L'Ilot and the SISP, not yet", async () => {
      // Housekeeping runs every REFGW_HOUSEKEEPING_SECONDS (60): read again until then.
      const d = pages.diogenes;
      const deadline = Date.now() + 90000;
      const ending = (feed) => feed.items.some((e) => e.type === "occupancy.ending_soon" && e.resource.id === j3.occupancy);
      while (!ending(await inPage(d, "/v1/events?limit=200"))) {
        assert(Date.now() < deadline, "no ending-soon alert for DIOGENES after 90 s");
        await sleep(3000);
      }
      await goTo(d, "events");
      const rows = await d.$$eval("#page-events tbody tr", (trs) => trs.map((tr) => tr.textContent));
      assert(rows.some((r) => r.includes("stay ending soon")), `DIOGENES's feed (${rows.join(" | ")})`);
      await axeClean(d, "journey-alerts-feed");
      // The same housekeeping pass weighed the others' thresholds.
      const none = (items, type) => !items.some((e) => e.type === type);
      assert(none((await inPage(pages.rizome, "/v1/events?limit=200")).items, "placement.ending_soon"), "Rizome (91 days): not yet");
      assert(none((await inPage(pages.ilot, "/v1/events?limit=200")).items, "placement.ending_soon"), "L'Ilot (90 days): not yet");
      assert(none((await inPage(pages.sisp, "/v1/events?limit=200")).items, "occupancy.ending_soon"), "the SISP (90 days): not yet");
    });

    // ---- Placements close the loop: the stay ends with its outcome ----
    await check("placements: the SISP ends the stay; an end before its start is refused beside the date, then durable housing", async () => {
      const s = pages.sisp;
      await visit(s, `#/occupancy/${j3.occupancy}`, "occupancy");
      await fill(s, "occupancy-end-form", { end_date: day(0), outcome: "durable_housing" });
      const refused = s.waitForResponse((r) => r.url().endsWith(`/v1/occupancies/${j3.occupancy}/end`));
      await submit(s, "occupancy-end-form");
      equal((await refused).status(), 400, "an end before the start (the release)");
      const beside = await fieldError(s, "occupancy-end-form", "end_date");
      assert(beside.includes("must not be before the start date"), `beside the end (${beside})`);
      await axeClean(s, "journey-placements-end-refused");
      await fill(s, "occupancy-end-form", { end_date: day(100) });
      await submit(s, "occupancy-end-form");
      await s.waitForFunction(() => document.getElementById("status").textContent === "The occupancy has ended.");
      await rendered(s, "occupancy");
      const shown = await text(s, "#page-occupancy dl");
      assert(shown.includes("Durable housing"), `the outcome (${shown})`);
      equal(await s.$("#occupancy-end-form"), null, "ended: nothing more to do");
    });

    await check("placements: Rizome reads its referral completed, with the outcome; its feed says placement ended", async () => {
      const rz = pages.rizome;
      const shown = await referralShown(rz, j3.referral);
      assert(shown.details.includes("Completed"), `the status (${shown.details})`);
      equal(shown.history[shown.history.length - 1], "In progress>Completed", "the last step");
      const page = await text(rz, "#page-referral");
      assert(page.includes("Durable housing"), "the outcome of the placement");
      await goTo(rz, "events");
      assert((await text(rz, "#page-events tbody")).includes("placement ended"), "placement.ended in the feed");
      await axeClean(rz, "journey-placements-completed");
    });

    // ---- The life of a unit: a published unit withdrawn by its operator ----
    const j6 = {};
    await check("unit life: L'Ilot takes a person in (intake) and proposes them for the SISP's LM-02", async () => {
      const il = pages.ilot;
      j6.person = await recordPerson(il, "ILOT-2026-77");
      const consent = await recordConsent(il, j6.person, {
        recipients: ["kind:housing_operator"], purposes: ["housing_referral"], categories: ["identity", "housing_situation"],
        validUntil: "2028-12-31", reference: "IL-F-77",
      });
      await visit(il, `#/intake/${j6.person}/${consent.id}`, "intake");
      j6.referral = (await sendReferral(il, "intake-form", { program: `${ids.ilot}|issue.axis1`, "data.identity.given_name": "Nadia" })).id;
      await visit(il, `#/referral/${j6.referral}`, "referral");
      await fill(il, "propose-form", { unit: ids.studioSisp2, note: "ground floor" });
      const posted = il.waitForResponse((r) => r.url().endsWith(`/v1/units/${ids.studioSisp2}/proposals`) && r.request().method() === "POST");
      await submit(il, "propose-form");
      const resp = await posted;
      equal(resp.status(), 201, "the proposal");
      j6.proposal = (await resp.json()).id;
    });

    await check("unit life: the SISP withdraws LM-02 by keyboard; L'Ilot's proposal is declined (unit unavailable), told in its feed", async () => {
      const s = pages.sisp;
      await goTo(s, "housing-units");
      await pressByKeyboard(s, "#page-housing-units", "Withdraw LM-02");
      await s.waitForFunction(() => document.getElementById("status").textContent === "The unit LM-02 is withdrawn.");
      await rendered(s, "housing-units");
      const units = await s.$$eval("#page-housing-units tbody tr", (trs) => trs.map((tr) => tr.textContent));
      assert(!units.some((r) => r.includes("LM-02")), `no longer among the published (${units.join(" | ")})`);
      const il = pages.ilot;
      const proposals = (await inPage(il, `/v1/units/${ids.studioSisp2}/proposals`));
      const mine = (proposals.items || []).find((p) => p.id === j6.proposal);
      equal(mine && `${mine.status} ${mine.reason_code}`, "declined unit_unavailable", "the proposal");
      await goTo(il, "events");
      assert((await text(il, "#page-events tbody")).includes("proposal declined"), "proposal.declined in L'Ilot's feed");
    });

    await check("unit life: L'Ilot no longer finds LM-02 to propose; its candidates answer the problem unit not available", async () => {
      const il = pages.ilot;
      await visit(il, `#/referral/${j6.referral}`, "referral");
      const offered = await il.$$eval('#propose-form [name="unit"] option', (os) => os.map((o) => o.value));
      assert(!offered.includes(ids.studioSisp2), "LM-02 not offered");
      await visit(il, `#/candidates/${ids.studioSisp2}`, "candidates");
      await il.waitForFunction(() => !document.getElementById("problem").hidden);
      equal(await text(il, "#problem-title"), "Unit not available", "the gateway's problem shown");
      await axeClean(il, "journey-unit-withdrawn");
    });

    // ---- Programs: Rizome pauses its transit studios ----
    const j7 = {};
    const program = "program-rizome-transit_housing";
    await check("programs: Rizome's program open on Our programs; a commune listed twice is refused beside the field, nothing saved", async () => {
      const rz = pages.rizome;
      await goTo(rz, "programs");
      const block = await text(rz, '#page-programs section[data-program="rizome.transit_housing"] dl');
      assert(block.includes("Open"), `open (${block})`);
      await fill(rz, program, { communes_served: "Forest, Forest" });
      await submit(rz, program);
      await rz.waitForFunction(() => !document.getElementById("problem").hidden);
      const beside = await fieldError(rz, program, "communes_served");
      assert(beside.includes("\"Forest\" is listed twice"), `beside the communes (${beside})`);
      const now = (await inPage(rz, `/v1/organisations/${ids.rizome}/programs`)).items[0];
      equal(`${now.status} ${now.version} ${JSON.stringify(now.communes_served)}`, "open 1 []", "nothing changed");
      await axeClean(rz, "journey-programs-refused");
    });

    await check("programs: the studios are full: Rizome pauses the program, says what it is and where (If-Match \"1\")", async () => {
      const rz = pages.rizome;
      const patched = rz.waitForResponse((r) => r.request().method() === "PATCH" && r.url().includes("/programs/"));
      await fill(rz, program, { status: "closed", description: "Studios de transit (18 mois au plus) pour personnes sortant de prison",
        communes_served: "Forest, Saint-Gilles" });
      await submit(rz, program);
      const resp = await patched;
      equal(resp.status(), 200, "PATCH /v1/organisations/{id}/programs/{code}");
      equal(resp.request().headers()["if-match"], '"1"', "If-Match: the version read");
      await rz.waitForFunction(() => document.getElementById("status").textContent === "The program rizome.transit_housing is saved.");
      await rendered(rz, "programs");
      const block = await text(rz, '#page-programs section[data-program="rizome.transit_housing"] dl');
      assert(block.includes("Paused"), `paused (${block})`);
      const now = (await inPage(rz, `/v1/organisations/${ids.rizome}/programs`)).items[0];
      equal(`${now.status} ${now.version} ${now.communes_served.join(",")}`, "closed 2 Forest,Saint-Gilles", "as saved");
      await axeClean(rz, "journey-programs-paused");
    });

    await check("programs: ORS's referral to the paused program is refused with the API's problem (program closed), nothing stored", async () => {
      const ors = pages.ors;
      j7.person = await recordPerson(ors, "ORS-2026-302");
      const consent = await recordConsent(ors, j7.person, {
        recipients: [`org:${ids.rizome}`], purposes: ["housing_referral"], categories: ["housing_situation"],
        validUntil: "2027-12-31", reference: "ORS-F-90",
      });
      j7.consent = consent.id;
      const before = (await inPage(ors, "/v1/referrals?role=sent")).items.length;
      await visit(ors, `#/refer/${j7.person}/${j7.consent}`, "refer");
      const refused = await sendReferral(ors, "referral-form", { program: `${ids.rizome}|rizome.transit_housing`, reason: "studio wanted" }, 422);
      equal(refused.type, "urn:refgw:problem:program-closed", "the problem");
      await ors.waitForFunction(() => !document.getElementById("problem").hidden);
      equal(await text(ors, "#problem-title"), refused.title, "the gateway's problem shown");
      assert((await text(ors, "#problem")).includes("is closed"), "its detail");
      equal((await inPage(ors, "/v1/referrals?role=sent")).items.length, before, "nothing stored");
      await axeClean(ors, "journey-programs-closed-referral");
    });

    await check("programs: a studio is free again: Rizome opens it (If-Match \"2\"); ORS's referral then goes through", async () => {
      const rz = pages.rizome;
      await visit(rz, "#/programs", "programs");
      const patched = rz.waitForResponse((r) => r.request().method() === "PATCH" && r.url().includes("/programs/"));
      await fill(rz, program, { status: "open" });
      await submit(rz, program);
      const resp = await patched;
      equal(`${resp.status()} ${resp.request().headers()["if-match"]}`, '200 "2"', "PATCH with the version read");
      await rz.waitForFunction(() => document.getElementById("status").textContent === "The program rizome.transit_housing is saved.");
      await rendered(rz, "programs");
      assert((await text(rz, '#page-programs section[data-program="rizome.transit_housing"] dl')).includes("Open"), "open again");
      const ors = pages.ors;
      await visit(ors, `#/refer/${j7.person}/${j7.consent}`, "refer");
      const r = await sendReferral(ors, "referral-form", { program: `${ids.rizome}|rizome.transit_housing`, reason: "studio wanted" });
      equal(r.status, "submitted", "sent");
    });

    await check("programs: a version gone stale (changed meanwhile) is said, nothing saved; Reload shows what it says now", async () => {
      const rz = pages.rizome;
      await visit(rz, "#/programs", "programs");
      // Meanwhile Rizome's system changes the description (version 3 -> 4).
      const meanwhile = await rz.evaluate(async (org) => {
        const session = await (await fetch("/v1/session")).json();
        const r = await fetch(`/v1/organisations/${org}/programs/rizome.transit_housing`, {
          method: "PATCH",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf_token, "If-Match": '"3"' },
          body: JSON.stringify({ description: "Studios de transit, 18 mois au plus" }),
        });
        return r.status;
      }, ids.rizome);
      equal(meanwhile, 200, "the change meanwhile");
      const patched = rz.waitForResponse((r) => r.request().method() === "PATCH" && r.url().includes("/programs/"));
      await fill(rz, program, { status: "closed" });
      await submit(rz, program);
      equal((await patched).status(), 412, "the version read is stale");
      await rz.waitForSelector(`#${program}-stale:not([hidden])`);
      const now = (await inPage(rz, `/v1/organisations/${ids.rizome}/programs`)).items[0];
      equal(`${now.status} ${now.version}`, "open 4", "nothing saved");
      await axeClean(rz, "journey-programs-stale");
      await rz.click(`#${program}-stale button`);
      await rz.waitForFunction(() => document.getElementById("status").textContent === "The programs are reloaded.");
      await rendered(rz, "programs");
      equal(await rz.$eval(`#${program} [name="description"]`, (t) => t.value), "Studios de transit, 18 mois au plus", "what it says now");
    });

    // ---- A person erased on request ----
    const j5 = {};
    await check("erasure: DIOGENES erases a person it recorded, on the second press; the consents are withdrawn", async () => {
      const d = pages.diogenes;
      j5.person = await recordPerson(d, "DIO-16");
      const consent = await recordConsent(d, j5.person, {
        recipients: [`org:${ids.ilot}`], purposes: ["housing_referral"], categories: ["identity", "housing_situation"],
        validUntil: "2028-12-31", reference: "SL-2026-16",
      });
      await visit(d, `#/refer/${j5.person}/${consent.id}`, "refer");
      j5.referral = (await sendReferral(d, "referral-form", {
        program: `${ids.ilot}|issue.axis1`, reason: "asks to be forgotten later", "data.identity.given_name": "Marc",
      })).id;
      await visit(d, `#/person/${j5.person}`, "person");
      await axeClean(d, "journey-erasure-person");
      const calls = [];
      const seen = (r) => r.url().endsWith(`/v1/persons/${j5.person}`) && r.method() === "DELETE" && calls.push(r.url());
      d.on("request", seen);
      await pressByKeyboard(d, "#page-person", "Erase the person");
      await d.waitForFunction(() => [...document.querySelectorAll("#page-person button")].some((b) => b.textContent === "Confirm the erasure (final)"));
      equal(calls.length, 0, "nothing erased on the first press");
      const erased = d.waitForResponse((r) => r.url().endsWith(`/v1/persons/${j5.person}`) && r.request().method() === "DELETE");
      await pressByKeyboard(d, "#page-person", "Confirm the erasure (final)");
      const resp = await erased;
      d.off("request", seen);
      equal(resp.status(), 200, "DELETE /v1/persons/{id}");
      const body = await resp.json();
      equal(body.id, j5.person, "the person erased");
      await d.waitForFunction(() => document.getElementById("status").textContent.startsWith("The person is erased ("));
      await rendered(d, "person");
      const consents = await d.$$eval("#page-person tbody tr", (trs) => trs.map((tr) => tr.textContent));
      equal(consents.length, 1, "the consent listed");
      assert(consents[0].includes("Withdrawn"), `the consent withdrawn (${consents[0]})`);
      await axeClean(d, "journey-erasure-done");
      // A new consent for him: 410, with the page's session.
      const again = await d.evaluate(async (person) => {
        const session = await (await fetch("/v1/session")).json();
        const r = await fetch("/v1/consents", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf_token },
          body: JSON.stringify({ person_id: person, recipients: [{ kind: "housing_operator" }], purposes: ["housing_referral"],
            data_categories: ["identity"], valid_until: "2028-12-31",
            evidence: { method: "signed_form", reference: "SL-2026-17", recorded_by: "Worker D" } }),
        });
        return { status: r.status, type: (await r.json()).type };
      }, j5.person);
      equal(`${again.status} ${again.type}`, "410 urn:refgw:problem:person-erased", "a consent for the erased person");
    });

    await check("erasure: L'Ilot sees the referral closed (consent withdrawn, no reason, no data) and person erased in its feed", async () => {
      const il = pages.ilot;
      const shown = await referralShown(il, j5.referral);
      assert(shown.details.includes("Consent withdrawn"), `the status (${shown.details})`);
      assert(!shown.details.includes("asks to be forgotten") && !shown.details.includes("Marc"), "no reason, no data");
      await goTo(il, "events");
      assert((await text(il, "#page-events tbody")).includes("person erased"), "person.erased in the feed");
      await axeClean(il, "journey-erasure-ilot");
    });

    for (const [who, page] of Object.entries(pages)) {
      await check(`journeys: no CSP violation in ${who}'s console`, async () => {
        await noViolations(page);
      });
    }
    await checkNoIncidents("journeys: ");
  } finally {
    await browser.close();
  }
  return 0;
}

await run(main);
