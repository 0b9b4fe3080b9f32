// journal: the person's own journal, read with the receipt code of their
// consent slip (docs/console.md, "The person's journal"): no account, no
// eID.  The code goes in the body of POST /v1/journal/entries, never in the
// URL; the answer's organisations, dates and purposes are shown as text
// (textContent only), in French, Dutch or English.  No inline script or
// style: the gateway's Content-Security-Policy forbids both.

import * as api from "./api.js";
import { applyLanguage, formatTime, initialLanguage, labelOf, storeLanguage, t } from "./lang.js";
import { clearProblem, showProblem } from "./problem.js";

const $ = (id) => document.getElementById(id);

const state = { journal: null };

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
    // An organisation's reads of a day are one line (schema/069).
    cell(tr, labelOf("journal.kind", e.kind, e.kind_label) +
      (e.count > 1 ? ` (${t("journal.times", { count: e.count })})` : ""));
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
  if (!applyLanguage(lang, "journal.pageTitle")) return;
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
  applyLanguage(initialLanguage(), "journal.pageTitle");
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
