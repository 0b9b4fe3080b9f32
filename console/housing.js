// housing: the housing officer's pages (a SISP, an AIS, CityDev, or any
// organisation granted site.host): its sites and the partnership's site
// table, its units (publish, audience, period, terms, withdraw), the
// proposals to decide with what the consent shares, its occupancies with
// their conventions and the ending-soon alerts.  Every call goes through
// /v1, which decides what the organisation may do.

import * as api from "./api.js";
import { clear, date, el, fail, form, label, list, query, readAll, status, t, today } from "./pagekit.js";

export const KINDS = ["justice_aid", "street_work", "homeless_service", "cpas", "housing_operator", "coordinator", "home_guidance"];
const UNIT_TYPES = ["room", "studio", "apartment", "house", "shared_house_room"];
const TERMS = ["precarious_occupation", "transit", "lease"];
const ACCESSIBILITY = ["none", "ground_floor", "lift", "wheelchair"];
const DECLINE_REASONS = ["household_does_not_fit", "needs_not_met", "person_unreachable", "unit_unavailable", "other"];
const UNIT_STATUSES = ["published", "draft", "reserved", "occupied", "withdrawn", "closed"];
const CONVENTION_KINDS = ["precarious_occupation", "transit_convention", "lease", "community_house_convention"];

let session = null;
let hosting = false;

const options = (prefix, codes) => codes.map((c) => ({ value: c, label: label(prefix, c) }));
const ownId = () => (session && session.organisation ? session.organisation.id : "");

// A housing operator, or an organisation the coordinator let host sites.
export async function prepare(s) {
  session = s;
  hosting = false;
  if (!s || !s.organisation || s.organisation.kind === "housing_operator" || s.organisation.kind === "coordinator") return;
  try {
    const rules = await api.call("GET", "/v1/access-rules");
    hosting = (rules.items || []).some((r) => r.action === "site.host" && r.allowed === true);
  } catch {
    hosting = false; // not shown: the API would refuse anyway
  }
}

function allowed(s) {
  return Boolean(s && s.organisation && (s.organisation.kind === "housing_operator" || hosting));
}

// The directory's names, read once per page: ids are not for people.
let names = new Map();
async function loadNames() {
  const orgs = await readAll("/v1/organisations");
  names = new Map(orgs.map((o) => [o.id, o.name]));
}
const orgName = (id) => names.get(id) || String(id ?? "");

function audienceText(audience) {
  return (audience || []).map((a) => (a.kind ? label("kind", a.kind) : orgName(a.organisation_id))).join(", ");
}

function period(from, until) {
  return until ? `${date(from)} – ${date(until)}` : t("housing.openEnded", { from: date(from) });
}

// ---- sites ----

async function renderSites(root) {
  await loadNames();
  const partnerships = await readAll("/v1/partnerships");
  const sites = list({
    name: "sites",
    caption: t("housing.sites.caption"),
    empty: t("housing.sites.empty"),
    columns: [
      { key: "name", label: t("housing.site.name") },
      { key: "commune", label: t("housing.site.commune") },
      { key: "managing_partner", label: t("housing.site.managingPartner") },
      { key: "units", label: t("housing.site.units") },
      { key: "period_from", label: t("housing.period"), value: (s) => period(s.period_from, s.period_until),
        raw: (s) => `${s.period_from}/${s.period_until ?? ""}` },
      { key: "status", label: t("housing.status"), value: (s) => label("siteStatus", s.status) , raw: (s) => s.status },
    ],
    load: (cursor) => api.call("GET", query("/v1/sites", { operator_organisation_id: ownId(), cursor })),
    actions: (s) => el("button", {
      type: "button",
      class: "secondary",
      text: s.status === "running" ? t("housing.site.close", { name: s.name }) : t("housing.site.reopen", { name: s.name }),
      onclick: async () => {
        try {
          await api.call("PATCH", `/v1/sites/${encodeURIComponent(s.id)}`,
            { status: s.status === "running" ? "closed" : "running" }, { "If-Match": `"${s.version}"` });
          status(t("housing.site.saved", { name: s.name }));
          await sites.reload();
        } catch (err) {
          fail(err);
        }
      },
    }),
  });
  const create = form({
    name: "site",
    submitLabel: t("housing.site.create"),
    fields: [
      { name: "name", label: t("housing.site.name"), required: true },
      { name: "commune", label: t("housing.site.commune"), required: true },
      { name: "managing_partner", label: t("housing.site.managingPartner") },
      { name: "units", label: t("housing.site.unitsPlanned"), type: "number", min: 0 },
      { name: "period_from", label: t("housing.periodFrom"), type: "date", required: true },
      { name: "period_until", label: t("housing.periodUntil"), type: "date" },
      { name: "partnership_id", label: t("housing.site.partnership"), type: "select",
        options: [{ value: "", label: t("housing.site.noPartnership") }, ...partnerships.map((p) => ({ value: p.id, label: p.name }))] },
    ],
    submit: async (v) => {
      const site = await api.call("POST", "/v1/sites", v);
      create.reset();
      status(t("housing.site.created", { name: site.name }));
      await sites.reload();
    },
  });
  const table = el("div", { class: "block" });
  root.append(
    el("h2", { text: t("housing.sites.title") }), sites.node,
    el("h2", { text: t("housing.site.new") }), create.node,
    el("h2", { text: t("housing.table.title") }), table);
  await sites.reload();
  await renderPartnershipTables(table, partnerships);
}

// The site table a partnership keeps (seed 002: ISSUE's sites), counts of
// people under five suppressed.
async function renderPartnershipTables(root, partnerships) {
  if (partnerships.length === 0) {
    root.append(el("p", { class: "empty", text: t("housing.table.empty") }));
    return;
  }
  for (const p of partnerships) {
    const answer = await api.call("GET", `/v1/partnerships/${encodeURIComponent(p.id)}/sites`);
    const columns = [
      { key: "site", label: t("housing.site.name") },
      { key: "operator", label: t("housing.table.operator") },
      { key: "units", label: t("housing.site.units") },
      { key: "period_from", label: t("housing.period"), value: (s) => period(s.period_from, s.period_until),
        raw: (s) => `${s.period_from}/${s.period_until ?? ""}` },
      { key: "status", label: t("housing.status"), value: (s) => label("siteStatus", s.status), raw: (s) => s.status },
      { key: "occupancies", label: t("housing.table.occupancies"),
        value: (s) => (s.suppressed ? suppressedCell() : String(s.occupancies ?? "")), raw: (s) => (s.suppressed ? "suppressed" : s.occupancies) },
      { key: "housed_now", label: t("housing.table.housedNow"),
        value: (s) => (s.suppressed ? suppressedCell() : String(s.housed_now ?? "")), raw: (s) => (s.suppressed ? "suppressed" : s.housed_now) },
    ];
    const rows = answer.sites || [];
    const name = `partnership-${String(answer.partnership).toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
    const tbl = list({ name, caption: t("housing.table.caption", { name: answer.partnership }), columns,
      empty: t("housing.table.noSites"), load: async () => ({ items: rows, next_cursor: null }) });
    root.append(tbl.node, el("p", { class: "hint", text: t("kit.threshold", { count: answer.suppression_threshold }) }));
    await tbl.reload();
  }
}

// The units of the statuses a proposal or an occupancy can have.
async function unitsWithProposals() {
  const out = [];
  for (const status of ["published", "reserved", "occupied", "withdrawn"]) out.push(...(await readAll("/v1/units", { status })));
  return out;
}

export function suppressedCell() {
  return el("span", { class: "suppressed", text: t("kit.suppressed"), title: t("kit.suppressedLong") });
}

// ---- units ----

async function renderUnits(root) {
  await loadNames();
  const sites = (await readAll("/v1/sites", { operator_organisation_id: ownId() })).filter((s) => s.status === "running");
  const siteName = new Map(sites.map((s) => [s.id, s.name]));
  // The API lists one status at a time (published unless asked).
  const shown = el("select", { id: "units-status", name: "units-status" }, options("unitStatus", UNIT_STATUSES)
    .map((o) => el("option", { value: o.value, text: o.label })));
  const units = list({
    name: "units",
    caption: t("housing.units.caption"),
    empty: sites.length === 0 ? t("housing.units.emptyNoSite") : t("housing.units.empty"),
    columns: [
      { key: "label", label: t("housing.unit.label") },
      { key: "site_id", label: t("housing.unit.site"), value: (u) => siteName.get(u.site_id) || "", raw: (u) => siteName.get(u.site_id) || u.site_id },
      { key: "type", label: t("housing.unit.type"), value: (u) => label("unitType", u.type), raw: (u) => u.type },
      { key: "bedrooms", label: t("housing.unit.bedrooms") },
      { key: "commune", label: t("housing.site.commune") },
      { key: "terms", label: t("housing.unit.terms"), value: (u) => label("terms", u.terms), raw: (u) => u.terms },
      { key: "available_from", label: t("housing.period"), value: (u) => period(u.available_from, u.available_until),
        raw: (u) => `${u.available_from}/${u.available_until ?? ""}` },
      { key: "audience", label: t("housing.unit.audience"), value: (u) => audienceText(u.audience), raw: (u) => audienceText(u.audience) },
      { key: "status", label: t("housing.status"), value: (u) => label("unitStatus", u.status), raw: (u) => u.status },
    ],
    load: (cursor) => api.call("GET", query("/v1/units", { status: shown.value, cursor })),
    actions: (u) => (u.operator_organisation_id === ownId() ? unitActions(u, () => units.reload()) : []),
  });
  shown.addEventListener("change", () => units.reload());
  const create = form({
    name: "unit",
    submitLabel: t("housing.unit.create"),
    fields: [
      { name: "site_id", label: t("housing.unit.site"), type: "select", required: true,
        options: [{ value: "", label: t("housing.unit.chooseSite") }, ...sites.map((s) => ({ value: s.id, label: s.name }))] },
      { name: "label", label: t("housing.unit.label"), required: true },
      { name: "type", label: t("housing.unit.type"), type: "select", options: options("unitType", UNIT_TYPES), value: "studio" },
      { name: "bedrooms", label: t("housing.unit.bedrooms"), type: "number", min: 0, value: "1" },
      { name: "accessibility", label: t("housing.unit.accessibility"), type: "select", options: options("accessibility", ACCESSIBILITY) },
      { name: "commune", label: t("housing.site.commune"), required: true },
      { name: "address", label: t("housing.unit.address"), required: true, hint: t("housing.unit.addressHint") },
      { name: "monthly_contribution_eur", label: t("housing.unit.contribution"), type: "number", min: 0 },
      { name: "available_from", label: t("housing.unit.availableFrom"), type: "date", required: true, value: today() },
      { name: "available_until", label: t("housing.unit.availableUntil"), type: "date" },
      { name: "terms", label: t("housing.unit.terms"), type: "select", options: options("terms", TERMS) },
      { name: "max_stay_months", label: t("housing.unit.maxStay"), type: "number", min: 1 },
      { name: "audience", label: t("housing.unit.audience"), type: "checks", options: options("kind", KINDS.filter((k) => k !== "coordinator")) },
      { name: "status", label: t("housing.unit.publishNow"), type: "select",
        options: [{ value: "published", label: label("unitStatus", "published") }, { value: "draft", label: label("unitStatus", "draft") }] },
    ],
    submit: async (v) => {
      const body = { ...v, audience: (v.audience || []).map((kind) => ({ kind })) };
      const unit = await api.call("POST", "/v1/units", body);
      create.reset();
      status(t("housing.unit.created", { name: unit.label }));
      await units.reload();
    },
  });
  root.append(el("h2", { text: t("housing.units.title") }),
    el("div", { class: "field" }, el("label", { for: "units-status", text: t("housing.units.shown") }), shown), units.node,
    el("h2", { text: t("housing.unit.new") }), create.node);
  await units.reload();
}

function unitActions(u, reload) {
  const patch = async (body, done) => {
    try {
      await api.call("PATCH", `/v1/units/${encodeURIComponent(u.id)}`, body, { "If-Match": `"${u.version}"` });
      status(t(done, { name: u.label }));
      await reload();
    } catch (err) {
      fail(err);
    }
  };
  const out = [];
  if (u.status === "draft" || u.status === "withdrawn")
    out.push(el("button", { type: "button", class: "secondary", text: t("housing.unit.publish", { name: u.label }),
      onclick: () => patch({ status: "published" }, "housing.unit.published") }));
  if (u.status === "published" || u.status === "draft")
    out.push(el("button", { type: "button", class: "secondary", text: t("housing.unit.withdraw", { name: u.label }),
      onclick: () => patch({ status: "withdrawn" }, "housing.unit.withdrawn") }));
  return out;
}

// ---- proposals ----

async function renderProposals(root) {
  await loadNames();
  const progress = el("p", { class: "progress", role: "status", "aria-live": "polite", text: t("kit.loading") });
  const detail = el("div", { class: "block", id: "proposal-detail" });
  root.append(el("h2", { text: t("housing.proposals.title") }), progress);
  const units = await unitsWithProposals();
  const proposals = [];
  let n = 0;
  for (const u of units) {
    n++;
    progress.textContent = t("housing.proposals.progress", { done: n, total: units.length });
    const answer = await api.call("GET", `/v1/units/${encodeURIComponent(u.id)}/proposals`);
    for (const p of answer.items || []) if (p.operator_organisation_id === ownId()) proposals.push({ ...p, unit: u });
  }
  progress.textContent = "";
  proposals.sort((a, b) => (a.status === "open" ? 0 : 1) - (b.status === "open" ? 0 : 1) || String(a.created_at).localeCompare(b.created_at));
  const tbl = list({
    name: "proposals",
    caption: t("housing.proposals.caption"),
    empty: t("housing.proposals.empty"),
    columns: [
      { key: "unit", label: t("housing.unit.label"), value: (p) => p.unit.label, raw: (p) => p.unit.label },
      { key: "proposer_organisation_id", label: t("housing.proposal.proposer"), value: (p) => orgName(p.proposer_organisation_id),
        raw: (p) => orgName(p.proposer_organisation_id) },
      { key: "shared_categories", label: t("housing.proposal.shares"),
        value: (p) => (p.shared_categories || []).map((c) => label("category", c)).join(", "), raw: (p) => (p.shared_categories || []).join(" ") },
      { key: "created_at", label: t("housing.proposal.received"), value: (p) => date(p.created_at) },
      { key: "status", label: t("housing.status"), value: (p) => label("proposalStatus", p.status), raw: (p) => p.status },
      { key: "reason_code", label: t("housing.proposal.reason"), value: (p) => (p.reason_code ? label("reason", p.reason_code) : "") },
    ],
    load: async () => ({ items: proposals, next_cursor: null }),
    actions: (p) => el("button", { type: "button", class: "secondary", "data-proposal": p.id,
      text: t("housing.proposal.open", { name: p.unit.label }), onclick: () => openProposal(p, detail, () => renderAgain(root)) }),
  });
  root.append(tbl.node, detail);
  await tbl.reload();
}

async function renderAgain(root) {
  clear(root);
  await renderProposals(root);
}

// One proposal: what the consent shares (the referral's fields the unit's
// operator may read), and the decision.
async function openProposal(p, detail, reload) {
  clear(detail);
  const heading = el("h2", { tabindex: "-1", text: t("housing.proposal.title", { name: p.unit.label }) });
  detail.append(heading);
  detail.append(el("p", { text: t("housing.proposal.sharesIntro", {
    categories: (p.shared_categories || []).map((c) => label("category", c)).join(", ") || t("housing.proposal.nothing") }) }));
  if (p.note) detail.append(el("p", {}, el("strong", { text: t("housing.proposal.note") }), " ", p.note));
  try {
    const referral = await api.call("GET", `/v1/referrals/${encodeURIComponent(p.referral_id)}`);
    const data = referral.data && typeof referral.data === "object" ? referral.data : {};
    const dl = el("dl", { class: "shared" });
    for (const [category, fields] of Object.entries(data)) {
      if (!fields || typeof fields !== "object") continue;
      for (const [field, value] of Object.entries(fields)) {
        dl.append(el("dt", { text: `${label("category", category)} — ${field}` }),
          el("dd", { text: typeof value === "object" ? JSON.stringify(value) : String(value) }));
      }
    }
    if (dl.childElementCount) detail.append(dl);
    else detail.append(el("p", { class: "empty", text: t("housing.proposal.noData") }));
  } catch (err) {
    fail(err);
  }
  if (p.status === "open") {
    const decide = form({
      name: "decision",
      submitLabel: t("housing.proposal.decide"),
      fields: [
        { name: "decision", label: t("housing.proposal.decision"), type: "select",
          options: [{ value: "accept", label: t("housing.proposal.accept") }, { value: "decline", label: t("housing.proposal.decline") }] },
        { name: "reason_code", label: t("housing.proposal.reason"), type: "select",
          options: [{ value: "", label: t("housing.proposal.noReason") }, ...options("reason", DECLINE_REASONS)] },
        { name: "note", label: t("housing.proposal.note"), type: "textarea" },
      ],
      submit: async (v) => {
        const answer = await api.call("POST", `/v1/proposals/${encodeURIComponent(p.id)}/decision`, v);
        status(t(answer.status === "accepted" ? "housing.proposal.accepted" : "housing.proposal.declined", { name: p.unit.label }));
        await reload();
      },
    });
    detail.append(decide.node);
  } else if (p.status === "accepted") {
    detail.append(el("h3", { text: t("housing.occupancy.start") }));
    const start = form({
      name: "occupancy",
      submitLabel: t("housing.occupancy.startButton"),
      fields: [
        { name: "start_date", label: t("housing.occupancy.startDate"), type: "date", required: true, value: today() },
        { name: "planned_end_date", label: t("housing.occupancy.plannedEnd"), type: "date" },
        { name: "convention", label: t("housing.convention.kind"), type: "select",
          options: [{ value: "", label: t("housing.convention.none") }, ...options("convention", CONVENTION_KINDS)] },
        { name: "reference", label: t("housing.convention.reference") },
      ],
      submit: async (v) => {
        const body = { proposal_id: p.id, start_date: v.start_date };
        if (v.planned_end_date) body.planned_end_date = v.planned_end_date;
        if (v.convention) body.convention = { kind: v.convention, ...(v.reference ? { reference: v.reference } : {}) };
        await api.call("POST", "/v1/occupancies", body);
        status(t("housing.occupancy.started", { name: p.unit.label }));
        await reload();
      },
    });
    detail.append(start.node);
  }
  heading.focus();
}

// ---- occupancies and alerts ----

// The feed tells which occupancies concern the organisation (there is no
// list of them): each is read; an ending_soon alert marks its row.
async function readFeed(progress) {
  const events = [];
  let after = null;
  for (let n = 0; n < 50; n++) {
    const page = await api.call("GET", query("/v1/events", { after, limit: 200 }));
    const items = page.items || [];
    events.push(...items);
    progress.textContent = t("housing.feed.progress", { count: events.length });
    if (items.length === 0 || !page.next_cursor || page.next_cursor === after) break;
    after = page.next_cursor;
  }
  return events;
}

async function renderOccupancies(root) {
  await loadNames();
  const progress = el("p", { class: "progress", role: "status", "aria-live": "polite", text: t("kit.loading") });
  root.append(progress);
  const events = await readFeed(progress);
  const ids = [];
  const ending = new Map();
  for (const e of events) {
    const r = e.resource || {};
    if (r.type !== "occupancy" || !r.id) continue;
    if (!ids.includes(r.id)) ids.push(r.id);
    if (e.type === "occupancy.ending_soon") ending.set(r.id, e.created_at);
  }
  const occupancies = [];
  for (const id of ids) {
    try {
      occupancies.push(await api.call("GET", `/v1/occupancies/${encodeURIComponent(id)}`));
    } catch (err) {
      if (!(err instanceof api.Problem && (err.status === 404 || err.status === 410))) throw err;
    }
  }
  progress.textContent = "";
  const alerts = occupancies.filter((o) => ending.has(o.id) && !o.end_date);
  const units = new Map((await unitsWithProposals()).map((u) => [u.id, u.label]));
  const columns = [
    { key: "unit_id", label: t("housing.unit.label"), value: (o) => units.get(o.unit_id) || label("occupancyKind", o.kind),
      raw: (o) => units.get(o.unit_id) || o.kind },
    { key: "referring_organisation_id", label: t("housing.occupancy.referrer"), value: (o) => orgName(o.referring_organisation_id),
      raw: (o) => orgName(o.referring_organisation_id) },
    { key: "start_date", label: t("housing.occupancy.startDate"), value: (o) => date(o.start_date) },
    { key: "planned_end_date", label: t("housing.occupancy.plannedEnd"), value: (o) => date(o.planned_end_date) },
    { key: "end_date", label: t("housing.occupancy.ended"), value: (o) => (o.end_date ? `${date(o.end_date)} (${label("outcome", o.outcome)})` : ""),
      raw: (o) => (o.end_date ? `${o.end_date} ${o.outcome ?? ""}` : "") },
    { key: "convention", label: t("housing.convention.kind"),
      value: (o) => (o.convention ? [label("convention", o.convention.kind), o.convention.reference].filter(Boolean).join(" · ") : t("housing.convention.none")),
      raw: (o) => (o.convention ? [o.convention.kind, o.convention.reference].filter(Boolean).join(" ") : "") },
    { key: "referent", label: t("housing.occupancy.referent"),
      value: (o) => (o.referent ? [o.referent.name, orgName(o.referent.organisation_id)].filter(Boolean).join(", ") : ""),
      raw: (o) => (o.referent ? [o.referent.name, orgName(o.referent.organisation_id)].filter(Boolean).join(", ") : "") },
  ];
  const alertList = list({ name: "ending-soon", caption: t("housing.alerts.caption"), empty: t("housing.alerts.empty"),
    columns: [...columns.slice(0, 4), { key: "alerted", label: t("housing.alerts.when"), value: (o) => date(ending.get(o.id)), raw: (o) => ending.get(o.id) }],
    load: async () => ({ items: alerts, next_cursor: null }) });
  const all = list({ name: "occupancies", caption: t("housing.occupancies.caption"), empty: t("housing.occupancies.empty"),
    columns, load: async () => ({ items: occupancies, next_cursor: null }) });
  root.append(el("h2", { text: t("housing.alerts.title") }), alertList.node,
    el("h2", { text: t("housing.occupancies.title") }), all.node);
  await alertList.reload();
  await all.reload();
}

// The pages, as app.js shows them: a name, who may see it, how it renders.
export const pages = [
  { name: "housing-sites", title: "housing.nav.sites", allowed, render: renderSites },
  { name: "housing-units", title: "housing.nav.units", allowed, render: renderUnits },
  { name: "housing-proposals", title: "housing.nav.proposals", allowed, render: renderProposals },
  { name: "housing-occupancies", title: "housing.nav.occupancies", allowed, render: renderOccupancies },
];
