// An organisation's admin manages its people from the console (issue 18,
// docs/console.md "Accounts"): a worker of Test Org A has no Accounts page;
// its org_admin lists the users, invites one (a wrong email shown beside
// its field; the code shown once enrols), changes a colleague's role and
// disables them (an emptied name shown beside its field), resets their
// access (the new code enrols).  Each effect checked through the API;
// axe-core and a screenshot on every state.  Started by
// tests/browser/run.sh after console.test.mjs.
import { readFileSync } from "node:fs";
import {
  addUser, api, assert, axeClean, check, CONSOLE, dialogs, env, equal, incidents, launch, noViolations, onPage, openPage,
  ready, rendered, run, tabTo, text,
} from "./lib.mjs";
import { fieldError, fill, goTo, renderMark, renderedAgain, submit } from "./roles.mjs";

const ORGS = Object.fromEntries(readFileSync(env("REFGW_TEST_ORGS"), "utf8").trim().split("\n").map((l) => l.split(" ")));
const ORG = ORGS.orga;

async function signInByKeyboard(page, user) {
  await page.goto(CONSOLE, { waitUntil: "load" });
  await ready(page);
  await tabTo(page, "email");
  await page.keyboard.type(user.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(user.password);
  await page.keyboard.press("Enter");
  await onPage(page, "second-factor");
  await tabTo(page, "code");
  await page.keyboard.type(await user.auth.next());
  await page.keyboard.press("Enter");
  await onPage(page, "me");
}

// A GET with the page's own session (what the console's user may read).
function inPage(page, path) {
  return page.evaluate(async (p) => (await fetch(p)).json(), path);
}

// The activation code of the text shown once (base64url, 43 characters).
function tokenOf(shown) {
  const m = /([A-Za-z0-9_-]{43})\s*$/.exec(shown);
  assert(m, `an activation code in "${shown}"`);
  return m[1];
}

async function main() {
  let admin = null;
  let colleague = null;

  await check("accounts: Test Org A's admin and a colleague (a worker) enrol", async () => {
    admin = await addUser(ORG, "admin@accounts.test", "Admin A", { role: "org_admin" });
    colleague = await addUser(ORG, "colleague@accounts.test", "Colleague C");
  });

  const browser = await launch();
  try {
    await check("accounts: a worker's navigation has no Accounts page, and its hash shows who am I", async () => {
      const other = await openPage(browser, ["en-GB", "en"], { expected: [401, 403] });
      await signInByKeyboard(other.page, colleague);
      const links = await other.page.$$eval("#nav a", (as) => as.map((a) => a.getAttribute("href")));
      assert(!links.includes("#/accounts") && links.includes("#/alert-settings"), `no accounts, the alert thresholds (${links})`);
      await other.page.evaluate(() => { location.hash = "#/accounts"; });
      await other.page.waitForFunction(() => document.documentElement.dataset.page === "me");
      await other.context.close();
    });

    const { page } = await openPage(browser, ["en-GB", "en"], { width: 1200, expected: [400, 401, 403, 422] });

    await check("accounts: the admin signs in by keyboard and lists the organisation's users", async () => {
      await signInByKeyboard(page, admin);
      await goTo(page, "accounts");
      const rows = await page.$$eval('[data-list="users"] tbody tr', (rs) => rs.map((r) => r.textContent));
      equal(rows.length, 2, `two users (${rows.join(" | ")})`);
      assert(rows.some((r) => r.includes("colleague@accounts.test") && r.includes("Worker") && r.includes("active")), `the colleague: ${rows}`);
      assert((await text(page, '[data-list="users"] caption')).includes("Test Org A"), "the organisation's name in the caption");
      await axeClean(page, "accounts");
    });

    await check("accounts: invites a worker; a wrong email is shown beside its field; the code shown once enrols", async () => {
      await fill(page, "invite-form", { display_name: "New Person", email: "not-an-email", role: "worker", language: "nl" });
      await submit(page, "invite-form");
      await page.waitForFunction(() => !document.getElementById("problem").hidden);
      assert((await fieldError(page, "invite-form", "email")).length > 0, "an error beside the email");
      equal(await fieldError(page, "invite-form", "display_name"), "", "nothing beside the name");
      equal((await inPage(page, `/v1/organisations/${ORG}/users`)).items.length, 2, "nobody invited");
      await fill(page, "invite-form", { display_name: "New Person", email: "new@accounts.test", role: "worker", language: "nl" });
      await submit(page, "invite-form");
      await page.waitForFunction(() => document.getElementById("status").textContent.includes("New Person"));
      await page.waitForFunction(() => [...document.querySelectorAll('[data-list="users"] tbody tr')].some((r) => r.textContent.includes("new@accounts.test")));
      const invited = (await inPage(page, `/v1/organisations/${ORG}/users`)).items.find((u) => u.email === "new@accounts.test");
      equal(JSON.stringify([invited.status, invited.role, invited.language]), JSON.stringify(["invited", "worker", "nl"]), "invited (API)");
      const enrol = await api("POST", "/v1/account/enrol", { body: { invitation_token: tokenOf(await text(page, "#invitation")), password: "a long passphrase for new" } });
      equal(enrol.status, 200, "the code shown enrols");
      await axeClean(page, "accounts-invited");
    });

    await check("accounts: the colleague made org_admin and disabled; an emptied name is shown beside its field", async () => {
      const manage = await page.$$eval('[data-list="users"] tbody button', (bs) => bs.map((b) => b.textContent));
      const i = manage.indexOf("Manage Colleague C");
      assert(i >= 0, `a button to manage the colleague (${manage})`);
      await page.evaluate((n) => document.querySelectorAll('[data-list="users"] tbody button')[n].focus(), i);
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => !document.getElementById("user-detail").hidden && document.activeElement.id === "user-detail-title");
      equal(await page.$eval('#user-form [name="role"]', (s) => s.value), "worker", "the role read");
      await fill(page, "user-form", { display_name: "" });
      await submit(page, "user-form");
      await page.waitForFunction(() => !document.getElementById("problem").hidden);
      assert((await fieldError(page, "user-form", "display_name")).length > 0, "an error beside the name");
      await fill(page, "user-form", { display_name: "Colleague C", role: "org_admin", status: "disabled" });
      await submit(page, "user-form");
      await page.waitForFunction(() => document.getElementById("status").textContent === "The account of Colleague C is saved.");
      const c = (await inPage(page, `/v1/organisations/${ORG}/users`)).items.find((u) => u.email === colleague.email);
      equal(JSON.stringify([c.display_name, c.role, c.status]), JSON.stringify(["Colleague C", "org_admin", "disabled"]), "changed (API)");
      const signIn = await api("POST", "/v1/session", { body: { email: colleague.email, password: colleague.password } });
      assert(signIn.status >= 400, `a disabled user cannot sign in (${signIn.status})`);
      await axeClean(page, "accounts-changed");
    });

    await check("accounts: the colleague's access reset by keyboard: invited again, the new code enrols", async () => {
      const manage = await page.$$eval('[data-list="users"] tbody button', (bs) => bs.map((b) => b.textContent));
      await page.evaluate((n) => document.querySelectorAll('[data-list="users"] tbody button')[n].focus(), manage.indexOf("Manage Colleague C"));
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => !document.getElementById("user-detail").hidden);
      await axeClean(page, "accounts-user");
      await tabTo(page, "user-reset");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.getElementById("status").textContent === "The access of Colleague C is reset.");
      const shown = await text(page, "#invitation");
      assert(shown.includes("Colleague C"), `the code's owner named (${shown})`);
      const c = (await inPage(page, `/v1/organisations/${ORG}/users`)).items.find((u) => u.email === colleague.email);
      equal(c.status, "invited", "invited again (API)");
      const enrol = await api("POST", "/v1/account/enrol", { body: { invitation_token: tokenOf(shown), password: "another long passphrase" } });
      equal(enrol.status, 200, "the new code enrols");
    });

    await check("accounts: in French the page stays axe-clean", async () => {
      const before = await renderMark(page);
      await page.select("#language", "fr");
      await page.waitForFunction(() => document.getElementById("status").textContent === "Votre langue est enregistrée.");
      await renderedAgain(page, "accounts", before);
      equal(await text(page, "#accounts-title"), "Comptes", "the heading");
      await rendered(page, "accounts");
      await axeClean(page, "accounts-fr");
      await noViolations(page);
    });

    await check("accounts: no console error, no CSP violation, no dialog in the whole run", async () => {
      assert(incidents.length === 0, incidents.join("; "));
      equal(dialogs.length, 0, `dialogs (${dialogs.join("; ")})`);
    });
  } finally {
    await browser.close();
  }
  return 0;
}

await run(main);
