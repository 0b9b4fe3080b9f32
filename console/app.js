// app: the console's first pages (docs/console.md): sign-in, the second
// factor, who am I, sign-out, and the language switcher.  Every value the
// page shows goes through textContent (never innerHTML): a name sent by
// anyone is text, never markup.  No inline script or style: the gateway's
// Content-Security-Policy forbids both.

import * as api from "./api.js";
import { languages, strings } from "./strings.js";
import * as ui from "./ui.js";
// Each role's pages (ui.definePage at import): docs/console.md, "Adding a page".
import "./worker.js";
import "./housing.js";
import "./coordinator.js";
import "./occupancy.js";
import "./accounts.js";

const LANGUAGE_KEY = "refgw.language";
const PAGES = ["loading", "sign-in", "second-factor", "me"];

const state = {
  language: "en",
  session: null, // the Session object of GET /v1/session
  pending: false, // signed in by password, second factor to do
  page: "loading",
  args: [], // the hash's segments after the page's name (#/referral/<id>)
};

const $ = (id) => document.getElementById(id);

// The string of key in the page's language; {name} replaced from params.
export function t(key, params = {}) {
  const entry = strings[key];
  const text = entry ? entry[state.language] || entry.en : key;
  return text.replace(/\{([a-z]+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

// The first of the browser's languages the console speaks (fr-BE is fr).
function preferredLanguage(list) {
  for (const tag of list || []) {
    const primary = String(tag).toLowerCase().split("-")[0];
    if (languages.includes(primary)) return primary;
  }
  return "en";
}

function storedLanguage() {
  try {
    const lang = window.localStorage.getItem(LANGUAGE_KEY);
    return languages.includes(lang) ? lang : null;
  } catch {
    return null; // storage refused: the browser's languages decide
  }
}

function storeLanguage(lang) {
  try {
    window.localStorage.setItem(LANGUAGE_KEY, lang);
  } catch {
    /* not kept across visits; nothing else changes */
  }
}

function applyLanguage(lang) {
  if (!languages.includes(lang)) return;
  state.language = lang;
  api.setLanguage(lang);
  document.documentElement.lang = lang;
  document.title = t("app.title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("language").value = lang;
  if (state.session) renderMe();
  if (state.session) ui.rerender();
}

function setStatus(text) {
  $("status").textContent = text;
}

function clearProblem() {
  const box = $("problem");
  box.hidden = true;
  $("problem-title").textContent = "";
  $("problem-detail").textContent = "";
  box.removeAttribute("lang");
}

// Shows a problem: the gateway's own title and detail (already in the
// caller's language when the gateway speaks it: Content-Language says
// which), or the console's words when there was no usable answer.
function showProblem(err) {
  clearRetry();
  let title = t("error.title");
  let detail = "";
  let lang = null;
  if (err instanceof api.Problem && err.status === 0) {
    detail = t("error.network");
  } else if (err instanceof api.Problem && err.body && typeof err.body.title === "string") {
    title = err.body.title;
    detail = typeof err.body.detail === "string" ? err.body.detail : "";
    // The gateway's own words are English unless Content-Language says
    // otherwise: a screen reader then reads them with the right voice.
    lang = err.contentLanguage || "en";
  } else if (err instanceof api.Problem) {
    detail = t("error.unexpected", { status: err.status });
  } else {
    detail = typeof err === "string" ? err : t("error.unexpected", { status: "-" });
  }
  const box = $("problem");
  $("problem-title").textContent = title;
  $("problem-detail").textContent = detail;
  if (lang && /^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$/.test(lang)) box.lang = lang;
  else box.removeAttribute("lang");
  if (err instanceof api.Problem && err.retryAfter && /^[0-9]+$/.test(err.retryAfter)) {
    const more = document.createElement("p");
    more.textContent = t("error.retryAfter", { seconds: err.retryAfter });
    more.lang = state.language;
    $("problem-detail").after(more);
    more.className = "problem-retry";
  }
  box.hidden = false;
  box.focus();
}

function clearRetry() {
  for (const el of document.querySelectorAll(".problem-retry")) el.remove();
}

// A problem of the console's own (a field left empty): same place, same focus.
function showLocalProblem(text) {
  clearProblem();
  showProblem(text);
}

function formatTime(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso ?? "");
  return new Intl.DateTimeFormat(state.language, { dateStyle: "long", timeStyle: "short" }).format(when);
}

function labelOf(prefix, code) {
  const key = `${prefix}.${code}`;
  return key in strings ? t(key) : String(code ?? "");
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
  if (session.user && languages.includes(session.user.language)) {
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
  clearRetry();
  setStatus("");
  const email = $("email").value.trim();
  const password = $("password").value;
  if (email === "" || password === "") {
    showLocalProblem(t("signIn.missing"));
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
  clearRetry();
  const code = $("code").value.replace(/\s+/g, "");
  if (!/^[0-9]{6}$/.test(code)) {
    showLocalProblem(t("secondFactor.invalidCode"));
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
  clearRetry();
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
  if (!languages.includes(lang)) return;
  clearProblem();
  clearRetry();
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
    language: () => state.language,
    showProblem,
    clearProblem: () => {
      clearProblem();
      clearRetry();
    },
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
    clearRetry();
    route();
  });
  applyLanguage(storedLanguage() || preferredLanguage(navigator.languages));
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
