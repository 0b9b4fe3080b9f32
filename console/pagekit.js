// pagekit: the blocks the housing officer's and the coordinator's pages are
// built of (docs/console.md, "Adding a page"): a list that pages with the
// API's cursors, says what to do when it is empty, shows its progress and
// exports what it shows as CSV; a form that shows the API's field errors
// beside the field they name; a bar chart in inline SVG with its table for
// screen readers.  Everything is built with DOM calls and textContent:
// a value from the API is never markup.

import * as api from "./api.js";

// The page's context, given by app.js at start: t(), showProblem(), ...
let ctx = null;
export function init(context) {
  ctx = context;
}
export const t = (key, params) => ctx.t(key, params);

// el("p", {class: "x", text: "a value"}, child...): a node, text as text.
export function el(tag, props = {}, ...kids) {
  const svg = tag.startsWith("svg:");
  const node = svg
    ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
    : document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.setAttribute("class", value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    node.append(kid instanceof Node ? kid : String(kid));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

let unique = 0;
export function uid(prefix) {
  unique++;
  return `${prefix}-${unique}`;
}

// A failed call: 401 ends the session, anything else is shown (and focused).
export function fail(err) {
  if (err instanceof api.Problem && err.status === 401) ctx.sessionLost(err);
  else ctx.showProblem(err);
}

export function status(text) {
  ctx.setStatus(text);
}

export function date(iso) {
  if (!iso) return "";
  const when = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  const opts = iso.length === 10 ? { dateStyle: "medium", timeZone: "UTC" } : { dateStyle: "medium", timeStyle: "short" };
  return new Intl.DateTimeFormat(ctx.language(), opts).format(when);
}

// A code of the API shown through its key (kind.cpas), else as it is.
export function label(prefix, code) {
  return ctx.labelOf(prefix, code);
}

export function today(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return d.toISOString().slice(0, 10);
}

export function query(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

// Every page of a cursor list, with onProgress(count) after each.
export async function readAll(path, params = {}, onProgress = () => {}, max = 50) {
  const items = [];
  let cursor = null;
  for (let n = 0; n < max; n++) {
    const page = await api.call("GET", query(path, { ...params, limit: 200, cursor }));
    items.push(...(page.items || []));
    onProgress(items.length);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return items;
}

// ---- CSV ----

// A cell as text; one that a spreadsheet would run as a formula (=, +, @,
// - before a non-digit, a tab or a return) gets a leading apostrophe.
function csvCell(value) {
  let s = value === null || value === undefined ? "" : String(value);
  if (/^[=+@\t\r]/.test(s) || /^-[^0-9]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvText(columns, rows) {
  const lines = [columns.map((c) => csvCell(c.csv || c.key)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.raw ? c.raw(row) : row[c.key])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

export function download(name, text) {
  const blob = new Blob([text], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function csvButton(name, columns, rowsOf) {
  return el("button", {
    type: "button",
    class: "secondary",
    "data-csv": name,
    text: t("kit.csv"),
    onclick: async (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      try {
        const rows = await rowsOf();
        download(`${name}.csv`, csvText(columns, rows));
        status(t("kit.csvDone", { count: rows.length }));
      } catch (err) {
        fail(err);
      } finally {
        button.disabled = false;
      }
    },
  });
}

// ---- a list ----

// columns: [{key, label, value(row) → text or node, raw(row) → CSV text}]
// load(cursor) → {items, next_cursor}; empty: what to do when there is
// nothing; actions(row) → nodes in a last column.  Returns {node, reload}.
export function list({ name, caption, columns, load, empty, actions }) {
  const progress = el("p", { class: "progress", role: "status", "aria-live": "polite" });
  const body = el("tbody");
  const head = el("tr", {}, columns.map((c) => el("th", { scope: "col", text: c.label })),
    actions ? el("th", { scope: "col", text: t("kit.actions") }) : null);
  const table = el("table", { class: "list", "data-list": name },
    el("caption", { text: caption }), el("thead", {}, head), body);
  const wrap = el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption }, table);
  const emptyNote = el("p", { class: "empty", hidden: true, text: empty });
  const more = el("button", { type: "button", class: "secondary", hidden: true, text: t("kit.more") });
  let rows = [];
  let cursor = null;
  let done = false;

  function row(item) {
    const tr = el("tr");
    columns.forEach((c, i) => {
      const v = c.value ? c.value(item) : item[c.key];
      const cell = el(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : {});
      cell.append(v instanceof Node ? v : String(v ?? ""));
      tr.append(cell);
    });
    if (actions) tr.append(el("td", { class: "actions" }, actions(item)));
    return tr;
  }

  async function page(first) {
    progress.textContent = t("kit.loading");
    table.setAttribute("aria-busy", "true");
    more.disabled = true;
    try {
      const answer = await load(first ? null : cursor);
      if (first) {
        rows = [];
        clear(body);
      }
      const items = answer.items || [];
      rows.push(...items);
      for (const item of items) body.append(row(item));
      cursor = answer.next_cursor || null;
      done = !cursor;
      more.hidden = done;
      emptyNote.hidden = rows.length !== 0;
      wrap.hidden = rows.length === 0;
      progress.textContent = t("kit.shown", { count: rows.length });
    } catch (err) {
      progress.textContent = "";
      fail(err);
    } finally {
      table.setAttribute("aria-busy", "false");
      more.disabled = false;
    }
  }
  more.addEventListener("click", () => page(false));

  // The CSV holds every row the API shows, not only the pages read.
  const csv = csvButton(name, columns, async () => {
    while (!done) {
      const before = rows.length;
      await page(false);
      if (rows.length === before && !done) break;
    }
    return rows;
  });
  const node = el("div", { class: "block" }, progress, wrap, emptyNote, el("p", { class: "buttons" }, more, csv));
  return { node, reload: () => page(true), rows: () => rows };
}

// ---- a form ----

// fields: [{name, label, type: text|email|date|number|select|checks|textarea,
// options: [{value, label}], required, value, hint}].  submit(values)
// returns a promise; a problem's errors[] go beside the field they name.
export function form({ name, fields, submitLabel, submit }) {
  const id = uid(`form-${name}`);
  const node = el("form", { id, class: "form", novalidate: true, "data-form": name });
  const controls = {};
  const errors = {};
  for (const f of fields) {
    const fid = `${id}-${f.name}`;
    const err = el("p", { class: "field-error", id: `${fid}-error`, hidden: true });
    errors[f.name] = err;
    let control;
    if (f.type === "checks") {
      control = el("fieldset", { id: fid, class: "checks", "data-field": f.name },
        el("legend", { text: f.label }),
        f.options.map((o, i) => el("div", { class: "check" },
          el("input", { type: "checkbox", id: `${fid}-${i}`, value: o.value, checked: (f.value || []).includes(o.value) }),
          el("label", { for: `${fid}-${i}`, text: o.label }))));
      node.append(el("div", { class: "field" }, control, err));
    } else {
      if (f.type === "select") {
        control = el("select", { id: fid, name: f.name },
          f.options.map((o) => el("option", { value: o.value, text: o.label, selected: o.value === f.value })));
      } else if (f.type === "textarea") {
        control = el("textarea", { id: fid, name: f.name, rows: 3 });
      } else {
        control = el("input", { id: fid, name: f.name, type: f.type || "text", value: f.value, required: f.required,
          min: f.min, autocomplete: f.autocomplete || "off" });
      }
      const hint = f.hint ? el("p", { class: "hint", id: `${fid}-hint`, text: f.hint }) : null;
      if (hint) control.setAttribute("aria-describedby", hint.id);
      node.append(el("div", { class: "field" }, el("label", { for: fid, text: f.label + (f.required ? " *" : "") }),
        hint, control, err));
    }
    controls[f.name] = control;
  }
  const button = el("button", { type: "submit", text: submitLabel });
  node.append(button);

  function values() {
    const out = {};
    for (const f of fields) {
      const c = controls[f.name];
      if (f.type === "checks") {
        out[f.name] = [...c.querySelectorAll("input:checked")].map((x) => x.value);
      } else if (f.type === "number") {
        if (c.value.trim() !== "") out[f.name] = Number(c.value);
      } else if (c.value.trim() !== "") {
        out[f.name] = c.value.trim();
      }
    }
    return out;
  }

  function clearErrors() {
    for (const f of fields) {
      errors[f.name].hidden = true;
      errors[f.name].textContent = "";
      const c = controls[f.name];
      c.removeAttribute("aria-invalid");
      const hint = f.hint ? `${c.id}-hint` : null;
      if (hint) c.setAttribute("aria-describedby", hint);
      else c.removeAttribute("aria-describedby");
    }
  }

  // "audience[0].kind" is the field audience; "referent.name" is referent.
  function fieldOf(path) {
    const key = String(path || "").match(/^[A-Za-z_]+/);
    return key && key[0] in controls ? key[0] : null;
  }

  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    ctx.clearProblem();
    clearErrors();
    button.disabled = true;
    node.setAttribute("aria-busy", "true");
    try {
      await submit(values());
    } catch (err) {
      const listed = err instanceof api.Problem && err.body && Array.isArray(err.body.errors) ? err.body.errors : [];
      let first = null;
      for (const e of listed) {
        const f = fieldOf(e.field);
        if (!f) continue;
        const box = errors[f];
        box.textContent = box.textContent ? `${box.textContent} ${e.message}` : String(e.message ?? "");
        box.hidden = false;
        const c = controls[f];
        c.setAttribute("aria-invalid", "true");
        c.setAttribute("aria-describedby", [c.getAttribute("aria-describedby"), box.id].filter(Boolean).join(" "));
        if (!first) first = c;
      }
      fail(err);
      if (first) (first.querySelector ? first.querySelector("input") || first : first).focus();
    } finally {
      button.disabled = false;
      node.setAttribute("aria-busy", "false");
    }
  });
  return { node, controls, reset: () => { node.reset(); clearErrors(); } };
}

// ---- a bar chart ----

// rows: [{label, value (a number or null), suppressed}]; drawn in SVG (for
// the eye, hidden from screen readers) beside a table that says the same.
export function barChart({ name, caption, unit, rows }) {
  const max = Math.max(1, ...rows.map((r) => (r.suppressed || r.value === null ? 0 : r.value)));
  const lineHeight = 28;
  const labelWidth = 260;
  const barWidth = 380;
  const height = Math.max(1, rows.length) * lineHeight + 8;
  const svg = el("svg:svg", { viewBox: `0 0 ${labelWidth + barWidth + 120} ${height}`, class: "chart",
    "aria-hidden": "true", focusable: "false", "data-chart": name });
  rows.forEach((r, i) => {
    const y = i * lineHeight + 4;
    svg.append(el("svg:text", { x: labelWidth - 8, y: y + 18, "text-anchor": "end", class: "chart-label", text: r.label }));
    if (r.suppressed || r.value === null) {
      svg.append(el("svg:rect", { x: labelWidth, y, width: barWidth, height: 22, class: "bar-suppressed" }));
      svg.append(el("svg:text", { x: labelWidth + 8, y: y + 16, class: "chart-suppressed", text: t("kit.suppressed") }));
    } else {
      const w = Math.max(2, Math.round((r.value / max) * barWidth));
      svg.append(el("svg:rect", { x: labelWidth, y, width: w, height: 22, class: "bar" }));
      svg.append(el("svg:text", { x: labelWidth + w + 6, y: y + 16, class: "chart-value", text: String(r.value) }));
    }
  });
  const table = el("table", { class: "sr-only", "data-chart-table": name },
    el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("kit.item") }), el("th", { scope: "col", text: unit }))),
    el("tbody", {}, rows.map((r) => el("tr", {}, el("th", { scope: "row", text: r.label }),
      el("td", { text: r.suppressed || r.value === null ? t("kit.suppressedLong") : String(r.value) })))));
  return el("figure", { class: "figure" }, el("figcaption", { text: caption }), svg, table);
}
