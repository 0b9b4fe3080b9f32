// housing: the housing officer's pages (a SISP, an AIS, CityDev: an
// organisation of kind housing_operator, or one granted site.host), built
// of ui.js's blocks: its
// sites and the partnership's site table (seed 002), its units (publish,
// audience, period, terms, withdraw), the proposals to decide with what
// the consent shares, its occupancies with their conventions and the
// ending-soon alerts.  Every call goes through /v1, which decides.

import * as api from "./api.js";
import * as ui from "./ui.js";

const { el, t } = ui;

export const KINDS = ["justice_aid", "street_work", "homeless_service", "cpas", "housing_operator", "coordinator", "home_guidance"];
const UNIT_TYPES = ["room", "studio", "apartment", "house", "shared_house_room"];
const UNIT_STATUSES = ["published", "draft", "reserved", "occupied", "withdrawn", "closed"];
const TERMS = ["precarious_occupation", "transit", "lease"];
const ACCESSIBILITY = ["none", "ground_floor", "lift", "wheelchair"];
const DECLINE_REASONS = ["household_does_not_fit", "needs_not_met", "person_unreachable", "unit_unavailable", "other"];
const CONVENTION_KINDS = ["precarious_occupation", "transit_convention", "lease", "community_house_convention"];

const options = (prefix, codes) => codes.map((c) => [c, ui.label(prefix, c)]);
const enc = encodeURIComponent;
const ownId = () => ((ui.session() || {}).organisation || {}).id || "";
const today = (days = 0) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

// The directory's names: ids are not for people.
async function orgNames() {
  return new Map((await ui.fetchAll("/v1/organisations", {})).map((o) => [o.id, o.name]));
}

function period(from, until) {
  return until ? `${ui.formatDate(from)} – ${ui.formatDate(until)}` : t("housing.openEnded", { from: ui.formatDate(from) });
}

export function suppressedCell() {
  return el("span", { class: "suppressed", title: t("kit.suppressedLong") }, t("kit.suppressed"));
}

// A table of rows already read (several routes put together, a report):
// the same look as ui.list, its CSV the rows as the API gave them.
export function table({ name, caption, columns, rows, empty }) {
  const head = el("tr", {}, columns.map((c) => el("th", { scope: "col", text: t(c.title) })));
  const body = el("tbody", {}, rows.map((r) => el("tr", {}, columns.map((c, i) =>
    el(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : {}, c.value(r))))));
  const csv = el("button", { type: "button", class: "secondary csv", "data-csv": name }, t("csv.export"));
  csv.addEventListener("click", () => {
    ui.download(`${name}-${today()}.csv`, ui.toCsv(rows));
    ui.setStatus(t("csv.done", { count: rows.length }));
  });
  return el("div", { class: "list", "data-list": name },
    el("div", { class: "tools" }, csv),
    rows.length === 0 ? el("p", { class: "empty", text: t(empty) })
      : el("div", { class: "table-wrap" }, el("table", {}, el("caption", { text: caption }), el("thead", {}, head), body)));
}

// ---- sites ----

async function renderSites(body) {
  const partnerships = await ui.fetchAll("/v1/partnerships", {});
  const sites = ui.list({
    path: "/v1/sites",
    params: { operator_organisation_id: ownId() },
    caption: "housing.sites.caption",
    empty: "housing.sites.empty",
    csv: "sites",
    columns: [
      { title: "housing.site.name", value: (s) => s.name },
      { title: "housing.site.commune", value: (s) => s.commune },
      { title: "housing.site.managingPartner", value: (s) => s.managing_partner ?? "" },
      { title: "housing.site.units", value: (s) => String(s.units ?? "") },
      { title: "housing.period", value: (s) => period(s.period_from, s.period_until) },
      { title: "housing.status", value: (s) => ui.label("siteStatus", s.status) },
      { title: "kit.actions", value: (s) => ui.button(
        s.status === "running" ? t("housing.site.close", { name: s.name }) : t("housing.site.reopen", { name: s.name }),
        async () => {
          try {
            await api.call("PATCH", `/v1/sites/${enc(s.id)}`, { status: s.status === "running" ? "closed" : "running" },
              { headers: { "If-Match": `"${s.version}"` } });
            ui.go(location.hash, t("housing.site.saved", { name: s.name }));
          } catch (err) {
            ui.problem(err);
          }
        }, { kind: "secondary" }) },
    ],
  });
  sites.dataset.list = "sites";
  const create = ui.form({
    id: "site-form",
    submit: "housing.site.create",
    fields: [
      { name: "name", label: "housing.site.name", required: true },
      { name: "commune", label: "housing.site.commune", required: true },
      { name: "managing_partner", label: "housing.site.managingPartner" },
      { name: "units", label: "housing.site.unitsPlanned", type: "number" },
      { name: "period_from", label: "housing.periodFrom", type: "date", required: true },
      { name: "period_until", label: "housing.periodUntil", type: "date" },
      { name: "partnership_id", label: "housing.site.partnership", type: "select",
        options: [["", t("housing.site.noPartnership")], ...partnerships.map((p) => [p.id, p.name])] },
    ],
    onSubmit: async (v) => {
      const site = await api.call("POST", "/v1/sites", v, { headers: { "Idempotency-Key": ui.idempotencyKey() } });
      ui.go(location.hash, t("housing.site.created", { name: site.name }));
    },
  });
  const tables = el("div", { class: "block" });
  body.append(el("h2", { text: t("housing.sites.title") }), sites,
    el("h2", { text: t("housing.site.new") }), create,
    el("h2", { text: t("housing.table.title") }), tables);
  await sites.ready;
  await partnershipTables(tables, partnerships);
}

// The site table a partnership keeps (seed 002: ISSUE's sites); a count of
// people under the threshold is suppressed, and shown so.
async function partnershipTables(root, partnerships) {
  if (partnerships.length === 0) {
    root.append(el("p", { class: "empty", text: t("housing.table.empty") }));
    return;
  }
  for (const p of partnerships) {
    const answer = await api.call("GET", `/v1/partnerships/${enc(p.id)}/sites`);
    const count = (s, key) => (s.suppressed ? suppressedCell() : String(s[key] ?? ""));
    root.append(table({
      name: `partnership-${String(answer.partnership).toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
      caption: t("housing.table.caption", { name: answer.partnership }),
      empty: "housing.table.noSites",
      rows: answer.sites || [],
      columns: [
        { title: "housing.site.name", value: (s) => s.site },
        { title: "housing.table.operator", value: (s) => s.operator },
        { title: "housing.site.units", value: (s) => String(s.units ?? "") },
        { title: "housing.period", value: (s) => period(s.period_from, s.period_until) },
        { title: "housing.status", value: (s) => ui.label("siteStatus", s.status) },
        { title: "housing.table.occupancies", value: (s) => count(s, "occupancies") },
        { title: "housing.table.housedNow", value: (s) => count(s, "housed_now") },
      ],
    }), el("p", { class: "hint", text: t("kit.threshold", { count: answer.suppression_threshold ?? 5 }) }));
  }
}

// ---- units ----

async function renderUnits(body, args) {
  const names = await orgNames();
  const sites = await ui.fetchAll("/v1/sites", { operator_organisation_id: ownId() });
  const siteName = new Map(sites.map((s) => [s.id, s.name]));
  const status = UNIT_STATUSES.includes(args[0]) ? args[0] : "published";
  // The API lists one status at a time (published unless asked).
  const shown = el("select", { id: "units-status" }, options("unitStatus", UNIT_STATUSES)
    .map(([v, text]) => el("option", { value: v, selected: v === status }, text)));
  shown.addEventListener("change", () => ui.go(`#/housing-units/${shown.value}`));
  const audience = (u) => (u.audience || []).map((a) => (a.kind ? ui.label("kind", a.kind) : names.get(a.organisation_id) ?? a.organisation_id)).join(", ");
  const units = ui.list({
    path: "/v1/units",
    params: { status },
    caption: "housing.units.caption",
    empty: sites.length === 0 ? "housing.units.emptyNoSite" : "housing.units.empty",
    csv: "units",
    columns: [
      { title: "housing.unit.label", value: (u) => u.label },
      { title: "housing.unit.site", value: (u) => siteName.get(u.site_id) ?? "" },
      { title: "housing.unit.type", value: (u) => ui.label("unitType", u.type) },
      { title: "housing.unit.bedrooms", value: (u) => String(u.bedrooms ?? "") },
      { title: "housing.site.commune", value: (u) => u.commune },
      { title: "housing.unit.terms", value: (u) => ui.label("terms", u.terms) },
      { title: "housing.period", value: (u) => period(u.available_from, u.available_until) },
      { title: "housing.unit.audience", value: audience },
      { title: "housing.status", value: (u) => ui.label("unitStatus", u.status) },
      { title: "kit.actions", value: (u) => (u.operator_organisation_id === ownId() ? unitActions(u) : "") },
    ],
  });
  units.dataset.list = "units";
  const running = sites.filter((s) => s.status === "running");
  const create = ui.form({
    id: "unit-form",
    submit: "housing.unit.create",
    fields: [
      { name: "site_id", label: "housing.unit.site", type: "select", required: true,
        options: [["", t("form.choose")], ...running.map((s) => [s.id, s.name])] },
      { name: "label", label: "housing.unit.label", required: true },
      { name: "type", label: "housing.unit.type", type: "select", options: options("unitType", UNIT_TYPES), value: "studio" },
      { name: "bedrooms", label: "housing.unit.bedrooms", type: "number", value: "1" },
      { name: "accessibility", label: "housing.unit.accessibility", type: "select", options: options("accessibility", ACCESSIBILITY) },
      { name: "commune", label: "housing.site.commune", required: true },
      { name: "address", label: "housing.unit.address", required: true, hint: "housing.unit.addressHint" },
      { name: "monthly_contribution_eur", label: "housing.unit.contribution", type: "number" },
      { name: "available_from", label: "housing.unit.availableFrom", type: "date", required: true, value: today() },
      { name: "available_until", label: "housing.unit.availableUntil", type: "date" },
      { name: "terms", label: "housing.unit.terms", type: "select", options: options("terms", TERMS) },
      { name: "max_stay_months", label: "housing.unit.maxStay", type: "number" },
      { name: "audience", label: "housing.unit.audience", type: "checkboxes", sendEmpty: true,
        options: options("kind", KINDS.filter((k) => k !== "coordinator")) },
      { name: "status", label: "housing.unit.publishNow", type: "select",
        options: [["published", ui.label("unitStatus", "published")], ["draft", ui.label("unitStatus", "draft")]] },
    ],
    onSubmit: async (v) => {
      const unit = await api.call("POST", "/v1/units", { ...v, audience: (v.audience || []).map((kind) => ({ kind })) },
        { headers: { "Idempotency-Key": ui.idempotencyKey() } });
      ui.go(`#/housing-units/${unit.status}`, t("housing.unit.created", { name: unit.label }));
    },
  });
  body.append(el("h2", { text: t("housing.units.title") }),
    el("div", { class: "field" }, el("label", { for: "units-status", text: t("housing.units.shown") }), shown), units,
    el("h2", { text: t("housing.unit.new") }), create);
  await units.ready;
}

function unitActions(u) {
  const patch = async (status, done) => {
    try {
      await api.call("PATCH", `/v1/units/${enc(u.id)}`, { status }, { headers: { "If-Match": `"${u.version}"` } });
      ui.go(location.hash, t(done, { name: u.label }));
    } catch (err) {
      ui.problem(err);
    }
  };
  const out = [];
  if (u.status === "draft" || u.status === "withdrawn")
    out.push(ui.button(t("housing.unit.publish", { name: u.label }), () => patch("published", "housing.unit.published"), { kind: "secondary" }));
  if (u.status === "published" || u.status === "draft")
    out.push(ui.button(t("housing.unit.withdraw", { name: u.label }), () => patch("withdrawn", "housing.unit.withdrawn"), { kind: "secondary" }));
  return el("span", { class: "row-actions" }, out);
}

// The units of the statuses a proposal or an occupancy can have.
async function unitsWithProposals(progress) {
  const out = [];
  for (const status of ["published", "reserved", "occupied", "withdrawn"]) {
    out.push(...(await ui.fetchAll("/v1/units", { status })));
    if (progress) progress(out.length);
  }
  return out.filter((u) => u.operator_organisation_id === ownId());
}

// ---- proposals ----

async function renderProposals(body, args) {
  const names = await orgNames();
  const progress = el("p", { class: "progress", role: "status", "aria-live": "polite", text: t("list.loading") });
  body.append(el("h2", { text: t("housing.proposals.title") }), progress);
  // The proposals for the organisation's units, a page of 200 at a time
  // (GET /v1/proposals), and its units' labels.
  const [labels, mine] = await Promise.all([
    unitsWithProposals().then((units) => new Map(units.map((u) => [u.id, u.label]))),
    ui.fetchAll("/v1/proposals", { role: "operator" }, {
      progress: (count) => { progress.textContent = t("housing.proposals.progress", { count }); },
    }),
  ]);
  const proposals = mine.map((p) => ({ ...p, unit_label: labels.get(p.unit_id) ?? p.unit_id }));
  progress.textContent = "";
  proposals.sort((a, b) => (a.status === "open" ? 0 : 1) - (b.status === "open" ? 0 : 1) ||
    String(a.created_at).localeCompare(b.created_at));
  const shares = (p) => (p.shared_categories || []).map((c) => ui.label("category", c)).join(", ");
  body.append(table({
    name: "proposals",
    caption: t("housing.proposals.caption"),
    empty: "housing.proposals.empty",
    rows: proposals,
    columns: [
      { title: "housing.unit.label", value: (p) => p.unit_label },
      { title: "housing.proposal.proposer", value: (p) => names.get(p.proposer_organisation_id) ?? p.proposer_organisation_id },
      { title: "housing.proposal.shares", value: shares },
      { title: "housing.proposal.received", value: (p) => ui.formatTime(p.created_at) },
      { title: "housing.status", value: (p) => ui.label("proposalStatus", p.status) },
      { title: "housing.proposal.reason", value: (p) => (p.reason_code ? ui.label("reason", p.reason_code) : "") },
      { title: "kit.actions", value: (p) => ui.link(`#/housing-proposals/${enc(p.id)}`, t("housing.proposal.open", { name: p.unit_label })) },
    ],
  }));
  const chosen = proposals.find((p) => p.id === args[0]);
  if (chosen) await proposalDetail(body, chosen, shares(chosen));
}

// One proposal: what the consent shares (the referral's fields the unit's
// operator may read while the proposal is open or accepted), the decision,
// then the start of the occupancy.
async function proposalDetail(body, p, shares) {
  const detail = el("section", { id: "proposal-detail", class: "block", "aria-labelledby": "proposal-detail-title" },
    el("h2", { id: "proposal-detail-title", tabindex: "-1", text: t("housing.proposal.title", { name: p.unit_label }) }),
    el("p", { text: t("housing.proposal.sharesIntro", { categories: shares || t("housing.proposal.nothing") }) }));
  if (p.note) detail.append(el("p", {}, el("strong", { text: t("housing.proposal.note") }), " ", p.note));
  body.append(detail);
  try {
    const referral = await api.call("GET", `/v1/referrals/${enc(p.referral_id)}`);
    const data = referral.data && typeof referral.data === "object" ? referral.data : {};
    const pairs = [];
    for (const [category, fields] of Object.entries(data))
      if (fields && typeof fields === "object")
        for (const [field, value] of Object.entries(fields))
          pairs.push(el("dt", { text: `${ui.label("category", category)} — ${field}` }),
            el("dd", { text: typeof value === "object" ? JSON.stringify(value) : String(value) }));
    detail.append(pairs.length ? el("dl", { class: "shared" }, pairs) : el("p", { class: "empty", text: t("housing.proposal.noData") }));
  } catch (err) {
    if (!(err instanceof api.Problem && (err.status === 404 || err.status === 410))) throw err;
    detail.append(el("p", { class: "empty", text: t("housing.proposal.noData") }));
  }
  if (p.status === "open") {
    detail.append(ui.form({
      id: "decision-form",
      submit: "housing.proposal.decide",
      fields: [
        { name: "decision", label: "housing.proposal.decision", type: "select",
          options: [["accept", t("housing.proposal.accept")], ["decline", t("housing.proposal.decline")]] },
        { name: "reason_code", label: "housing.proposal.reason", type: "select",
          options: [["", t("housing.proposal.noReason")], ...options("reason", DECLINE_REASONS)] },
        { name: "note", label: "housing.proposal.note", type: "textarea" },
      ],
      onSubmit: async (v) => {
        const answer = await api.call("POST", `/v1/proposals/${enc(p.id)}/decision`, v);
        ui.go(location.hash, t(answer.status === "accepted" ? "housing.proposal.accepted" : "housing.proposal.declined", { name: p.unit_label }));
      },
    }));
  } else if (p.status === "accepted") {
    detail.append(el("h3", { text: t("housing.occupancy.start") }), ui.form({
      id: "occupancy-form",
      submit: "housing.occupancy.startButton",
      fields: [
        { name: "start_date", label: "housing.occupancy.startDate", type: "date", required: true, value: today() },
        { name: "planned_end_date", label: "housing.occupancy.plannedEnd", type: "date" },
        { name: "convention.kind", label: "housing.convention.kind", type: "select",
          options: [["", t("housing.convention.none")], ...options("convention", CONVENTION_KINDS)] },
        { name: "convention.reference", label: "housing.convention.reference" },
        { name: "convention.signed_on", label: "housing.convention.signedOn", type: "date" },
      ],
      onSubmit: async (v) => {
        await api.call("POST", "/v1/occupancies", { proposal_id: p.id, ...v }, { headers: { "Idempotency-Key": ui.idempotencyKey() } });
        ui.go("#/housing-occupancies", t("housing.occupancy.started", { name: p.unit_label }));
      },
    }));
  }
  detail.querySelector("h2").focus();
}

// ---- occupancies and alerts ----

// The occupancies the organisation may read (GET /v1/occupancies, 200 a
// page); the "ending soon" alert housekeeping raised for it is on each
// (ending_soon_alerted_at).
async function renderOccupancies(body) {
  const names = await orgNames();
  const progress = el("p", { class: "progress", role: "status", "aria-live": "polite", text: t("list.loading") });
  body.append(progress);
  const [occupancies, units] = await Promise.all([
    ui.fetchAll("/v1/occupancies", {}, {
      progress: (count) => { progress.textContent = t("housing.occupancies.progress", { count }); },
    }),
    unitsWithProposals().then((all) => new Map(all.map((u) => [u.id, u.label]))),
  ]);
  const ending = new Map(occupancies.filter((o) => o.ending_soon_alerted_at).map((o) => [o.id, o.ending_soon_alerted_at]));
  progress.textContent = "";
  const convention = (o) => (o.convention ? [ui.label("convention", o.convention.kind), o.convention.reference].filter(Boolean).join(" · ")
    : t("housing.convention.none"));
  const columns = [
    { title: "housing.unit.label", value: (o) => units.get(o.unit_id) ?? ui.label("occupancyKind", o.kind) },
    { title: "housing.occupancy.referrer", value: (o) => names.get(o.referring_organisation_id) ?? o.referring_organisation_id },
    { title: "housing.occupancy.startDate", value: (o) => ui.formatDate(o.start_date) },
    { title: "housing.occupancy.plannedEnd", value: (o) => ui.formatDate(o.planned_end_date) },
  ];
  body.append(
    el("h2", { text: t("housing.alerts.title") }),
    table({ name: "ending-soon", caption: t("housing.alerts.caption"), empty: "housing.alerts.empty",
      rows: occupancies.filter((o) => ending.has(o.id) && !o.end_date),
      columns: [...columns, { title: "housing.alerts.when", value: (o) => ui.formatTime(ending.get(o.id)) }] }),
    el("h2", { text: t("housing.occupancies.title") }),
    table({ name: "occupancies", caption: t("housing.occupancies.caption"), empty: "housing.occupancies.empty",
      rows: occupancies,
      columns: [...columns,
        { title: "housing.occupancy.ended", value: (o) => (o.end_date ? `${ui.formatDate(o.end_date)} (${ui.label("outcome", o.outcome)})` : "") },
        { title: "housing.convention.kind", value: convention },
        { title: "housing.occupancy.referent", value: (o) => (o.referent ? [o.referent.name, names.get(o.referent.organisation_id)].filter(Boolean).join(", ") : "") },
        { title: "kit.actions", value: (o) => ui.link(`#/occupancy/${enc(o.id)}`,
          t("occupancy.open", { name: units.get(o.unit_id) ?? ui.label("placement", o.kind) })) },
      ] }));
}

const pages = [
  ["housing-sites", "housing.nav.sites", renderSites],
  ["housing-units", "housing.nav.units", renderUnits],
  ["housing-proposals", "housing.nav.proposals", renderProposals],
  ["housing-occupancies", "housing.nav.occupancies", renderOccupancies],
];
// An organisation of another kind may host sites when the coordinator
// granted it site.host (docs/access-rules.md, "Hosting"): its rules are
// read once per organisation, and the navigation drawn again when they say so.
const hosting = new Map();

function mayHost(s) {
  const org = (s && s.organisation) || {};
  if (org.kind === "housing_operator") return true;
  if (!org.id) return false;
  if (!hosting.has(org.id)) {
    hosting.set(org.id, false);
    api.call("GET", "/v1/access-rules").then((answer) => {
      const rules = ((answer && answer.items) || []).filter((r) => r.action === "site.host");
      const own = rules.find((r) => r.organisation_id);
      const kind = rules.find((r) => !r.organisation_id);
      const granted = Boolean(own ? own.allowed : kind && kind.allowed);
      hosting.set(org.id, granted);
      if (granted && ui.session()) ui.renderNav(ui.session(), document.documentElement.dataset.page);
    }).catch(() => hosting.delete(org.id));
  }
  return hosting.get(org.id);
}

// After the social worker's pages (60) and before the events (70): a
// hosting organisation sees both.
pages.forEach(([name, title, render], i) => ui.definePage({ name, title, groups: ["housing", "worker"], order: 62 + i,
  allowed: mayHost, render }));
