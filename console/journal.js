// journal: the person's own journal, read with the receipt code of their
// consent slip (docs/console.md, "The person's journal"): no account, no
// eID.  The code goes in the body of POST /v1/journal/entries, never in the
// URL; the answer's organisations, dates and purposes are shown as text
// (textContent only), in French, Dutch or English.  No inline script or
// style: the gateway's Content-Security-Policy forbids both.

import * as api from "./api.js";
import { languages, strings } from "./strings.js";

const LANGUAGE_KEY = "refgw.language";
const $ = (id) => document.getElementById(id);

const state = { language: "en", journal: null };

function t(key, params = {}) {
  const entry = strings[key];
  const text = entry ? entry[state.language] || entry.en : key;
  return text.replace(/\{([a-z]+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

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
    return null;
  }
}

function storeLanguage(lang) {
  try {
    window.localStorage.setItem(LANGUAGE_KEY, lang);
  } catch {
    /* not kept across visits */
  }
}

function applyLanguage(lang) {
  if (!languages.includes(lang)) return;
  state.language = lang;
  api.setLanguage(lang);
  document.documentElement.lang = lang;
  document.title = t("journal.pageTitle");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("language").value = lang;
}

function clearProblem() {
  $("problem").hidden = true;
  $("problem-title").textContent = "";
  $("problem-detail").textContent = "";
  $("problem").removeAttribute("lang");
  for (const el of document.querySelectorAll(".problem-retry")) el.remove();
}

// The gateway's own title and detail (in the language Content-Language
// names), or the page's words when no usable answer came.
function showProblem(err) {
  clearProblem();
  let title = t("error.title");
  let detail = "";
  let lang = null;
  if (err instanceof api.Problem && err.status === 0) {
    detail = t("error.network");
  } else if (err instanceof api.Problem && err.body && typeof err.body.title === "string") {
    title = err.body.title;
    detail = typeof err.body.detail === "string" ? err.body.detail : "";
    lang = err.contentLanguage || "en";
  } else if (err instanceof api.Problem) {
    detail = t("error.unexpected", { status: err.status });
  } else {
    detail = String(err);
  }
  const box = $("problem");
  $("problem-title").textContent = title;
  $("problem-detail").textContent = detail;
  if (lang && /^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$/.test(lang)) box.lang = lang;
  if (err instanceof api.Problem && err.retryAfter && /^[0-9]+$/.test(err.retryAfter)) {
    const more = document.createElement("p");
    more.className = "problem-retry";
    more.lang = state.language;
    more.textContent = t("error.retryAfter", { seconds: err.retryAfter });
    $("problem-detail").after(more);
  }
  box.hidden = false;
  box.focus();
}

function formatTime(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso ?? "");
  return new Intl.DateTimeFormat(state.language, { dateStyle: "long", timeStyle: "short" }).format(when);
}

// The page's own words for a code, so that switching the language needs no
// new reading; the gateway's label (in the language it was asked) else.
function labelOf(prefix, code, fallback) {
  const key = `${prefix}.${code}`;
  if (key in strings) return t(key);
  return String(fallback ?? code ?? "");
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.append(td);
}

function renderJournal() {
  const journal = state.journal;
  const rows = $("journal-rows");
  rows.replaceChildren();
  if (!journal) {
    $("journal-result").hidden = true;
    return;
  }
  for (const e of journal.entries) {
    const tr = document.createElement("tr");
    cell(tr, formatTime(e.at));
    cell(tr, String(e.organisation ?? ""));
    cell(tr, labelOf("journal.kind", e.kind, e.kind_label));
    cell(tr, e.purpose ? labelOf("journal.purposeOf", e.purpose, e.purpose_label) : t("journal.noPurpose"));
    rows.append(tr);
  }
  $("journal-table").hidden = journal.entries.length === 0;
  $("journal-empty").hidden = journal.entries.length !== 0;
  $("journal-truncated").hidden = !journal.truncated;
  $("journal-result").hidden = false;
}

async function read(event) {
  if (event) event.preventDefault();
  clearProblem();
  $("status").textContent = "";
  const code = $("receipt-code").value.trim();
  if (code === "") {
    showProblem(t("journal.codeMissing"));
    $("receipt-code").focus();
    return;
  }
  const button = $("journal-submit");
  button.disabled = true;
  try {
    state.journal = await api.call("POST", "/v1/journal/entries", { code });
    // The code is not kept: not in the page's address, not in storage.
    renderJournal();
    $("status").textContent = t("journal.shown", { count: state.journal.entries.length });
    $("journal-result-title").focus();
  } catch (err) {
    state.journal = null;
    renderJournal();
    showProblem(err);
  } finally {
    button.disabled = false;
  }
}

function changeLanguage() {
  const lang = $("language").value;
  applyLanguage(lang);
  storeLanguage(lang);
  renderJournal();
}

// The slip's QR code opens journal.html#<code>: the fragment never reaches
// a server (not in a request, a log or a Referer); it is taken out of the
// address at once, and the journal read with it.
function codeFromFragment() {
  const fragment = decodeURIComponent(window.location.hash.replace(/^#/, ""));
  if (fragment === "") return null;
  history.replaceState(null, "", window.location.pathname);
  return /^[0-9A-Za-z -]{20,64}$/.test(fragment) ? fragment : null;
}

function start() {
  applyLanguage(storedLanguage() || preferredLanguage(navigator.languages));
  $("language").addEventListener("change", changeLanguage);
  $("journal-form").addEventListener("submit", read);
  const code = codeFromFragment();
  $("journal-title").focus();
  if (code !== null) {
    $("receipt-code").value = code;
    read(null);
  }
}

start();
