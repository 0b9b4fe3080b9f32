// problem: the problem box of a console page (#problem, #problem-title,
// #problem-detail in index.html and journal.html): the gateway's own title
// and detail of a problem+json (already in the caller's language when the
// gateway speaks it: Content-Language says which), or the page's words when
// there was no usable answer.  The box takes the focus, so that a screen
// reader reads it at once.

import * as api from "./api.js";
import { language, t } from "./lang.js";

const $ = (id) => document.getElementById(id);

export function clearProblem() {
  const box = $("problem");
  box.hidden = true;
  $("problem-title").textContent = "";
  $("problem-detail").textContent = "";
  box.removeAttribute("lang");
  for (const el of document.querySelectorAll(".problem-retry")) el.remove();
}

// err: an api.Problem, or the page's own words (a string: a field left empty).
export function showProblem(err) {
  clearProblem();
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
  if (err instanceof api.Problem && err.retryAfter && /^[0-9]+$/.test(err.retryAfter)) {
    const more = document.createElement("p");
    more.className = "problem-retry";
    more.lang = language();
    more.textContent = t("error.retryAfter", { seconds: err.retryAfter });
    $("problem-detail").after(more);
  }
  box.hidden = false;
  box.focus();
}
