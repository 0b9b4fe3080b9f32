// app: the console's first pages (docs/console.md): sign-in, the second
// factor, who am I, sign-out, and the language switcher.  Every value the
// page shows goes through textContent (never innerHTML): a name sent by
// anyone is text, never markup.  No inline script or style: the gateway's
// Content-Security-Policy forbids both.

import * as api from "./api.js";
import {
  applyLanguage as applyPageLanguage,
  formatTime,
  initialLanguage,
  labelOf,
  language,
  speaks,
  storeLanguage,
  t,
} from "./lang.js";
import { clearProblem, showProblem } from "./problem.js";
import * as ui from "./ui.js";
// Each role's pages (ui.definePage at import): docs/console.md, "Adding a page".
import "./worker.js";
import "./housing.js";
import "./coordinator.js";
import "./occupancy.js";
import "./accounts.js";
import "./programs.js";

const PAGES = ["loading", "sign-in", "second-factor", "me"];

const state = {
  session: null, // the Session object of GET /v1/session
  pending: false, // signed in by password, second factor to do
  page: "loading",
  args: [], // the hash's segments after the page's name (#/referral/<id>)
};

const $ = (id) => document.getElementById(id);

// The page's words in lang (lang.js), and what only the console shows in
// them: who am I and the open role page.
function applyLanguage(lang) {
  if (!applyPageLanguage(lang, "app.title")) return;
  if (state.session) renderMe();
  if (state.session) ui.rerender();
}

function setStatus(text) {
  $("status").textContent = text;
}

function renderMe() {
  const s = state.session;
  const user = s.user || {};
  const org = s.organisation || {};
  $("me-name").textContent = String(user.display_name ?? "");
  $("me-email").textContent = String(user.email ?? "");
  $("me-role").textContent = labelOf("role", user.role);
  $("me-organisation-name").textContent = String(org.name ?? "");
  $("me-organisation-kind").textContent = labelOf("kind", org.kind);
  for (const [id, iso] of [["me-expires-at", s.expires_at], ["me-idle-expires-at", s.idle_expires_at]]) {
    const el = $(id);
    el.textContent = formatTime(iso);
    el.dateTime = String(iso ?? "");
  }
}

function clearMe() {
  for (const id of ["me-name", "me-email", "me-role", "me-organisation-name",
    "me-organisation-kind", "me-expires-at", "me-idle-expires-at"]) $(id).textContent = "";
}

function setSession(session) {
  const fresh = state.session === null;
  state.session = session;
  state.pending = false;
  api.setCsrfToken(session.csrf_token);
  // The user's saved preference wins over the browser's and the page's.
  if (session.user && speaks(session.user.language)) {
    storeLanguage(session.user.language);
    applyLanguage(session.user.language);
  }
  renderMe();
  if (fresh) ui.startEvents();
}

function endSession() {
  ui.stopEvents();
  ui.leave(null); // what a page showed once (a receipt code) goes with the session
  ui.renderNav(null);
  state.session = null;
  state.pending = false;
  api.setCsrfToken(null);
  clearMe();
}

// The page a state may show: signed in, who am I; between password and
// code, the second factor (or back to sign-in); else sign-in.
function allowedPage(wanted) {
  if (state.session) return ui.allowed(wanted, state.session) ? wanted : "me";
  if (state.pending && (wanted === "second-factor" || wanted === "sign-in"))
    return wanted;
  return "sign-in";
}

function show(page, { focus = true, args = [] } = {}) {
  state.page = page;
  ui.leave(page); // a page left forgets what it showed once (a receipt code)
  state.args = ui.isPage(page) ? args : [];
  for (const name of [...PAGES, ...ui.pageNames()]) $(`page-${name}`).hidden = name !== page;
  document.documentElement.dataset.page = page;
  const hash = `#/${[page, ...state.args].map(encodeURIComponent).join("/")}`;
  if (location.hash !== hash) history.replaceState(null, "", hash);
  ui.renderNav(state.session, page);
  if (ui.isPage(page)) ui.renderPage(page, state.args);
  if (focus && $("problem").hidden) {
    const heading = document.querySelector(`#page-${page} h1`);
    if (heading) heading.focus();
  }
}

function go(page, options) {
  show(allowedPage(page), options);
}

// #/name/arg/...: the page's name, then its arguments (decoded).
function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter((x) => x !== "");
  let decoded;
  try {
    decoded = parts.map(decodeURIComponent);
  } catch {
    decoded = [];
  }
  return { name: decoded[0] || "", args: decoded.slice(1) };
}

function route() {
  const { name, args } = parseHash();
  go(name, { args });
}

function busy(form, on) {
  for (const el of form.querySelectorAll("button, input")) el.disabled = on;
  form.setAttribute("aria-busy", on ? "true" : "false");
}

// An authenticated call answered 401: the session is over (idle, ended
// elsewhere, the user disabled): back to sign-in, saying so.
function sessionLost(err) {
  endSession();
  go("sign-in", { focus: false });
  showProblem(err.body ? err : t("error.sessionEnded"));
}

async function onSignIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearProblem();
  setStatus("");
  const email = $("email").value.trim();
  const password = $("password").value;
  if (email === "" || password === "") {
    showProblem(t("signIn.missing"));
    return;
  }
  busy(form, true);
  try {
    const answer = await api.call("POST", "/v1/session", { email, password });
    $("password").value = "";
    if (answer && answer.user) {
      setSession(answer);
      go("me");
    } else {
      state.pending = true;
      $("code").value = "";
      go("second-factor");
    }
  } catch (err) {
    $("password").value = "";
    showProblem(err);
  } finally {
    busy(form, false);
  }
  if (!$("problem").hidden) $("problem").focus();
}

async function onSecondFactor(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearProblem();
  const code = $("code").value.replace(/\s+/g, "");
  if (!/^[0-9]{6}$/.test(code)) {
    showProblem(t("secondFactor.invalidCode"));
    return;
  }
  busy(form, true);
  try {
    setSession(await api.call("POST", "/v1/session/second-factor", { code }));
    $("code").value = "";
    go("me");
  } catch (err) {
    $("code").value = "";
    if (err instanceof api.Problem && err.status === 401 && err.is("unauthenticated")) {
      // The pending sign-in expired or was ended: start again.
      state.pending = false;
      go("sign-in", { focus: false });
    }
    showProblem(err);
  } finally {
    busy(form, false);
  }
  if (!$("problem").hidden) $("problem").focus();
}

async function onLogout(event) {
  const button = event.currentTarget;
  clearProblem();
  button.disabled = true;
  try {
    await api.call("DELETE", "/v1/session");
  } catch (err) {
    if (!(err instanceof api.Problem && err.status === 401)) {
      showProblem(err);
      return;
    }
  } finally {
    button.disabled = false;
  }
  endSession();
  go("sign-in");
  setStatus(t("signIn.signedOut"));
}

async function onLanguage(event) {
  const lang = event.currentTarget.value;
  if (!speaks(lang)) return;
  clearProblem();
  setStatus("");
  applyLanguage(lang);
  storeLanguage(lang);
  if (!state.session) return;
  try {
    const session = await api.call("PATCH", "/v1/account", { language: lang });
    if (session && session.user) setSession(session);
    setStatus(t("language.saved"));
  } catch (err) {
    if (err instanceof api.Problem && err.status === 401) sessionLost(err);
    else showProblem(err);
  }
}

async function start() {
  ui.init({
    t,
    language,
    showProblem,
    clearProblem,
    setStatus,
    sessionLost,
    session: () => state.session,
    go: route,
  });
  $("sign-in-form").addEventListener("submit", onSignIn);
  $("second-factor-form").addEventListener("submit", onSecondFactor);
  $("logout").addEventListener("click", onLogout);
  $("language").addEventListener("change", onLanguage);
  window.addEventListener("hashchange", () => {
    clearProblem();
    route();
  });
  applyLanguage(initialLanguage());
  try {
    setSession(await api.call("GET", "/v1/session"));
  } catch (err) {
    // 401: nobody signed in, the ordinary start.
    if (!(err instanceof api.Problem && err.status === 401)) {
      go("sign-in", { focus: false });
      showProblem(err);
      document.documentElement.dataset.ready = "true";
      return;
    }
  }
  const first = parseHash();
  go(first.name, { focus: false, args: first.args });
  document.documentElement.dataset.ready = "true";
}

start();
