// coordinator: the coordinator's pages (Bruss'help): the organisations and
// their programs, every certificate with its expiry at a glance and the
// pending confirmations, each organisation's admins, the access rules as a
// matrix of kinds and actions, and the aggregate reports as charts with
// their suppressed cells.  The API decides; these pages only show it.

import * as api from "./api.js";
import { KINDS } from "./housing.js";
import { barChart, clear, csvButton, date, el, fail, form, label, list, query, readAll, status, t } from "./pagekit.js";

const ROLES = ["org_admin", "worker", "coordinator_admin"];
const LANGUAGES = ["fr", "nl", "en"];
const SOON_DAYS = 30;

const allowed = (s) => Boolean(s && s.organisation && s.organisation.kind === "coordinator");
const options = (prefix, codes) => codes.map((c) => ({ value: c, label: label(prefix, c) }));

// ---- organisations ----

async function renderOrganisations(root) {
  const orgs = list({
    name: "organisations",
    caption: t("coord.orgs.caption"),
    empty: t("coord.orgs.empty"),
    columns: [
      { key: "name", label: t("coord.org.name") },
      { key: "kind", label: t("coord.org.kind"), value: (o) => label("kind", o.kind), raw: (o) => o.kind },
      { key: "programs", label: t("coord.org.programs"), value: (o) => (o.programs || []).join(", "), raw: (o) => (o.programs || []).join(" ") },
      { key: "status", label: t("housing.status"), value: (o) => label("orgStatus", o.status), raw: (o) => o.status },
      { key: "created_at", label: t("coord.org.since"), value: (o) => date(o.created_at) },
    ],
    load: (cursor) => api.call("GET", query("/v1/organisations", { cursor })),
  });
  const create = form({
    name: "organisation",
    submitLabel: t("coord.org.create"),
    fields: [
      { name: "name", label: t("coord.org.name"), required: true },
      { name: "kind", label: t("coord.org.kind"), type: "select", options: options("kind", KINDS), value: "housing_operator" },
      { name: "programs", label: t("coord.org.programs"), hint: t("coord.org.programsHint") },
    ],
    submit: async (v) => {
      const body = { name: v.name ?? "", kind: v.kind };
      if (v.programs) body.programs = v.programs.split(/[\s,]+/).filter(Boolean);
      const org = await api.call("POST", "/v1/organisations", body);
      create.reset();
      status(t("coord.org.created", { name: org.name }));
      await orgs.reload();
    },
  });
  root.append(el("h2", { text: t("coord.orgs.title") }), orgs.node,
    el("h2", { text: t("coord.org.new") }), create.node);
  await orgs.reload();
}

// ---- certificates ----

function daysLeft(iso) {
  return Math.floor((new Date(iso).getTime() - Date.now()) / 86400000);
}

function expiry(c) {
  if (c.status === "revoked") return { level: "revoked", text: t("coord.cert.revoked") };
  const days = daysLeft(c.not_after);
  if (days < 0) return { level: "expired", text: t("coord.cert.expired") };
  if (days <= SOON_DAYS) return { level: "soon", text: t("coord.cert.soon", { days }) };
  return { level: "ok", text: t("coord.cert.ok", { days }) };
}

async function renderCertificates(root) {
  const progress = el("p", { class: "progress", role: "status", "aria-live": "polite", text: t("kit.loading") });
  root.append(progress);
  const orgs = await readAll("/v1/organisations");
  const certs = [];
  let n = 0;
  for (const o of orgs) {
    n++;
    progress.textContent = t("coord.cert.progress", { done: n, total: orgs.length });
    const answer = await api.call("GET", `/v1/organisations/${encodeURIComponent(o.id)}/certificates`);
    for (const c of answer.items || []) certs.push({ ...c, organisation: o.name });
  }
  progress.textContent = "";
  const order = { expired: 0, soon: 1, ok: 2, revoked: 3 };
  certs.sort((a, b) => order[expiry(a).level] - order[expiry(b).level] || String(a.not_after).localeCompare(b.not_after));
  const columns = [
    { key: "organisation", label: t("coord.org.name") },
    { key: "subject", label: t("coord.cert.subject") },
    { key: "status", label: t("housing.status"), value: (c) => label("certStatus", c.status), raw: (c) => c.status },
    { key: "not_after", label: t("coord.cert.notAfter"), value: (c) => date(c.not_after) },
    { key: "expiry", label: t("coord.cert.expiry"),
      value: (c) => { const e = expiry(c); return el("span", { class: `badge badge-${e.level}`, text: e.text }); },
      raw: (c) => expiry(c).level },
    { key: "sha256", label: t("coord.cert.sha256"), value: (c) => el("code", { text: `${String(c.sha256).slice(0, 16)}…`, title: c.sha256 }) },
  ];
  const pending = certs.filter((c) => c.status === "pending");
  const pendingList = list({ name: "pending-certificates", caption: t("coord.cert.pendingCaption"), empty: t("coord.cert.pendingEmpty"),
    columns: [columns[0], columns[1], { key: "registered_at", label: t("coord.cert.registered"), value: (c) => date(c.registered_at) }, columns[5]],
    load: async () => ({ items: pending, next_cursor: null }) });
  const all = list({ name: "certificates", caption: t("coord.cert.caption"), empty: t("coord.cert.empty"), columns,
    load: async () => ({ items: certs, next_cursor: null }) });
  const summary = el("ul", { class: "summary" },
    ["expired", "soon", "ok"].map((level) => el("li", { "data-level": level,
      text: t(`coord.cert.count.${level}`, { count: certs.filter((c) => expiry(c).level === level).length }) })),
    el("li", { "data-level": "pending", text: t("coord.cert.count.pending", { count: pending.length }) }));
  root.append(summary, el("h2", { text: t("coord.cert.pendingTitle") }), pendingList.node,
    el("h2", { text: t("coord.cert.title") }), all.node);
  await pendingList.reload();
  await all.reload();
}

// ---- each organisation's admins ----

async function renderAdmins(root) {
  const orgs = await readAll("/v1/organisations");
  const pickId = "admins-organisation";
  const pick = el("select", { id: pickId }, orgs.map((o) => el("option", { value: o.id, text: o.name })));
  const area = el("div", { class: "block" });
  const show = async () => {
    clear(area);
    const org = orgs.find((o) => o.id === pick.value);
    if (!org) return;
    const users = list({
      name: `users-${org.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
      caption: t("coord.users.caption", { name: org.name }),
      empty: t("coord.users.empty"),
      columns: [
        { key: "display_name", label: t("coord.user.name") },
        { key: "email", label: t("coord.user.email") },
        { key: "role", label: t("coord.user.role"), value: (u) => label("role", u.role), raw: (u) => u.role },
        { key: "language", label: t("language.label") },
        { key: "status", label: t("housing.status"), value: (u) => label("userStatus", u.status), raw: (u) => u.status },
      ],
      load: (cursor) => api.call("GET", query(`/v1/organisations/${encodeURIComponent(org.id)}/users`, { cursor })),
    });
    const token = el("p", { class: "token", role: "status", hidden: true });
    const invite = form({
      name: "invite",
      submitLabel: t("coord.user.invite"),
      fields: [
        { name: "display_name", label: t("coord.user.name"), required: true },
        { name: "email", label: t("coord.user.email"), type: "email", required: true },
        { name: "role", label: t("coord.user.role"), type: "select", options: options("role", ROLES), value: "org_admin" },
        { name: "language", label: t("language.label"), type: "select", options: LANGUAGES.map((l) => ({ value: l, label: l })) },
      ],
      submit: async (v) => {
        const user = await api.call("POST", `/v1/organisations/${encodeURIComponent(org.id)}/users`, v);
        invite.reset();
        token.hidden = false;
        token.textContent = t("coord.user.token", { name: user.display_name, token: user.invitation_token });
        await users.reload();
      },
    });
    area.append(users.node, el("h3", { text: t("coord.user.new", { name: org.name }) }), invite.node, token);
    await users.reload();
  };
  pick.addEventListener("change", show);
  root.append(el("div", { class: "field" }, el("label", { for: pickId, text: t("coord.users.pick") }), pick), area);
  await show();
}

// ---- access rules ----

async function renderRules(root) {
  const orgs = await readAll("/v1/organisations");
  const names = new Map(orgs.map((o) => [o.id, o.name]));
  const rules = (await api.call("GET", "/v1/access-rules")).items || [];
  const actions = [...new Set(rules.map((r) => r.action))].sort();
  const kinds = KINDS.filter((k) => rules.some((r) => r.kind === k));
  const cell = (action, kind) => {
    const r = rules.find((x) => x.action === action && x.kind === kind && !x.organisation_id);
    if (!r) return el("td", { class: "rule-none" }, el("span", { "aria-hidden": "true", text: "·" }), el("span", { class: "sr-only", text: t("coord.rules.none") }));
    return el("td", { class: r.allowed ? "rule-yes" : "rule-no" },
      el("span", { "aria-hidden": "true", text: r.allowed ? "✓" : "✗" }),
      el("span", { class: "sr-only", text: r.allowed ? t("coord.rules.allowed") : t("coord.rules.denied") }));
  };
  const matrix = el("table", { class: "matrix", "data-list": "access-rules" },
    el("caption", { text: t("coord.rules.caption") }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: t("coord.rules.action") }),
      kinds.map((k) => el("th", { scope: "col", text: label("kind", k) })))),
    el("tbody", {}, actions.map((a) => el("tr", {}, el("th", { scope: "row" }, el("code", { text: a })), kinds.map((k) => cell(a, k))))));
  const legend = el("p", { class: "hint", text: t("coord.rules.legend") });
  const overrides = list({
    name: "organisation-rules",
    caption: t("coord.rules.overrides"),
    empty: t("coord.rules.noOverrides"),
    columns: [
      { key: "organisation_id", label: t("coord.org.name"), value: (r) => names.get(r.organisation_id) || r.organisation_id,
        raw: (r) => names.get(r.organisation_id) || r.organisation_id },
      { key: "action", label: t("coord.rules.action") },
      { key: "allowed", label: t("coord.rules.rule"), value: (r) => (r.allowed ? t("coord.rules.allowed") : t("coord.rules.denied")) },
    ],
    load: async () => ({ items: rules.filter((r) => r.organisation_id), next_cursor: null }),
  });
  const csvColumns = [{ key: "kind" }, { key: "organisation_id", raw: (r) => (r.organisation_id ? names.get(r.organisation_id) || r.organisation_id : "") },
    { key: "action" }, { key: "allowed" }];
  root.append(el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("coord.rules.caption") }, matrix),
    legend, el("p", { class: "buttons" }, csvButton("access-rules", csvColumns, async () => rules)),
    el("h2", { text: t("coord.rules.overrides") }), overrides.node);
  await overrides.reload();
}

// ---- reports ----

async function renderReports(root) {
  const occupancy = await api.call("GET", "/v1/reports/occupancy");
  const referrals = await api.call("GET", "/v1/reports/referrals");
  const threshold = occupancy.suppression_threshold ?? 5;
  const sites = occupancy.sites || [];
  const siteColumns = [
    { key: "site", label: t("housing.site.name") },
    { key: "operator", label: t("housing.table.operator") },
    { key: "units", label: t("housing.site.units") },
    { key: "occupancies", label: t("housing.table.occupancies"), raw: (s) => (s.suppressed ? "suppressed" : s.occupancies) },
    { key: "occupied_days", label: t("coord.report.occupiedDays"), raw: (s) => (s.suppressed ? "suppressed" : s.occupied_days) },
    { key: "vacant_days", label: t("coord.report.vacantDays"), raw: (s) => (s.suppressed ? "suppressed" : s.vacant_days) },
  ];
  const items = referrals.items || [];
  const refColumns = [
    { key: "month" }, { key: "program" }, { key: "status" }, { key: "outcome" },
    { key: "referrals", raw: (r) => (r.suppressed ? "suppressed" : r.referrals) },
  ];
  root.append(
    el("p", { class: "hint", text: t("kit.threshold", { count: threshold }) }),
    el("h2", { text: t("coord.report.occupancy") }),
    sites.length === 0 ? el("p", { class: "empty", text: t("coord.report.noSites") })
      : barChart({ name: "occupancy", caption: t("coord.report.occupancyCaption"), unit: t("housing.table.occupancies"),
        rows: sites.map((s) => ({ label: `${s.site} (${s.operator})`, value: s.occupancies, suppressed: s.suppressed })) }),
    el("p", { class: "buttons" }, csvButton("report-occupancy", siteColumns, async () => sites)),
    el("h2", { text: t("coord.report.referrals") }),
    items.length === 0 ? el("p", { class: "empty", text: t("coord.report.noReferrals") })
      : barChart({ name: "referrals", caption: t("coord.report.referralsCaption"), unit: t("coord.report.referralsUnit"),
        rows: items.map((r) => ({ label: [r.month, r.program, label("referralStatus", r.status), r.outcome].filter(Boolean).join(" · "),
          value: r.referrals, suppressed: r.suppressed })) }),
    el("p", { class: "buttons" }, csvButton("report-referrals", refColumns, async () => items)));
}

export const pages = [
  { name: "coordinator-organisations", title: "coord.nav.organisations", allowed, render: renderOrganisations },
  { name: "coordinator-certificates", title: "coord.nav.certificates", allowed, render: renderCertificates },
  { name: "coordinator-admins", title: "coord.nav.admins", allowed, render: renderAdmins },
  { name: "coordinator-rules", title: "coord.nav.rules", allowed, render: renderRules },
  { name: "coordinator-reports", title: "coord.nav.reports", allowed, render: renderReports },
];
