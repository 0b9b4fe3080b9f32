// lang: the language of a console page (index.html through app.js, and the
// person's journal, journal.html through journal.js): which one the page
// speaks (the visitor's choice kept in localStorage, else the browser's
// first language the console speaks, else English), its words from
// strings.js, and the dates and codes written in it.  One copy, so that the
// console and the journal cannot come to choose differently.

import * as api from "./api.js";
import { languages, strings } from "./strings.js";

const LANGUAGE_KEY = "refgw.language";

let current = "en";

// The language the page speaks now ("fr", "nl" or "en").
export function language() {
  return current;
}

export function speaks(lang) {
  return languages.includes(lang);
}

// The string of key in the page's language; {name} replaced from params.
export function t(key, params = {}) {
  const entry = strings[key];
  const text = entry ? entry[current] || entry.en : key;
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

// The language a page starts in: the one kept from a visit, else the browser's.
export function initialLanguage() {
  return storedLanguage() || preferredLanguage(navigator.languages);
}

// Kept for the next visit (either page: the console and the journal share it).
export function storeLanguage(lang) {
  try {
    window.localStorage.setItem(LANGUAGE_KEY, lang);
  } catch {
    /* not kept across visits; nothing else changes */
  }
}

// Speaks lang from now on: the API's Accept-Language, <html lang>, the
// page's title (titleKey), every [data-i18n] element and the #language
// switcher.  False (nothing changed) for a language the console does not speak.
export function applyLanguage(lang, titleKey) {
  if (!languages.includes(lang)) return false;
  current = lang;
  api.setLanguage(lang);
  document.documentElement.lang = lang;
  document.title = t(titleKey);
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  const select = document.getElementById("language");
  if (select) select.value = lang;
  return true;
}

// A date and time as the page's language writes it (the ISO text if unreadable).
export function formatTime(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso ?? "");
  return new Intl.DateTimeFormat(current, { dateStyle: "long", timeStyle: "short" }).format(when);
}

// The page's own words for a code (prefix.code in strings.js), so that
// switching the language needs no new reading; else the fallback (the
// gateway's label, in the language it was asked), else the code itself.
export function labelOf(prefix, code, fallback) {
  const key = `${prefix}.${code}`;
  if (key in strings) return t(key);
  return String(fallback ?? code ?? "");
}
