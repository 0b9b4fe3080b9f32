// coordinator: the coordinator's pages (Bruss'help), built of ui.js's
// blocks: the organisations and their programs, every certificate with its
// expiry at a glance and the pending confirmations, each organisation's
// admins and certificates (register a PEM, revoke one), the access rules
// as a matrix of kinds and actions with a form that grants or revokes
// one, the audit chain's status as housekeeping last verified it, and the
// aggregate reports as charts (inline SVG made with DOM calls, a table
// beside each for screen readers) whose suppressed cells say so.  A change
// that matters (a rule, a revocation) asks for confirmation in the page:
// a second press, never a dialog.

import * as api from "./api.js";
import { usersBlock } from "./accounts.js";
import { KINDS, suppressedCell, table } from "./housing.js";
import * as ui from "./ui.js";

const { el, t } = ui;
const SOON_DAYS = 30;
// The actions a rule may name (gateway/access_rules.c, docs/access-rules.md):
// the form offers these and any other the rules already hold.
const ACTIONS = ["person.create", "person.erase", "person.export", "consent.create", "consent.read", "consent.withdraw",
  "consent.receipt", "referral.create", "referral.read", "referral.transition", "audit.read", "audit.chain", "event.read",
  "organisation.manage", "program.manage", "certificate.manage", "access_rule.manage", "site.manage", "site.host",
  "unit.manage", "unit.read", "proposal.create", "proposal.decide", "occupancy.manage", "occupancy.read",
  "follow_up.manage", "follow_up.read", "partnership.manage", "report.read", "user.read", "user.manage"];
const enc = encodeURIComponent;
const options = (prefix, codes) => codes.map((c) => [c, ui.label(prefix, c)]);

// ---- organisations ----

async function renderOrganisations(body) {
  const orgs = ui.list({
    path: "/v1/organisations",
    caption: "coord.orgs.caption",
    empty: "coord.orgs.empty",
    csv: "organisations",
    columns: [
      { title: "coord.org.name", value: (o) => o.name },
      { title: "coord.org.kind", value: (o) => ui.label("kind", o.kind) },
      { title: "coord.org.programs", value: (o) => (o.programs || []).join(", ") },
      { title: "housing.status", value: (o) => ui.label("orgStatus", o.status) },
      { title: "coord.org.since", value: (o) => ui.formatTime(o.created_at) },
      { title: "kit.actions", value: (o) => ui.link(`#/coordinator-admins/${enc(o.id)}`, t("coord.org.admins", { name: o.name })) },
    ],
  });
  orgs.dataset.list = "organisations";
  const create = ui.form({
    id: "organisation-form",
    submit: "coord.org.create",
    fields: [
      { name: "name", label: "coord.org.name", required: true },
      { name: "kind", label: "coord.org.kind", type: "select", options: options("kind", KINDS), value: "housing_operator" },
      { name: "programs", label: "coord.org.programs", hint: "coord.org.programsHint", list: true },
    ],
    onSubmit: async (v) => {
      // A name left empty is still sent: the API's error names the field.
      const org = await api.call("POST", "/v1/organisations", { name: "", ...v }, { headers: { "Idempotency-Key": ui.idempotencyKey() } });
      ui.go(location.hash, t("coord.org.created", { name: org.name }));
    },
  });
  body.append(el("h2", { text: t("coord.orgs.title") }), orgs, el("h2", { text: t("coord.org.new") }), create);
  await orgs.ready;
}

// ---- certificates ----

function expiry(c) {
  if (c.status === "revoked") return { level: "revoked", text: t("coord.cert.revoked") };
  const days = Math.floor((new Date(c.not_after).getTime() - Date.now()) / 86400000);
  if (days < 0) return { level: "expired", text: t("coord.cert.expired") };
  if (days <= SOON_DAYS) return { level: "soon", text: t("coord.cert.soon", { days }) };
  return { level: "ok", text: t("coord.cert.ok", { days }) };
}

async function renderCertificates(body) {
  const progress = el("p", { class: "progress", role: "status", "aria-live": "polite", text: t("list.loading") });
  body.append(progress);
  const orgs = await ui.fetchAll("/v1/organisations", {});
  const certs = [];
  let n = 0;
  for (const o of orgs) {
    progress.textContent = t("coord.cert.progress", { done: ++n, total: orgs.length });
    const answer = await api.call("GET", `/v1/organisations/${enc(o.id)}/certificates`);
    for (const c of answer.items || []) certs.push({ organisation: o.name, ...c });
  }
  progress.textContent = "";
  const order = { expired: 0, soon: 1, ok: 2, revoked: 3 };
  certs.sort((a, b) => order[expiry(a).level] - order[expiry(b).level] || String(a.not_after).localeCompare(b.not_after));
  const pending = certs.filter((c) => c.status === "pending");
  const fingerprint = (c) => el("code", { title: c.sha256 }, `${String(c.sha256).slice(0, 16)}…`);
  const counts = ["expired", "soon", "ok"].map((level) => [level, certs.filter((c) => c.status !== "pending" && expiry(c).level === level).length]);
  body.append(
    el("ul", { class: "summary", "aria-label": t("coord.cert.summary") },
      counts.map(([level, count]) => el("li", { "data-level": level, text: t(`coord.cert.count.${level}`, { count }) })),
      el("li", { "data-level": "pending", text: t("coord.cert.count.pending", { count: pending.length }) })),
    el("h2", { text: t("coord.cert.pendingTitle") }),
    table({ name: "pending-certificates", caption: t("coord.cert.pendingCaption"), empty: "coord.cert.pendingEmpty", rows: pending,
      columns: [
        { title: "coord.org.name", value: (c) => c.organisation },
        { title: "coord.cert.subject", value: (c) => c.subject },
        { title: "coord.cert.registered", value: (c) => ui.formatTime(c.registered_at) },
        { title: "coord.cert.sha256", value: fingerprint },
      ] }),
    el("h2", { text: t("coord.cert.title") }),
    table({ name: "certificates", caption: t("coord.cert.caption"), empty: "coord.cert.empty", rows: certs,
      columns: [
        { title: "coord.org.name", value: (c) => c.organisation },
        { title: "coord.cert.subject", value: (c) => c.subject },
        { title: "housing.status", value: (c) => ui.label("certStatus", c.status) },
        { title: "coord.cert.notAfter", value: (c) => ui.formatTime(c.not_after) },
        { title: "coord.cert.expiry", value: (c) => { const e = expiry(c); return el("span", { class: `badge badge-${e.level}` }, e.text); } },
        { title: "coord.cert.sha256", value: fingerprint },
      ] }));
}

// ---- each organisation's admins ----

async function renderAdmins(body, args) {
  const orgs = await ui.fetchAll("/v1/organisations", {});
  const org = orgs.find((o) => o.id === args[0]) || orgs[0];
  const pick = el("select", { id: "admins-organisation" },
    orgs.map((o) => el("option", { value: o.id, selected: org && o.id === org.id }, o.name)));
  pick.addEventListener("change", () => ui.go(`#/coordinator-admins/${enc(pick.value)}`));
  body.append(el("div", { class: "field" }, el("label", { for: "admins-organisation", text: t("coord.users.pick") }), pick));
  if (!org) return;
  // Its users: the same block as an org_admin's Accounts page (accounts.js).
  await usersBlock(body, org);
  await renderOrgCertificates(body, org);
}

// The organisation's certificates: register a PEM (pasted or read from a
// file), revoke one after a confirmation that names its fingerprint.  A
// certificate registered here is pending until confirmed (docs/security.md,
// "Certificate registration is two-party").
async function renderOrgCertificates(body, org) {
  const certs = (await api.call("GET", `/v1/organisations/${enc(org.id)}/certificates`)).items || [];
  const confirmBox = el("div", { class: "confirm", id: "revoke-confirm", role: "group", "aria-labelledby": "revoke-confirm-text", hidden: true });
  const ask = (c) => {
    confirmBox.replaceChildren(
      el("p", { id: "revoke-confirm-text", text: t("coord.cert.revokeAsk", { fingerprint: c.sha256, subject: c.subject }) }),
      el("div", { class: "actions" },
        ui.button(t("coord.cert.revokeConfirm"), async () => {
          try {
            await api.call("POST", `/v1/organisations/${enc(org.id)}/certificates/${enc(c.sha256)}/revoke`, {});
            ui.go(location.hash, t("coord.cert.revokedDone", { fingerprint: c.sha256 }));
          } catch (err) {
            ui.problem(err);
          }
        }),
        " ",
        ui.button(t("coord.cancel"), () => { confirmBox.hidden = true; confirmBox.replaceChildren(); }, { kind: "secondary" })));
    confirmBox.hidden = false;
    confirmBox.querySelector("button").focus();
  };
  const register = ui.form({
    id: "certificate-form",
    submit: "coord.cert.register",
    fields: [{ name: "pem", label: "coord.cert.pem", type: "textarea", hint: "coord.cert.pemHint", required: true }],
    onSubmit: async (v, formEl) => {
      // An empty PEM is still sent: the API's error names the field.
      const cert = await api.call("POST", `/v1/organisations/${enc(org.id)}/certificates`, { pem: "", ...v },
        { headers: { "Idempotency-Key": ui.idempotencyKey() } });
      formEl.reset();
      ui.go(location.hash, t("coord.cert.registeredDone", { fingerprint: cert.sha256, status: ui.label("certStatus", cert.status) }));
    },
  });
  const fileId = "certificate-file";
  const file = el("input", { type: "file", id: fileId, accept: ".pem,.crt,.cer,application/x-pem-file" });
  file.addEventListener("change", async () => {
    const f = file.files && file.files[0];
    if (f) register.control("pem").value = await f.text();
  });
  register.insertBefore(el("div", { class: "field" }, el("label", { for: fileId, text: t("coord.cert.file") }), file),
    register.querySelector(".actions"));
  body.append(
    el("h2", { text: t("coord.cert.orgTitle", { name: org.name }) }),
    table({ name: "organisation-certificates", caption: t("coord.cert.orgCaption", { name: org.name }), empty: "coord.cert.empty", rows: certs,
      columns: [
        { title: "coord.cert.subject", value: (c) => c.subject },
        { title: "housing.status", value: (c) => ui.label("certStatus", c.status) },
        { title: "coord.cert.notAfter", value: (c) => ui.formatTime(c.not_after) },
        { title: "coord.cert.sha256", value: (c) => el("code", { class: "fingerprint" }, c.sha256) },
        { title: "kit.actions", value: (c) => (c.status === "revoked" ? "" : el("button", { type: "button", class: "secondary", "data-revoke": c.sha256,
          "aria-label": t("coord.cert.revokeLabel", { fingerprint: c.sha256.slice(0, 16) }), on: { click: () => ask(c) } }, t("coord.cert.revoke"))) },
      ] }),
    confirmBox,
    el("h3", { text: t("coord.cert.new", { name: org.name }) }),
    el("p", { class: "hint", text: t("coord.cert.pendingHint") }),
    register);
}

// ---- access rules ----

async function renderRules(body) {
  const names = new Map((await ui.fetchAll("/v1/organisations", {})).map((o) => [o.id, o.name]));
  const rules = (await api.call("GET", "/v1/access-rules")).items || [];
  const actions = [...new Set(rules.map((r) => r.action))].sort();
  const kinds = KINDS.filter((k) => rules.some((r) => r.kind === k && !r.organisation_id));
  const mark = (allowed) => [el("span", { "aria-hidden": "true" }, allowed === null ? "·" : allowed ? "✓" : "✗"),
    el("span", { class: "sr-only" }, t(allowed === null ? "coord.rules.none" : allowed ? "coord.rules.allowed" : "coord.rules.denied"))];
  const cell = (action, kind) => {
    const r = rules.find((x) => x.action === action && x.kind === kind && !x.organisation_id);
    const allowed = r ? r.allowed : null;
    return el("td", { class: allowed === null ? "rule-none" : allowed ? "rule-yes" : "rule-no", "data-rule": `${kind} ${action}` }, mark(allowed));
  };
  const matrix = el("table", { class: "matrix" },
    el("caption", { text: t("coord.rules.caption") }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("coord.rules.action") }),
      kinds.map((k) => el("th", { scope: "col", text: ui.label("kind", k) })))),
    el("tbody", {}, actions.map((a) => el("tr", {}, el("th", { scope: "row" }, el("code", {}, a)), kinds.map((k) => cell(a, k))))));
  const csv = el("button", { type: "button", class: "secondary csv", "data-csv": "access-rules" }, t("csv.export"));
  csv.addEventListener("click", () => ui.download(`access-rules-${new Date().toISOString().slice(0, 10)}.csv`, ui.toCsv(rules)));
  body.append(el("div", { class: "tools" }, csv),
    el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("coord.rules.caption") }, matrix),
    el("p", { class: "hint", text: t("coord.rules.legend") }),
    el("h2", { text: t("coord.rules.change") }),
    ruleForm(rules, actions, names),
    el("h2", { text: t("coord.rules.overrides") }),
    table({ name: "organisation-rules", caption: t("coord.rules.overrides"), empty: "coord.rules.noOverrides",
      rows: rules.filter((r) => r.organisation_id),
      columns: [
        { title: "coord.org.name", value: (r) => names.get(r.organisation_id) ?? r.organisation_id },
        { title: "coord.rules.action", value: (r) => el("code", {}, r.action) },
        { title: "coord.rules.rule", value: (r) => mark(r.allowed) },
      ] }));
}

// Grants, denies or removes one rule: an organisation's through PUT or
// DELETE /v1/access-rules/{id}/{action}, a kind's by sending the whole set
// again (PUT /v1/access-rules), as the API has it.  The first press says
// what will change; a second press with the same values does it, and the
// page (the matrix) is drawn again from the API.
function ruleForm(rules, actions, names) {
  const targets = [
    ...KINDS.map((k) => [`kind:${k}`, t("coord.rules.targetKind", { kind: ui.label("kind", k) })]),
    ...[...names].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => [`org:${id}`, name]),
  ];
  const decisions = ["allow", "deny", "remove"];
  const choices = [...new Set([...ACTIONS, ...actions])].sort();
  const question = el("p", { class: "confirm", id: "rule-confirm", "aria-live": "polite", hidden: true });
  let submitText = "";
  const f = ui.form({
    id: "rule-form",
    submit: "coord.rules.apply",
    aliases: { "rules.action": "action", "rules.allowed": "decision", "rules.kind": "target", "rules.organisation_id": "target",
      rules: "target", allowed: "decision" },
    fields: [
      { name: "target", label: "coord.rules.target", type: "select", options: targets, value: targets[0][0] },
      { name: "action", label: "coord.rules.action", type: "select", options: choices.map((a) => [a, a]), value: choices[0] },
      { name: "decision", label: "coord.rules.decision", type: "radios", options: decisions.map((d) => [d, t(`coord.rules.decision.${d}`)]), value: "allow" },
    ],
    onSubmit: async (v, formEl) => {
      const key = JSON.stringify(v);
      const button = formEl.querySelector('button[type="submit"]');
      const target = targets.find(([code]) => code === v.target)?.[1] ?? v.target;
      if (formEl.dataset.confirm !== key) {
        formEl.dataset.confirm = key;
        question.textContent = t(`coord.rules.ask.${v.decision}`, { action: v.action, target });
        question.hidden = false;
        submitText = button.textContent;
        button.textContent = t("coord.rules.confirm");
        return;
      }
      await changeRule(v, rules);
      ui.go(location.hash, t(`coord.rules.done.${v.decision}`, { action: v.action, target }));
    },
  });
  // Any change of a value asks again.
  f.addEventListener("change", () => {
    if (!f.dataset.confirm) return;
    delete f.dataset.confirm;
    question.hidden = true;
    f.querySelector('button[type="submit"]').textContent = submitText;
  });
  f.querySelector(".actions").before(question);
  return f;
}

async function changeRule(v, rules) {
  const [type, id] = String(v.target).split(/:(.*)/s);
  if (type === "org") {
    const path = `/v1/access-rules/${enc(id)}/${enc(v.action)}`;
    if (v.decision === "remove") await api.call("DELETE", path);
    else await api.call("PUT", path, { allowed: v.decision === "allow" });
    return;
  }
  const set = rules
    .filter((r) => !(r.kind === id && !r.organisation_id && r.action === v.action))
    .map((r) => (r.organisation_id ? { organisation_id: r.organisation_id, action: r.action, allowed: r.allowed }
      : { kind: r.kind, action: r.action, allowed: r.allowed }));
  if (v.decision !== "remove") set.push({ kind: id, action: v.action, allowed: v.decision === "allow" });
  await api.call("PUT", "/v1/access-rules", { rules: set });
}

// ---- the audit chain ----

const CHAIN_LEVEL = { intact: "ok", broken: "expired", unverified: "soon" };

async function renderAuditChain(body) {
  const s = await api.call("GET", "/v1/audit/chain");
  const last = s.last_pass;
  const broken = last && last.broken;
  const cp = s.checkpoint;
  const number = (n) => new Intl.NumberFormat(ui.session()?.user?.language || undefined).format(n ?? 0);
  const refresh = ui.button(t("coord.chain.refresh"), () => ui.go(location.hash), { kind: "secondary" });
  body.append(
    el("p", { class: "chain-status", id: "chain-status", "data-status": s.status },
      el("span", { class: `badge badge-${CHAIN_LEVEL[s.status] || "soon"}` }, t(`coord.chain.status.${s.status}`)), " ",
      t(`coord.chain.says.${s.status}`)),
    // (append() would write a null as the text "null")
    ...(broken ? [el("p", { class: "field-error", id: "chain-broken" },
      t("coord.chain.brokenAt", { lane: broken.lane, seq: broken.seq, reason: t(`coord.chain.reason.${broken.reason}`) }))] : []),
    ui.details([
      ["coord.chain.entries", number(s.entries)],
      ["coord.chain.lanes", number(s.lanes)],
      ["coord.chain.heads", el("code", { class: "fingerprint" }, s.heads_sha256)],
      ["coord.chain.checkedAt", s.checked_at ? ui.formatTime(s.checked_at) : t("coord.chain.never")],
      ["coord.chain.lastPass", last ? t("coord.chain.passLine", { pass: last.pass, when: ui.formatTime(last.completed_at), rows: number(last.rows) })
        : t("coord.chain.never")],
      ["coord.chain.currentPass", t("coord.chain.progress", { pass: s.current_pass.pass, rows: number(s.current_pass.rows) })],
      ["coord.chain.checkpoint", cp ? t("coord.chain.checkpointLine", { when: ui.formatTime(cp.at), key: cp.key_id, lanes: number(cp.lanes), entries: number(cp.entries) })
        : t("coord.chain.noCheckpoint")],
    ]),
    el("p", { class: "hint", text: t("coord.chain.hint") }),
    el("div", { class: "actions" }, refresh));
}

// ---- reports ----

// rows: [{label, value (a number or null), suppressed}]: bars in SVG for the
// eye (hidden from screen readers), the same figures in a table for them.
function barChart({ name, caption, unit, rows }) {
  const svgNs = "http://www.w3.org/2000/svg";
  const svgEl = (tag, attrs, text) => {
    const node = document.createElementNS(svgNs, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const max = Math.max(1, ...rows.map((r) => (r.suppressed || r.value === null ? 0 : r.value)));
  // Each row: its label on a line of its own (a label is never cut), the
  // bar below it, the figure after the bar.
  const line = 46;
  const width = 520;
  const svg = svgEl("svg", { viewBox: `0 0 ${width + 80} ${rows.length * line + 4}`, class: "chart",
    "aria-hidden": "true", focusable: "false", "data-chart": name });
  rows.forEach((r, i) => {
    const y = i * line;
    svg.append(svgEl("text", { x: 0, y: y + 14, class: "chart-label" }, r.label));
    if (r.suppressed || r.value === null) {
      svg.append(svgEl("rect", { x: 0, y: y + 20, width, height: 20, class: "bar-suppressed" }));
      svg.append(svgEl("text", { x: 8, y: y + 35, class: "chart-suppressed" }, t("kit.suppressed")));
    } else {
      const w = Math.max(2, Math.round((r.value / max) * width));
      svg.append(svgEl("rect", { x: 0, y: y + 20, width: w, height: 20, class: "bar" }));
      svg.append(svgEl("text", { x: w + 6, y: y + 35, class: "chart-value" }, String(r.value)));
    }
  });
  const alt = el("table", { class: "sr-only", "data-chart-table": name },
    el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("kit.item") }), el("th", { scope: "col", text: unit }))),
    el("tbody", {}, rows.map((r) => el("tr", {}, el("th", { scope: "row", text: r.label }),
      el("td", {}, r.suppressed || r.value === null ? t("kit.suppressedLong") : String(r.value))))));
  return el("figure", { class: "figure" }, el("figcaption", { text: caption }), svg, alt);
}

async function renderReports(body) {
  const occupancy = await api.call("GET", "/v1/reports/occupancy");
  const referrals = await api.call("GET", "/v1/reports/referrals");
  const sites = occupancy.sites || [];
  const items = referrals.items || [];
  const csv = (name, rows) => {
    const b = el("button", { type: "button", class: "secondary csv", "data-csv": name }, t("csv.export"));
    b.addEventListener("click", () => ui.download(`${name}-${new Date().toISOString().slice(0, 10)}.csv`, ui.toCsv(rows)));
    return el("div", { class: "tools" }, b);
  };
  const count = (r, key) => (r.suppressed ? suppressedCell() : String(r[key] ?? ""));
  body.append(
    el("p", { class: "hint", text: t("kit.threshold", { count: occupancy.suppression_threshold ?? 5 }) }),
    el("h2", { text: t("coord.report.occupancy") }),
    sites.length === 0 ? el("p", { class: "empty", text: t("coord.report.noSites") })
      : barChart({ name: "occupancy", caption: t("coord.report.occupancyCaption"), unit: t("housing.table.occupancies"),
        rows: sites.map((s) => ({ label: `${s.site} (${s.operator})`, value: s.occupancies, suppressed: s.suppressed })) }),
    csv("report-occupancy", sites),
    el("h2", { text: t("coord.report.referrals") }),
    items.length === 0 ? el("p", { class: "empty", text: t("coord.report.noReferrals") })
      : barChart({ name: "referrals", caption: t("coord.report.referralsCaption"), unit: t("coord.report.referralsUnit"),
        rows: items.map((r) => ({ label: [r.month, r.program, ui.label("status", r.status), r.outcome ? ui.label("outcome", r.outcome) : ""]
          .filter(Boolean).join(" · "), value: r.referrals, suppressed: r.suppressed })) }),
    csv("report-referrals", items),
    el("h2", { text: t("coord.report.operators") }),
    table({ name: "report-operators", caption: t("coord.report.operators"), empty: "coord.report.noSites", rows: occupancy.operators || [],
      columns: [
        { title: "housing.table.operator", value: (o) => o.operator },
        { title: "housing.nav.sites", value: (o) => String(o.sites ?? "") },
        { title: "housing.site.units", value: (o) => String(o.units ?? "") },
        { title: "housing.table.occupancies", value: (o) => count(o, "occupancies") },
        { title: "coord.report.occupiedDays", value: (o) => count(o, "occupied_days") },
        { title: "coord.report.vacantDays", value: (o) => count(o, "vacant_days") },
      ] }));
}

const pages = [
  ["coordinator-organisations", "coord.nav.organisations", renderOrganisations],
  ["coordinator-certificates", "coord.nav.certificates", renderCertificates],
  ["coordinator-admins", "coord.nav.admins", renderAdmins],
  ["coordinator-rules", "coord.nav.rules", renderRules],
  ["coordinator-reports", "coord.nav.reports", renderReports],
  ["coordinator-audit", "coord.nav.audit", renderAuditChain],
];
pages.forEach(([name, title, render], i) => ui.definePage({ name, title, groups: ["coordinator"], order: 10 + i, render }));
