// app: the console's first pages (docs/console.md): sign-in, the second
// factor, who am I, sign-out, and the language switcher.  Every value the
// page shows goes through textContent (never innerHTML): a name sent by
// anyone is text, never markup.  No inline script or style: the gateway's
// Content-Security-Policy forbids both.

import * as api from "./api.js";
import { languages, strings } from "./strings.js";
import * as coordinator from "./coordinator.js";
import * as housing from "./housing.js";
import * as pagekit from "./pagekit.js";

const LANGUAGE_KEY = "refgw.language";
const PAGES = ["loading", "sign-in", "second-factor", "me"];
// Each role's pages (housing.js, coordinator.js): {name, title, allowed(session), render(node)}.
const ROLE_PAGES = [...housing.pages, ...coordinator.pages];
for (const p of ROLE_PAGES) PAGES.push(p.name);

const state = {
  language: "en",
  session: null, // the Session object of GET /v1/session
  pending: false, // signed in by password, second factor to do
  page: "loading",
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
  const changed = lang !== state.language;
  state.language = lang;
  api.setLanguage(lang);
  document.documentElement.lang = lang;
  document.title = t("app.title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("language").value = lang;
  if (state.session) renderMe();
  if (changed && state.session && ROLE_PAGES.some((p) => p.name === state.page)) show(state.page, { focus: false });
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
  state.session = session;
  state.pending = false;
  api.setCsrfToken(session.csrf_token);
  // The user's saved preference wins over the browser's and the page's.
  if (session.user && languages.includes(session.user.language)) {
    storeLanguage(session.user.language);
    applyLanguage(session.user.language);
  }
  renderMe();
}

// The links to the pages this session may see, in the header.
function renderRoleNav() {
  const nav = $("role-nav");
  const links = state.session ? ROLE_PAGES.filter((p) => p.allowed(state.session)) : [];
  nav.replaceChildren();
  nav.setAttribute("aria-label", t("nav.label"));
  nav.hidden = links.length === 0;
  if (links.length === 0) return;
  const ul = document.createElement("ul");
  for (const p of [{ name: "me", title: "me.title" }, ...links]) {
    const a = document.createElement("a");
    a.href = `#/${p.name}`;
    a.textContent = t(p.title);
    if (p.name === state.page) a.setAttribute("aria-current", "page");
    const li = document.createElement("li");
    li.append(a);
    ul.append(li);
  }
  nav.append(ul);
}

// The sections of the role pages, made once at start (index.html keeps
// only the frame): an h1 that takes the focus, a body rendered on arrival.
function makeRoleSections() {
  const nav = document.createElement("nav");
  nav.id = "role-nav";
  nav.className = "role-nav";
  nav.hidden = true;
  document.querySelector("header.bar").after(nav);
  for (const p of ROLE_PAGES) {
    const section = document.createElement("section");
    section.id = `page-${p.name}`;
    section.className = "page wide";
    section.hidden = true;
    section.setAttribute("aria-labelledby", `${p.name}-title`);
    const h1 = document.createElement("h1");
    h1.id = `${p.name}-title`;
    h1.tabIndex = -1;
    h1.dataset.i18n = p.title;
    h1.textContent = t(p.title);
    const body = document.createElement("div");
    body.className = "page-body";
    section.append(h1, body);
    $("main").append(section);
  }
}

// data-loaded names the page once it shows what it read (the tests wait
// for it); a render overtaken by another (a new language) goes on in a
// body no longer in the page, and says nothing.
let renders = 0;
async function renderRolePage(name) {
  const p = ROLE_PAGES.find((x) => x.name === name);
  const section = document.querySelector(`#page-${name}`);
  const body = document.createElement("div");
  body.className = "page-body";
  const mine = ++renders;
  section.querySelector(".page-body").replaceWith(body);
  document.documentElement.dataset.loaded = "";
  section.setAttribute("aria-busy", "true");
  try {
    await p.render(body);
  } catch (err) {
    if (mine !== renders) return;
    if (err instanceof api.Problem && err.status === 401) sessionLost(err);
    else showProblem(err);
  }
  if (mine !== renders) return;
  section.setAttribute("aria-busy", "false");
  document.documentElement.dataset.loaded = name;
}

function endSession() {
  state.session = null;
  state.pending = false;
  api.setCsrfToken(null);
  clearMe();
}

// The page a state may show: signed in, who am I; between password and
// code, the second factor (or back to sign-in); else sign-in.
function allowedPage(wanted) {
  if (state.session) {
    const p = ROLE_PAGES.find((x) => x.name === wanted);
    return p && p.allowed(state.session) ? wanted : "me";
  }
  if (state.pending && (wanted === "second-factor" || wanted === "sign-in"))
    return wanted;
  return "sign-in";
}

function show(page, { focus = true } = {}) {
  state.page = page;
  for (const name of PAGES) $(`page-${name}`).hidden = name !== page;
  document.documentElement.dataset.page = page;
  if (location.hash !== `#/${page}`) history.replaceState(null, "", `#/${page}`);
  document.documentElement.classList.toggle("wide", ROLE_PAGES.some((p) => p.name === page));
  renderRoleNav();
  if (ROLE_PAGES.some((p) => p.name === page)) renderRolePage(page);
  if (focus && $("problem").hidden) {
    const heading = document.querySelector(`#page-${page} h1`);
    if (heading) heading.focus();
  }
}

function go(page, options) {
  show(allowedPage(page), options);
}

function route() {
  go(location.hash.replace(/^#\//, ""));
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
      await housing.prepare(state.session);
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
    await housing.prepare(state.session);
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
  $("sign-in-form").addEventListener("submit", onSignIn);
  $("second-factor-form").addEventListener("submit", onSecondFactor);
  $("logout").addEventListener("click", onLogout);
  $("language").addEventListener("change", onLanguage);
  pagekit.init({
    t,
    showProblem,
    clearProblem,
    sessionLost,
    setStatus,
    labelOf,
    language: () => state.language,
  });
  makeRoleSections();
  window.addEventListener("hashchange", () => {
    clearProblem();
    clearRetry();
    route();
  });
  applyLanguage(storedLanguage() || preferredLanguage(navigator.languages));
  try {
    setSession(await api.call("GET", "/v1/session"));
    await housing.prepare(state.session);
  } catch (err) {
    // 401: nobody signed in, the ordinary start.
    if (!(err instanceof api.Problem && err.status === 401)) {
      go("sign-in", { focus: false });
      showProblem(err);
      document.documentElement.dataset.ready = "true";
      return;
    }
  }
  go(location.hash.replace(/^#\//, ""), { focus: false });
  document.documentElement.dataset.ready = "true";
}

start();
