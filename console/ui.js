// ui: the building blocks every role's pages share (docs/console.md,
// "Adding a page"): the page registry and the navigation (hash routing,
// #/name/arg...), elements made with text only (never innerHTML), the
// list of a /v1 route with cursors, the CSV export, the form that shows
// the API's field errors beside their fields, and the event feed's
// long-poll.  app.js wires it (init) and shows the pages; a role's module
// (worker.js, housing.js, coordinator.js) calls definePage at import.

import * as api from "./api.js";

// ---- wiring (app.js calls init once) ----

const hooks = {
  t: (key) => key,
  language: () => "en",
  showProblem: () => {},
  clearProblem: () => {},
  setStatus: () => {},
  sessionLost: () => {},
  session: () => null,
  go: () => {},
};

export function init(given) {
  Object.assign(hooks, given);
}

// The string of key in the page's language (console/strings.js).
export function t(key, params) {
  return hooks.t(key, params);
}

export function session() {
  return hooks.session();
}

export function setStatus(text) {
  hooks.setStatus(text);
}

export function clearProblem() {
  hooks.clearProblem();
}

// A failed call: a 401 ends the session (back to sign-in), anything else
// is shown in the alert box from the problem's own title and detail.
export function problem(err) {
  if (err instanceof api.Problem && err.status === 401) hooks.sessionLost(err);
  else hooks.showProblem(err);
}

// Goes to a page (again, when it is the current one); status: what the
// status line says there (a message does not outlive its page).
let pendingStatus = "";

export function go(hash, status = "") {
  pendingStatus = status;
  if (location.hash === hash) hooks.go();
  else location.hash = hash;
}

// ---- elements, text only ----

// el("p", {class: "x", text: "..."}, child, "text", ...): every string
// becomes a text node or an attribute value, never markup.
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") node.textContent = String(v);
    else if (k === "class") node.className = v;
    else if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k === "value" || k === "checked" || k === "selected" || k === "disabled") node[k] = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

// The label of an API code (a status, a kind): its key when the catalogue
// has one, else the code as it is.
export function label(prefix, code) {
  const key = `${prefix}.${code}`;
  const text = t(key);
  return text === key ? String(code ?? "") : text;
}

export function formatTime(iso) {
  if (!iso) return "";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  return new Intl.DateTimeFormat(hooks.language(), { dateStyle: "medium", timeStyle: "short" }).format(when);
}

export function formatDate(iso) {
  if (!iso) return "";
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(String(iso));
  if (!m) return String(iso);
  const when = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(hooks.language(), { dateStyle: "medium", timeZone: "UTC" }).format(when);
}

// A short form of a uuid for tables (the whole one in its title).
export function shortId(id) {
  return el("span", { class: "id", title: String(id ?? "") }, String(id ?? "").slice(0, 8));
}

export function link(hash, text) {
  return el("a", { href: hash }, text);
}

// A definition list from [label key, value (string or node)] pairs.
export function details(pairs) {
  return el("dl", {}, pairs.filter((p) => p).map(([k, v]) => [el("dt", { text: t(k) }), el("dd", {}, v ?? "")]));
}

export function button(text, onClick, { kind = "", type = "button" } = {}) {
  return el("button", { type, class: kind || null, on: onClick ? { click: onClick } : null }, text);
}

export function query(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {}))
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

// ---- pages and navigation ----

// Who a page is for: the user's organisation kind decides the group
// (docs/access-rules.md, "People"); a page may narrow it with allowed().
export const GROUPS = {
  worker: ["justice_aid", "street_work", "homeless_service", "cpas", "home_guidance"],
  housing: ["housing_operator"],
  coordinator: ["coordinator"],
};

export function groupOf(s) {
  const kind = s && s.organisation ? s.organisation.kind : "";
  for (const [group, kinds] of Object.entries(GROUPS)) if (kinds.includes(kind)) return group;
  return "worker";
}

const registry = new Map();

// definePage({name, title, groups, nav, order, allowed(session), render(body, args)}):
//   name     the hash's first segment (#/name/arg...), [a-z0-9-]
//   title    the strings key of its h1 and navigation link
//   groups   ["worker"], ["housing"], ["coordinator"] (several allowed)
//   nav      false: reached by links only (a referral, a slip)
//   render   async (body, args): fills body (a div) with el(); args are the
//            hash's other segments, decoded
//   leave    (): called when another page is shown or the session ends:
//            forgets what the page shows once (the slip's receipt code)
export function definePage(def) {
  if (!/^[a-z0-9-]+$/.test(def.name)) throw new Error(`page name ${def.name}`);
  const section = el("section", { id: `page-${def.name}`, class: "page", hidden: true,
    "aria-labelledby": `${def.name}-title` },
  el("h1", { id: `${def.name}-title`, tabindex: "-1" }),
  el("div", { class: "page-body" }));
  document.getElementById("main").append(section);
  registry.set(def.name, { nav: true, order: 50, groups: ["worker"], ...def });
}

// Another page (or none: signed out) is shown: each other page forgets
// what it showed once, from its module and from its (now hidden) body.
export function leave(page) {
  for (const def of registry.values()) if (def.name !== page && def.leave) def.leave();
}

export function isPage(name) {
  return registry.has(name);
}

export function pageNames() {
  return [...registry.keys()];
}

export function allowed(name, s) {
  const def = registry.get(name);
  if (!def || !s) return false;
  if (!def.groups.includes(groupOf(s))) return false;
  return def.allowed ? Boolean(def.allowed(s)) : true;
}

// The pages of the navigation for this session, in order.
export function navPages(s) {
  return [...registry.values()].filter((d) => d.nav && allowed(d.name, s))
    .sort((a, b) => a.order - b.order);
}

// The first page a signed-in user sees.
export function home(s) {
  const first = navPages(s)[0];
  return first ? first.name : "me";
}

let current = { name: "", args: [] };
let renderCount = 0;

// Shows a registered page: its title, then its body rendered afresh.
export async function renderPage(name, args) {
  const def = registry.get(name);
  current = { name, args };
  setStatus(pendingStatus);
  pendingStatus = "";
  const section = document.getElementById(`page-${name}`);
  section.querySelector("h1").textContent = t(def.title);
  const body = section.querySelector(".page-body");
  const mine = ++renderCount;
  const fresh = el("div", { class: "page-body" });
  body.replaceWith(fresh);
  section.setAttribute("aria-busy", "true");
  try {
    await def.render(fresh, args);
  } catch (err) {
    if (mine === renderCount) problem(err);
  } finally {
    section.removeAttribute("aria-busy");
    if (mine === renderCount) document.documentElement.dataset.rendered = `${name}:${mine}`;
  }
}

// Again, in the language just chosen.
export function rerender() {
  if (current.name && !document.getElementById(`page-${current.name}`).hidden)
    renderPage(current.name, current.args);
  renderNav(hooks.session(), current.name || "me");
}

export function renderNav(s, page) {
  const nav = document.getElementById("nav");
  if (!nav) return;
  if (!s) {
    nav.hidden = true;
    nav.replaceChildren();
    return;
  }
  const items = navPages(s).map((d) => ({ name: d.name, text: t(d.title) }));
  items.push({ name: "me", text: t("me.title") });
  nav.setAttribute("aria-label", t("nav.label"));
  nav.replaceChildren(el("ul", {}, items.map((i) => el("li", {},
    el("a", { href: `#/${i.name}`, "aria-current": i.name === page ? "page" : null },
      i.text, i.name === "events" && unseen > 0 ? el("span", { class: "badge" }, ` (${unseen})`) : null)))));
  nav.hidden = false;
}

// ---- lists ----

// A table in a box of its own that scrolls sideways on a narrow screen: a
// named region the keyboard can reach (Tab, then the arrows), WCAG 2.1.1.
export function tableBox(table, name) {
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": name || null }, table);
}

// A table of a /v1 list route ({items, next_cursor}), a page at a time:
//   list({path, params, columns: [{title, value(item) -> string|Node}],
//         empty: key, caption: key, csv: "file-name", actions(item) -> Node})
// The empty state says what to do next (empty: a key whose text says it);
// "More" fetches the next page with the answer's next_cursor; "Export CSV"
// walks every page (csvExport).  Returns the element; it loads at once.
export function list(opts) {
  const { path, params = {}, columns, empty, caption, csv, limit = 50, cursorParam = "cursor" } = opts;
  const progress = el("p", { class: "progress", role: "status", "aria-live": "polite" });
  const head = el("tr", {}, columns.map((c) => el("th", { scope: "col", text: t(c.title) })));
  const tbody = el("tbody");
  const table = el("table", {}, caption ? el("caption", { text: t(caption) }) : null, el("thead", {}, head), tbody);
  const wrap = tableBox(table, caption ? t(caption) : "");
  const emptyBox = el("p", { class: "empty", hidden: true, text: t(empty || "list.empty") });
  const more = el("button", { type: "button", class: "secondary more", hidden: true }, t("list.more"));
  const root = el("div", { class: "list", "aria-busy": "true" });
  const tools = el("div", { class: "tools" });
  if (csv) tools.append(csvButton({ path, params, filename: csv, progress, cursorParam }));
  root.append(tools, progress, wrap, emptyBox, more);
  let cursor = null;
  let count = 0;

  async function load() {
    root.setAttribute("aria-busy", "true");
    more.disabled = true;
    progress.textContent = t("list.loading");
    try {
      const answer = await api.call("GET", query(path, { ...params, limit, [cursorParam]: cursor }));
      const items = answer && Array.isArray(answer.items) ? answer.items : [];
      for (const item of items) {
        tbody.append(el("tr", {}, columns.map((c, i) => el(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : {}, c.value(item)))));
      }
      count += items.length;
      cursor = answer ? answer.next_cursor : null;
      // A feed (after=) always has a cursor: its end is a short page.
      more.hidden = !cursor || (cursorParam !== "cursor" && items.length < limit);
      emptyBox.hidden = count > 0;
      wrap.hidden = count === 0;
      progress.textContent = count > 0 ? t("list.count", { count }) : "";
      if (opts.loaded) opts.loaded(items, count);
    } catch (err) {
      progress.textContent = "";
      problem(err);
    } finally {
      more.disabled = false;
      root.setAttribute("aria-busy", "false");
    }
  }
  more.addEventListener("click", async () => {
    const before = tbody.rows.length;
    await load();
    // The focus goes to the first new row's first cell, not back to the top.
    const first = tbody.rows[before];
    if (first) {
      first.cells[0].tabIndex = -1;
      first.cells[0].focus();
    }
  });
  root.ready = load();
  return root;
}

// ---- CSV (RFC 4180, UTF-8 with BOM, safe in spreadsheets) ----

// One cell: null is empty, an object or array its JSON; a text that a
// spreadsheet would read as a formula (= + - @ tab CR first) is prefixed
// with '; quoted when it holds a quote, comma, CR or LF.
export function csvCell(value) {
  let s;
  if (value === null || value === undefined) s = "";
  else if (typeof value === "object") s = JSON.stringify(value);
  else s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

// The items as the API gave them: one column per field (in the order the
// fields first appear), one row per item, CRLF line ends, a BOM first.
export function toCsv(items) {
  const keys = [];
  for (const item of items) for (const k of Object.keys(item)) if (!keys.includes(k)) keys.push(k);
  const lines = [keys.map(csvCell).join(",")];
  for (const item of items) lines.push(keys.map((k) => csvCell(item[k])).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

// Every item of a list route, walking its cursors; progress(count) after
// each page.  items(answer) picks the rows of a route of another shape.
export async function fetchAll(path, params, { progress, items = (a) => a.items, cursorParam = "cursor" } = {}) {
  const all = [];
  let cursor = null;
  for (let pages = 0; pages < 10000; pages++) {
    const answer = await api.call("GET", query(path, { ...params, limit: 200, [cursorParam]: cursor }));
    const got = items(answer) || [];
    all.push(...got);
    if (progress) progress(all.length);
    cursor = answer && answer.next_cursor;
    if (!cursor || got.length === 0 || (cursorParam !== "cursor" && got.length < 200)) break;
  }
  return all;
}

// The download of a text as a file (a Blob's URL on a link; the CSP
// governs fetches, not downloads).
export function download(filename, text, type = "text/csv;charset=utf-8") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function stamp() {
  return new Date().toISOString().slice(0, 10);
}

// The "Export CSV" button of a list: all pages, with a count as it goes.
export function csvButton({ path, params = {}, filename, progress, items, cursorParam }) {
  const out = progress || el("p", { class: "progress", role: "status", "aria-live": "polite" });
  const b = el("button", { type: "button", class: "secondary csv" }, t("csv.export"));
  b.addEventListener("click", async () => {
    b.disabled = true;
    clearProblem();
    out.textContent = t("csv.progress", { count: 0 });
    try {
      const rows = await fetchAll(path, params, {
        items,
        cursorParam,
        progress: (count) => { out.textContent = t("csv.progress", { count }); },
      });
      download(`${filename}-${stamp()}.csv`, toCsv(rows));
      out.textContent = t("csv.done", { count: rows.length });
    } catch (err) {
      out.textContent = "";
      problem(err);
    } finally {
      b.disabled = false;
    }
  });
  return progress ? b : el("span", {}, b, out);
}

// ---- forms ----

let formSeq = 0;

// form({fields, submit: key, onSubmit: async (values, formEl)}): a form
// that submits to the API and shows its problem's errors[{field,message}]
// beside the field each names (aria-invalid, aria-describedby), the
// problem's title and detail in the alert box.  A field:
//   {name: "evidence.reference" (the API's field), label: key, type:
//    text|number|date|email|textarea|select|checkboxes|radios|hidden,
//    options: [[value, text]], required, hint: key, value, list: true
//    (a comma-separated text sent as an array)}
// values: nested by the names' dots, empty ones left out, numbers as
// numbers, checkboxes as arrays.
export function form({ fields, submit, onSubmit, id, aliases = {} }) {
  const formId = id || `form-${++formSeq}`;
  const f = el("form", { id: formId, novalidate: true, class: "api-form" });
  const inputs = new Map();
  for (const field of fields) {
    const fid = `${formId}-${field.name.replace(/[^a-z0-9_]+/gi, "-")}`;
    const wrap = el("div", { class: "field", dataset: { field: field.name } });
    const hint = field.hint ? el("p", { class: "hint", id: `${fid}-hint`, text: t(field.hint) }) : null;
    const described = hint ? `${fid}-hint` : null;
    let control;
    if (field.type === "hidden") {
      control = el("input", { type: "hidden", name: field.name, value: field.value ?? "" });
      f.append(control);
      inputs.set(field.name, { field, control });
      continue;
    }
    if (field.type === "checkboxes" || field.type === "radios") {
      const set = el("fieldset", { id: fid, "aria-describedby": described });
      set.append(el("legend", { text: t(field.label) }));
      if (hint) set.append(hint);
      field.options.forEach(([value, text], i) => {
        const oid = `${fid}-${i}`;
        const checked = Array.isArray(field.value) ? field.value.includes(value) : field.value === value;
        set.append(el("div", { class: "choice" },
          el("input", { type: field.type === "radios" ? "radio" : "checkbox", id: oid, name: field.name, value, checked }),
          el("label", { for: oid, text })));
      });
      wrap.append(set);
      control = set;
    } else {
      wrap.append(el("label", { for: fid, text: t(field.label) + (field.required ? ` ${t("form.required")}` : "") }));
      if (hint) wrap.append(hint);
      if (field.type === "select") {
        control = el("select", { id: fid, name: field.name, "aria-describedby": described },
          (field.options || []).map(([value, text]) => el("option", { value, selected: value === field.value }, text)));
      } else if (field.type === "textarea") {
        control = el("textarea", { id: fid, name: field.name, rows: 3, "aria-describedby": described, maxlength: field.max });
        control.value = field.value ?? "";
      } else {
        control = el("input", { id: fid, name: field.name, type: field.type || "text", "aria-describedby": described,
          inputmode: field.type === "number" ? "numeric" : null, autocomplete: field.autocomplete || "off",
          value: field.value ?? "" });
      }
      wrap.append(control);
    }
    f.append(wrap);
    inputs.set(field.name, { field, control, wrap, hintId: described });
  }
  const submitButton = el("button", { type: "submit" }, t(submit || "form.submit"));
  f.append(el("div", { class: "actions" }, submitButton));

  function read() {
    const out = {};
    for (const [name, { field, control }] of inputs) {
      let v;
      if (field.type === "checkboxes")
        v = [...control.querySelectorAll("input:checked")].map((i) => i.value);
      else if (field.type === "radios") {
        const c = control.querySelector("input:checked");
        v = c ? c.value : "";
      } else v = control.value;
      if (field.type === "number") v = v.trim() === "" ? "" : Number(v);
      else if (field.list) v = v.split(",").map((x) => x.trim()).filter((x) => x !== "");
      else if (typeof v === "string" && field.type !== "textarea") v = v.trim();
      if (v === "" || (Array.isArray(v) && v.length === 0 && field.list)) continue;
      if (field.type === "checkboxes" && v.length === 0 && !field.sendEmpty) continue;
      const path = name.split(".");
      let o = out;
      for (const p of path.slice(0, -1)) o = o[p] ??= {};
      o[path[path.length - 1]] = v;
    }
    return out;
  }

  function clearErrors() {
    for (const { control, wrap, hintId } of inputs.values()) {
      if (!wrap) continue;
      for (const e of wrap.querySelectorAll(".field-error")) e.remove();
      control.removeAttribute("aria-invalid");
      for (const i of control.querySelectorAll("input")) i.removeAttribute("aria-invalid");
      if (hintId) control.setAttribute("aria-describedby", hintId);
      else control.removeAttribute("aria-describedby");
    }
  }

  // The form's field an API error names: the name itself, without its
  // indexes (recipients[0].kind), or its nearest parent (needs.x -> needs).
  function fieldFor(name) {
    let n = String(name || "").replace(/\[[0-9]+\]/g, "");
    if (aliases[n]) n = aliases[n];
    while (n) {
      if (inputs.has(n) && inputs.get(n).wrap) return inputs.get(n);
      n = n.includes(".") ? n.slice(0, n.lastIndexOf(".")) : "";
    }
    return null;
  }

  function showErrors(err) {
    const errors = err instanceof api.Problem && err.body && Array.isArray(err.body.errors) ? err.body.errors : [];
    let first = null;
    const lang = err instanceof api.Problem ? err.contentLanguage || "en" : null;
    for (const e of errors) {
      const target = fieldFor(e.field);
      if (!target) continue;
      const eid = `${target.control.id}-error-${target.wrap.querySelectorAll(".field-error").length}`;
      const msg = el("p", { class: "field-error", id: eid, lang }, String(e.message ?? ""));
      target.wrap.append(msg);
      const by = (target.control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      target.control.setAttribute("aria-describedby", [...by, eid].join(" "));
      if (target.field.type === "checkboxes" || target.field.type === "radios") {
        for (const i of target.control.querySelectorAll("input")) i.setAttribute("aria-invalid", "true");
        first ??= target.control.querySelector("input");
      } else {
        target.control.setAttribute("aria-invalid", "true");
        first ??= target.control;
      }
    }
    problem(err);
    if (first) first.focus();
  }

  f.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblem();
    clearErrors();
    setStatus("");
    submitButton.disabled = true;
    f.setAttribute("aria-busy", "true");
    try {
      await onSubmit(read(), f);
    } catch (err) {
      showErrors(err);
    } finally {
      submitButton.disabled = false;
      f.setAttribute("aria-busy", "false");
    }
  });
  f.values = read;
  f.control = (name) => (inputs.get(name) || {}).control;
  return f;
}

// A fresh Idempotency-Key for one creation (a retry of the same click
// reuses it: the form keeps it until the call succeeded).
export function idempotencyKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

// ---- the event feed, live (long-poll GET /v1/events?after=&wait=) ----

let feed = 0; // the generation: a new session or an end stops the old loop
let unseen = 0;
const listeners = new Set();

export function onEvent(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function seenEvents() {
  unseen = 0;
  renderNav(hooks.session(), current.name || "me");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The feed must not keep a forgotten console signed in: every call counts
// as activity for the session's idle timeout (REFGW_SESSION_IDLE,
// docs/security.md), so the long-poll pauses once the person has done
// nothing (no key, no pointer) for most of that timeout, and resumes at
// their next gesture (a 401 then: the session idled out, as it should).
let lastActivity = Date.now();
let wake = null;
function activity() {
  lastActivity = Date.now();
  if (wake) {
    wake();
    wake = null;
  }
}
if (typeof document !== "undefined")
  for (const type of ["keydown", "pointerdown", "input"])
    document.addEventListener(type, activity, { capture: true, passive: true });

function quietLimit() {
  const s = hooks.session();
  const left = s ? Date.parse(s.idle_expires_at) - Date.now() : NaN;
  const idle = Number.isFinite(left) && left > 60000 ? left : 15 * 60000;
  return Math.max(idle - 120000, idle / 2);
}

// From the feed's end at sign-in: the events already there are the
// events page's; the new ones come as notifications, without a reload.
export async function startEvents(wait = 25) {
  const gen = ++feed;
  unseen = 0;
  lastActivity = Date.now();
  const quiet = quietLimit();
  let after = "0";
  try {
    for (;;) {
      const a = await api.call("GET", query("/v1/events", { after, limit: 200 }));
      if (gen !== feed) return;
      if (!a || !a.items || a.items.length === 0) break;
      after = a.next_cursor || after;
    }
  } catch {
    return; // no feed for this session (no event.read): no notifications
  }
  while (gen === feed) {
    if (Date.now() - lastActivity > quiet) {
      await new Promise((resolve) => { wake = resolve; });
      continue;
    }
    try {
      const a = await api.call("GET", query("/v1/events", { after, wait, limit: 50 }));
      if (gen !== feed) return;
      for (const ev of a.items || []) notify(ev);
      after = a.next_cursor || after;
    } catch (err) {
      if (gen !== feed || (err instanceof api.Problem && (err.status === 401 || err.status === 403))) return;
      await sleep(5000);
    }
  }
}

export function stopEvents() {
  feed++;
  activity(); // a paused loop wakes and ends (its generation is over)
  unseen = 0;
  const box = document.getElementById("notifications");
  if (box) box.replaceChildren();
}

// Where an event's resource is shown.
export function resourceHash(resource) {
  if (!resource || !resource.id) return null;
  const id = encodeURIComponent(resource.id);
  return { referral: `#/referral/${id}`, follow_up: `#/follow-up/${id}`, occupancy: `#/occupancy/${id}` }[resource.type] || null;
}

function notify(ev) {
  unseen++;
  const box = document.getElementById("notifications");
  if (box) {
    const hash = resourceHash(ev.resource);
    const text = t("events.notification", { type: label("event", ev.type) });
    box.prepend(el("li", { class: "notification", dataset: { type: ev.type } },
      hash ? el("a", { href: hash }, text) : text, " ", el("time", { datetime: ev.created_at }, formatTime(ev.created_at))));
    while (box.children.length > 5) box.lastElementChild.remove();
    box.closest("aside").hidden = false;
  }
  renderNav(hooks.session(), current.name || "me");
  for (const fn of listeners) fn(ev);
}
