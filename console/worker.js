// worker: the social worker's pages (issue 18): persons, consents and
// their slip, referrals and intakes, the inbox (accept, decline with a
// coded reason, waitlist), the waitlist and a unit's ranked candidates,
// proposals, placements, follow-ups and the event feed.  Everything through
// /v1 (docs/openapi.yaml) with the session: the console never does more
// than the API allows the organisation and the user's role.

import * as api from "./api.js";
import * as ui from "./ui.js";

const { el, t } = ui;

// ---- the API's codes (docs/openapi.yaml) ----

const PURPOSES = ["housing_referral", "social_aid", "rights_opening", "housing_support", "health_care"];
const CATEGORIES = ["identity", "contact", "housing_situation", "income", "family", "justice", "health", "follow_up"];
const KINDS = ["justice_aid", "street_work", "homeless_service", "cpas", "housing_operator", "home_guidance"];
const EVIDENCE = ["signed_form", "oral", "electronic_signature"];
const DECLINE = ["no_capacity", "criteria_not_met", "person_unreachable", "person_declined", "duplicate", "other"];
const CANCEL = ["person_housed_elsewhere", "person_declined", "person_unreachable", "sent_in_error", "other"];
const OUTCOMES = ["durable_housing", "transit_housing", "returned_to_street", "prison", "hospital", "deceased", "lost_contact", "other"];
const STATUSES = ["submitted", "received", "accepted", "declined", "waitlisted", "in_progress", "completed", "cancelled", "consent_withdrawn"];
const ACCESSIBILITY = ["none", "ground_floor", "lift", "wheelchair"];
const INCOME = ["none", "integration_income", "replacement_income", "work_income", "unknown"];
const PLACEMENT_KINDS = ["private_market", "social_housing", "social_rental_agency", "other"];
const FOLLOW_UP_STATUSES = ["active", "tenancy_at_risk", "relayed", "closed"];
const ENTRY_KINDS = ["visit", "call", "meeting", "accompaniment", "note"];
const OPEN = ["submitted", "received", "waitlisted", "accepted", "in_progress"];

const options = (prefix, codes) => codes.map((c) => [c, ui.label(prefix, c)]);
const blank = (list) => [["", t("form.choose")], ...list];
const enc = encodeURIComponent;
const me = () => (ui.session() && ui.session().organisation) || {};

// ---- the directory (names for ids), once per organisation signed in ----

let directory = null;
let directoryOf = "";

async function orgs() {
  if (!directory || directoryOf !== me().id) {
    directoryOf = me().id;
    directory = ui.fetchAll("/v1/organisations", {}).catch((err) => {
      directory = null;
      throw err;
    });
  }
  return directory;
}

async function orgNames() {
  const map = new Map();
  for (const o of await orgs()) map.set(o.id, o.name);
  return map;
}

function orgName(names, id) {
  return names.get(id) ?? String(id ?? "");
}

function h2(key) {
  return el("h2", { text: t(key) });
}

function intro(key) {
  return el("p", { class: "intro", text: t(key) });
}

function statusBadge(status) {
  return el("span", { class: `status-code status-${status}` }, ui.label("status", status));
}

function labels(prefix, codes) {
  return (codes || []).map((c) => ui.label(prefix, c)).join(", ");
}

function recipientsText(names, recipients) {
  return (recipients || []).map((r) => (r.organisation_id ? orgName(names, r.organisation_id)
    : t("consent.everyKind", { kind: ui.label("kind", r.kind) }))).join("; ");
}

// ---- persons ----

ui.definePage({
  name: "persons",
  title: "persons.title",
  order: 10,
  async render(body) {
    const create = ui.form({
      id: "person-form",
      submit: "persons.create",
      fields: [
        { name: "external_ref", label: "persons.externalRef", hint: "persons.externalRefHint" },
        { name: "birth_year", label: "persons.birthYear", type: "number" },
        { name: "niss", label: "persons.niss", hint: "persons.nissHint" },
      ],
      onSubmit: async (values) => {
        const person = await api.call("POST", "/v1/persons", values,
          { headers: { "Idempotency-Key": ui.idempotencyKey() } });
        ui.go(`#/person/${enc(person.id)}`, t("persons.created"));
      },
    });
    const open = ui.form({
      id: "person-open-form",
      submit: "persons.open",
      fields: [{ name: "id", label: "persons.id", hint: "persons.idHint" }],
      onSubmit: async (values) => {
        if (!/^[0-9a-f-]{36}$/i.test(values.id || "")) throw t("persons.badId");
        ui.go(`#/person/${enc(values.id)}`);
      },
    });
    body.append(intro("persons.intro"), h2("persons.new"), create, h2("persons.find"), open,
      h2("persons.mine"), intro("persons.mineIntro"),
      ui.list({
        path: "/v1/persons",
        csv: "persons",
        caption: "persons.mine",
        empty: "persons.mineEmpty",
        columns: [
          { title: "persons.externalRef", value: (p) => (p.erased_at ? t("persons.erased")
            : ui.link(`#/person/${enc(p.id)}`, p.external_ref || p.id.slice(0, 8))) },
          { title: "persons.birthYear", value: (p) => (p.birth_year == null ? "" : String(p.birth_year)) },
          { title: "persons.recorded", value: (p) => ui.formatTime(p.created_at) },
          { title: "persons.erasedAt", value: (p) => (p.erased_at ? ui.formatTime(p.erased_at) : "") },
        ],
      }));
  },
});

ui.definePage({
  name: "person",
  title: "person.title",
  nav: false,
  async render(body, [id]) {
    const names = await orgNames();
    body.append(ui.details([["person.id", el("code", {}, id)]]),
      el("p", { class: "actions" }, ui.link(`#/consent/${enc(id)}`, t("person.recordConsent"))),
      h2("person.consents"),
      ui.list({
        path: "/v1/consents",
        params: { person_id: id },
        csv: "consents",
        caption: "person.consents",
        empty: "person.consentsEmpty",
        columns: [
          { title: "col.recorded", value: (c) => ui.formatTime(c.created_at) },
          { title: "col.status", value: (c) => statusBadge(c.status) },
          { title: "col.recipients", value: (c) => recipientsText(names, c.recipients) },
          { title: "col.purposes", value: (c) => labels("purpose", c.purposes) },
          { title: "col.categories", value: (c) => labels("category", c.data_categories) },
          { title: "col.validUntil", value: (c) => ui.formatDate(c.valid_until) },
          {
            title: "col.actions",
            value: (c) => el("span", { class: "row-actions" },
              ui.link(`#/slip/${enc(id)}/${enc(c.id)}`, t("consent.slip")),
              c.status === "active" && c.created_by === me().id ? [
                " ", ui.link(`#/refer/${enc(id)}/${enc(c.id)}`, t("refer.title")),
                " ", ui.link(`#/intake/${enc(id)}/${enc(c.id)}`, t("intake.title")),
                " ", ui.button(t("consent.withdraw"), (e) => withdraw(e.currentTarget, c)),
              ] : null),
          },
        ],
      }));
    // On the person's request: two steps, no dialog, as a withdrawal; the
    // API decides who may (the recorder, the coordinator) and says so.
    body.append(h2("person.eraseTitle"), intro("person.eraseIntro"),
      el("p", { class: "actions" }, ui.button(t("person.erase"), (e) => erase(e.currentTarget), { kind: "secondary" })));
    async function erase(b) {
      if (b.dataset.confirm !== "yes") {
        b.dataset.confirm = "yes";
        b.textContent = t("person.eraseConfirm");
        return;
      }
      b.disabled = true;
      try {
        const erased = await api.call("DELETE", `/v1/persons/${enc(id)}`);
        ui.go(`#/person/${enc(id)}`, t("person.erased", { at: ui.formatTime(erased.erased_at) }));
      } catch (err) {
        b.disabled = false;
        ui.problem(err);
      }
    }
    // Two steps, no dialog: the button asks to confirm, a second press withdraws.
    async function withdraw(b, c) {
      if (b.dataset.confirm !== "yes") {
        b.dataset.confirm = "yes";
        b.textContent = t("consent.withdrawConfirm");
        return;
      }
      try {
        await api.call("POST", `/v1/consents/${enc(c.id)}/withdraw`, {});
        ui.go(`#/person/${enc(id)}`, t("consent.withdrawn"));
      } catch (err) {
        ui.problem(err);
      }
    }
  },
});

// ---- consent and its slip ----

ui.definePage({
  name: "consent",
  title: "consent.title",
  nav: false,
  async render(body, [personId]) {
    const all = (await orgs()).filter((o) => o.kind !== "coordinator" && o.status === "active");
    const s = ui.session();
    const f = ui.form({
      id: "consent-form",
      submit: "consent.record",
      fields: [
        { name: "person_id", type: "hidden", value: personId },
        {
          name: "recipients",
          label: "consent.recipients",
          hint: "consent.recipientsHint",
          type: "checkboxes",
          options: [
            ...all.map((o) => [`org:${o.id}`, `${o.name} (${ui.label("kind", o.kind)})`]),
            ...KINDS.map((k) => [`kind:${k}`, t("consent.everyKind", { kind: ui.label("kind", k) })]),
          ],
        },
        { name: "purposes", label: "consent.purposes", type: "checkboxes", options: options("purpose", PURPOSES) },
        { name: "data_categories", label: "consent.categories", type: "checkboxes", options: options("category", CATEGORIES) },
        { name: "valid_until", label: "consent.validUntil", type: "date" },
        { name: "evidence.method", label: "consent.method", type: "radios", options: options("evidence", EVIDENCE), value: "signed_form" },
        { name: "evidence.reference", label: "consent.reference", hint: "consent.referenceHint" },
        { name: "evidence.witness", label: "consent.witness", hint: "consent.witnessHint" },
        { name: "evidence.recorded_by", label: "consent.recordedBy", value: s && s.user ? s.user.display_name : "" },
      ],
      onSubmit: async (v) => {
        v.recipients = (v.recipients || []).map((r) => (r.startsWith("org:")
          ? { organisation_id: r.slice(4) } : { kind: r.slice(5) }));
        v.purposes ??= [];
        v.data_categories ??= [];
        const consent = await api.call("POST", "/v1/consents", v,
          { headers: { "Idempotency-Key": ui.idempotencyKey() } });
        ui.go(`#/slip/${enc(personId)}/${enc(consent.id)}`, t("consent.recorded"));
      },
    });
    body.append(ui.details([["person.id", el("code", {}, personId)]]), intro("consent.intro"), f);
  },
});

// The person's receipt code (their journal, issue 18): "Print the slip"
// issues it (POST /v1/consents/{id}/receipt; a new code replaces the old
// one), draws it on the slip as text and as a QR code, then prints.  The
// code is shown once: kept here only while its slip is the page shown (a
// new language draws it again), forgotten when the page is left or the
// session ends (leave), and never stored anywhere else.
let receipt = null; // {consentId, answer}

const SVG_NS = "http://www.w3.org/2000/svg";

// The gateway's QR code (an SVG of two paths) as nodes of this page: parsed
// as XML, never as HTML, and taken only if it holds nothing but an svg
// element and paths with the attributes the gateway writes.
function qrNode(markup) {
  const doc = new DOMParser().parseFromString(String(markup ?? ""), "image/svg+xml");
  const root = doc.documentElement;
  const allowed = { svg: ["xmlns", "viewBox", "shape-rendering"], path: ["fill", "d"] };
  if (!root || root.namespaceURI !== SVG_NS || root.localName !== "svg") return null;
  for (const node of [root, ...root.querySelectorAll("*")]) {
    if (node.namespaceURI !== SVG_NS || !(node.localName in allowed)) return null;
    for (const a of node.attributes) if (!allowed[node.localName].includes(a.name)) return null;
  }
  const svg = document.importNode(root, true);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("receipt.qr"));
  return svg;
}

// The receipt's part of the slip: its place (pending) or the code issued.
function receiptBox(answer) {
  const title = el("h2", { id: "slip-receipt-title", class: "slip-receipt-title", tabindex: "-1",
    text: t(answer ? "receipt.heading" : "slip.receipt") });
  if (!answer) {
    return el("div", { class: "slip-receipt", id: "slip-receipt", dataset: { receipt: "pending" } },
      title, el("p", { text: t("slip.receiptPending") }));
  }
  const qr = qrNode(answer.receipt_qr_svg);
  return el("div", { class: "slip-receipt", id: "slip-receipt", dataset: { receipt: "issued" } },
    title,
    el("p", { text: t("receipt.slipIntro") }),
    el("p", { class: "slip-code-label", text: t("receipt.code") }),
    el("p", { id: "slip-code", class: "slip-code", text: String(answer.receipt_code ?? "") }),
    el("div", { id: "slip-qr", class: "slip-qr" }, qr),
    el("p", { text: t("receipt.where") }),
    el("p", { id: "slip-url", class: "slip-url", text: String(answer.journal_url ?? "") }),
    el("p", { text: t("receipt.keep") }),
    el("p", {}, t("receipt.issuedOn"), " ",
      el("time", { id: "slip-issued", datetime: String(answer.issued_at ?? "") }, ui.formatTime(answer.issued_at))));
}

ui.definePage({
  name: "slip",
  title: "slip.title",
  nav: false,
  leave() {
    receipt = null;
    const box = document.getElementById("slip-receipt");
    if (box) box.replaceWith(receiptBox(null));
  },
  async render(body, [personId, consentId]) {
    const [names, list] = await Promise.all([orgNames(),
      api.call("GET", ui.query("/v1/consents", { person_id: personId }))]);
    const c = (list.items || []).find((x) => x.id === consentId);
    if (!c) throw t("slip.notFound");
    if (receipt && receipt.consentId !== c.id) receipt = null;
    const ev = c.evidence || {};
    const s = ui.session();
    const show = (answer) => document.getElementById("slip-receipt").replaceWith(receiptBox(answer));
    async function issue() {
      const answer = await api.call("POST", `/v1/consents/${enc(c.id)}/receipt`);
      receipt = { consentId: c.id, answer };
      show(answer);
      ui.setStatus(t("receipt.issued"));
      document.getElementById("slip-receipt-title").focus();
    }
    // The first press issues the code, then prints; a later one prints the
    // same code again (a new code would need a new slip: "New code").
    async function print(b) {
      ui.clearProblem();
      b.disabled = true;
      try {
        if (!receipt) await issue();
        window.print();
      } catch (err) {
        ui.problem(err);
      } finally {
        b.disabled = false;
      }
    }
    async function renew(b) {
      ui.clearProblem();
      b.disabled = true;
      try {
        await issue();
      } catch (err) {
        ui.problem(err);
      } finally {
        b.disabled = false;
      }
    }
    async function revoke(b) {
      ui.clearProblem();
      b.disabled = true;
      try {
        await api.call("DELETE", `/v1/consents/${enc(c.id)}/receipt`);
        receipt = null;
        show(null);
        ui.setStatus(t("receipt.revoked"));
      } catch (err) {
        ui.problem(err);
      } finally {
        b.disabled = false;
      }
    }
    const button = (id, key, fn, kind = "") => el("button", { type: "button", id, class: kind || null,
      on: { click: (e) => fn(e.currentTarget) } }, t(key));
    body.append(
      el("p", { class: "intro no-print", text: t("receipt.intro") }),
      el("div", { class: "slip", id: "slip" },
        el("p", { class: "slip-org" }, t("slip.recordedBy", { organisation: s.organisation.name })),
        ui.details([
          ["person.id", el("code", {}, c.person_id)],
          ["slip.consentId", el("code", {}, c.id)],
          ["col.status", ui.label("status", c.status)],
          ["col.recipients", recipientsText(names, c.recipients)],
          ["col.purposes", labels("purpose", c.purposes)],
          ["col.categories", labels("category", c.data_categories)],
          ["col.validUntil", ui.formatDate(c.valid_until)],
          ["consent.method", ui.label("evidence", ev.method)],
          ev.reference ? ["consent.reference", ev.reference] : null,
          ev.witness ? ["consent.witness", ev.witness] : null,
          ["consent.recordedBy", ev.recorded_by ?? ""],
          ["col.recorded", ui.formatTime(c.created_at)],
        ]),
        receiptBox(receipt ? receipt.answer : null),
        el("p", { class: "slip-rights", text: t("slip.rights") }),
        el("div", { class: "signatures" },
          el("p", { text: t("slip.signPerson") }), el("p", { text: t("slip.signWorker") }))),
      el("p", { class: "actions no-print" },
        button("slip-print", "slip.print", print), " ",
        button("slip-renew", "receipt.issue", renew, "secondary"), " ",
        button("slip-revoke", "receipt.revoke", revoke, "secondary"), " ",
        el("a", { id: "slip-back", href: `#/person/${enc(personId)}` }, t("slip.back"))));
  },
});

// ---- a referral, an intake ----

async function referralForm(body, personId, consentId, intake) {
  const [all, list] = await Promise.all([orgs(),
    api.call("GET", ui.query("/v1/consents", { person_id: personId }))]);
  const consent = (list.items || []).find((x) => x.id === consentId);
  if (!consent) throw t("slip.notFound");
  const own = me().id;
  const targets = all.filter((o) => o.status === "active" && (intake ? o.id === own : o.id !== own));
  const destinations = [];
  for (const o of targets) for (const p of o.programs || []) destinations.push([`${o.id}|${p}`, `${o.name}: ${p}`]);
  const f = ui.form({
    id: intake ? "intake-form" : "referral-form",
    submit: intake ? "intake.submit" : "refer.submit",
    aliases: { to_organisation_id: "program" },
    fields: [
      { name: "program", label: intake ? "intake.program" : "refer.destination", type: "select",
        options: blank(destinations), hint: intake ? "intake.programHint" : "refer.destinationHint" },
      { name: "purpose", label: "refer.purpose", type: "select", options: options("purpose", consent.purposes),
        value: consent.purposes[0] },
      { name: "reason", label: "refer.reason", type: "textarea", hint: "refer.reasonHint", max: 2000 },
      { name: "release_date", label: "refer.releaseDate", type: "date", hint: "refer.releaseDateHint" },
      { name: "needs.household_size", label: "refer.householdSize", type: "number" },
      { name: "needs.accessibility", label: "refer.accessibility", type: "select", options: blank(options("accessibility", ACCESSIBILITY)) },
      { name: "needs.preferred_communes", label: "refer.preferred", list: true, hint: "refer.communesHint" },
      { name: "needs.avoid_communes", label: "refer.avoid", list: true, hint: "refer.communesHint" },
      { name: "needs.excluded_communes", label: "refer.excluded", list: true, hint: "refer.excludedHint" },
      { name: "needs.income_band", label: "refer.income", type: "select", options: blank(options("income", INCOME)) },
      { name: "data.identity.given_name", label: "refer.givenName" },
      { name: "data.identity.family_name", label: "refer.familyName" },
      { name: "data.justice.prison", label: "refer.prison" },
    ],
    onSubmit: async (v) => {
      const [to, program] = String(v.program || "|").split("|");
      const req = { person_id: personId, consent_id: consentId, to_organisation_id: to || undefined,
        program: program || undefined, ...v };
      req.program = program || undefined;
      const r = await api.call("POST", "/v1/referrals", req,
        { headers: { "Idempotency-Key": ui.idempotencyKey() } });
      ui.go(`#/referral/${enc(r.id)}`, t(intake ? "intake.done" : "refer.done"));
    },
  });
  body.append(ui.details([["person.id", el("code", {}, personId)],
    ["col.categories", labels("category", consent.data_categories)]]),
  intro(intake ? "intake.intro" : "refer.intro"),
  destinations.length === 0 ? el("p", { class: "empty", text: t(intake ? "intake.noProgram" : "refer.noDestination") }) : null,
  f);
}

ui.definePage({
  name: "refer",
  title: "refer.title",
  nav: false,
  render: (body, [personId, consentId]) => referralForm(body, personId, consentId, false),
});

ui.definePage({
  name: "intake",
  title: "intake.title",
  nav: false,
  render: (body, [personId, consentId]) => referralForm(body, personId, consentId, true),
});

// ---- the referrals received (the inbox) and sent ----

function referralColumns(names, role) {
  return [
    { title: "col.created", value: (r) => ui.link(`#/referral/${enc(r.id)}`, ui.formatTime(r.created_at)) },
    { title: "col.status", value: (r) => statusBadge(r.status) },
    { title: "col.program", value: (r) => el("code", {}, r.program) },
    {
      title: role === "received" ? "col.from" : "col.to",
      value: (r) => (r.intake ? t("referral.intake") : orgName(names, role === "received" ? r.from_organisation_id : r.to_organisation_id)),
    },
    { title: "col.person", value: (r) => ui.link(`#/person/${enc(r.person_id)}`, r.person_id.slice(0, 8)) },
  ];
}

function referralsPage(role) {
  return async (body, [status = ""]) => {
    const names = await orgNames();
    const filter = el("select", { id: `${role}-status` },
      el("option", { value: "", text: t("filter.all") }),
      STATUSES.map((s) => el("option", { value: s, selected: s === status }, ui.label("status", s))));
    filter.addEventListener("change", () => ui.go(`#/${role === "received" ? "inbox" : "sent"}${filter.value ? `/${filter.value}` : ""}`));
    body.append(intro(role === "received" ? "inbox.intro" : "sent.intro"),
      el("div", { class: "field filter" }, el("label", { for: `${role}-status`, text: t("filter.status") }), filter),
      ui.list({
        path: "/v1/referrals",
        params: { role, status },
        csv: role === "received" ? "referrals-received" : "referrals-sent",
        caption: role === "received" ? "inbox.title" : "sent.title",
        empty: role === "received" ? "inbox.empty" : "sent.empty",
        columns: referralColumns(names, role),
      }));
  };
}

ui.definePage({ name: "inbox", title: "inbox.title", order: 20, render: referralsPage("received") });
ui.definePage({ name: "sent", title: "sent.title", order: 30, render: referralsPage("sent") });

// ---- one referral: what it says, its moves, proposals, placement ----

// The receiver's moves from each state (the sender may only cancel).
const MOVES = {
  submitted: ["accepted", "waitlisted", "declined"],
  received: ["accepted", "waitlisted", "declined"],
  waitlisted: ["accepted", "declined"],
  accepted: ["in_progress"],
  in_progress: ["completed"],
};

async function transition(r, to, extra = {}) {
  let version = r.version;
  // Accepting, waitlisting or declining a referral not yet acknowledged:
  // first "received" (the sender hears it was read), then the move.
  if (r.status === "submitted" && to !== "received" && to !== "cancelled") {
    const ack = await api.call("POST", `/v1/referrals/${enc(r.id)}/transitions`, { to: "received" },
      { headers: { "If-Match": `"${version}"` } });
    version = ack.version;
  }
  return api.call("POST", `/v1/referrals/${enc(r.id)}/transitions`, { to, ...extra },
    { headers: { "If-Match": `"${version}"` } });
}

function dataList(data) {
  const rows = [];
  for (const [cat, fields] of Object.entries(data || {}))
    for (const [k, v] of Object.entries(fields || {}))
      rows.push(el("li", {}, `${ui.label("category", cat)} · ${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`));
  return rows.length ? el("ul", { class: "data" }, rows) : null;
}

ui.definePage({
  name: "referral",
  title: "referral.title",
  nav: false,
  async render(body, [id]) {
    const [names, r] = await Promise.all([orgNames(), api.call("GET", `/v1/referrals/${enc(id)}`)]);
    const own = me().id;
    const receiver = r.to_organisation_id === own;
    const sender = r.from_organisation_id === own;
    const needs = r.needs || {};
    body.append(ui.details([
      ["col.status", statusBadge(r.status)],
      ["col.program", el("code", {}, r.program)],
      ["col.from", orgName(names, r.from_organisation_id)],
      ["col.to", r.intake ? t("referral.intake") : orgName(names, r.to_organisation_id)],
      ["col.person", ui.link(`#/person/${enc(r.person_id)}`, r.person_id)],
      ["refer.purpose", ui.label("purpose", r.purpose)],
      ["col.created", ui.formatTime(r.created_at)],
      ["col.updated", ui.formatTime(r.updated_at)],
      r.reason ? ["refer.reason", r.reason] : null,
      r.release_date ? ["refer.releaseDate", ui.formatDate(r.release_date)] : null,
      Object.keys(needs).length ? ["referral.needs", Object.entries(needs).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v}`).join("; ")] : null,
      r.data && Object.keys(r.data).length ? ["referral.data", dataList(r.data)] : null,
      r.parallel ? ["referral.parallel", r.parallel.map((p) => `${p.program_kind} (${p.since})`).join("; ")] : null,
    ]));
    if (r.placement) {
      const p = r.placement;
      body.append(h2("referral.placement"), ui.details([
        ["placement.kind", ui.label("placement", p.kind)],
        p.unit_id ? ["placement.unit", el("code", {}, p.unit_id)] : null,
        p.address ? ["placement.address", p.address] : null,
        ["placement.start", ui.formatDate(p.start_date)],
        p.planned_end_date ? ["placement.plannedEnd", ui.formatDate(p.planned_end_date)] : null,
        p.end_date ? ["placement.end", ui.formatDate(p.end_date)] : null,
        p.outcome ? ["placement.outcome", ui.label("outcome", p.outcome)] : null,
      ]));
      // Its end, referent and convention: the occupancy's page (occupancy.js).
      if (p.occupancy_id) body.append(el("p", {}, ui.link(`#/occupancy/${enc(p.occupancy_id)}`, t("placement.manage"))));
    }

    // Moves
    const moves = receiver ? MOVES[r.status] || [] : [];
    const actions = el("div", { class: "moves" });
    const again = (status) => ui.go(`#/referral/${enc(id)}`, status);
    for (const to of moves) {
      if (to === "declined" || to === "completed") continue;
      actions.append(ui.button(t(`move.${to}`), async (e) => {
        e.currentTarget.disabled = true;
        try {
          await transition(r, to);
          again(t("move.done", { status: ui.label("status", to) }));
        } catch (err) {
          ui.problem(err);
          e.currentTarget.disabled = false;
        }
      }), " ");
    }
    if (moves.length || (sender && OPEN.includes(r.status))) body.append(h2("referral.moves"));
    if (moves.length) body.append(actions);
    if (moves.includes("declined")) {
      body.append(el("h3", { text: t("move.declineTitle") }), ui.form({
        id: "decline-form",
        submit: "move.declined",
        fields: [
          { name: "reason_code", label: "move.reasonCode", type: "radios", options: options("decline", DECLINE) },
          { name: "note", label: "move.note", type: "textarea", hint: "move.noteHint", max: 2000 },
        ],
        onSubmit: async (v) => {
          await transition(r, "declined", v);
          again(t("move.done", { status: ui.label("status", "declined") }));
        },
      }));
    }
    if (moves.includes("completed")) {
      body.append(el("h3", { text: t("move.completeTitle") }), ui.form({
        id: "complete-form",
        submit: "move.completed",
        fields: [
          { name: "reason_code", label: "placement.outcome", type: "select", options: blank(options("outcome", OUTCOMES)) },
          { name: "note", label: "move.note", type: "textarea", max: 2000 },
        ],
        onSubmit: async (v) => {
          await transition(r, "completed", v);
          again();
        },
      }));
    }
    if (sender && OPEN.includes(r.status)) {
      body.append(el("h3", { text: t("move.cancelTitle") }), ui.form({
        id: "cancel-form",
        submit: "move.cancelled",
        fields: [
          { name: "reason_code", label: "move.reasonCode", type: "select", options: blank(options("cancel", CANCEL)) },
          { name: "note", label: "move.note", type: "textarea", max: 2000 },
        ],
        onSubmit: async (v) => {
          await transition(r, "cancelled", v);
          again();
        },
      }));
    }

    // Propose for a unit (the waitlist's work), record a placement, follow.
    if (["submitted", "received", "waitlisted"].includes(r.status) && (receiver || sender)) {
      const units = await ui.fetchAll("/v1/units", { status: "published" }).catch(() => []);
      body.append(h2("propose.title"), units.length === 0 ? el("p", { class: "empty", text: t("propose.noUnit") })
        : ui.form({
          id: "propose-form",
          submit: "propose.submit",
          fields: [
            { name: "unit", label: "propose.unit", type: "select",
              options: blank(units.map((u) => [u.id, `${u.label} · ${u.commune} · ${orgName(names, u.operator_organisation_id)}`])) },
            { name: "note", label: "move.note", type: "textarea", max: 2000 },
          ],
          aliases: { referral_id: "unit" },
          onSubmit: async (v) => {
            if (!v.unit) throw t("propose.chooseUnit");
            // The page drawn again keeps what the operator will see.
            again(proposedText(await propose(v.unit, r.id, v.note)));
          },
        }));
    }
    if (["accepted", "waitlisted", "received"].includes(r.status) && !r.placement) {
      body.append(h2("placement.record"), intro("placement.recordIntro"), ui.form({
        id: "placement-form",
        submit: "placement.submit",
        fields: [
          { name: "kind", label: "placement.kind", type: "select", options: blank(options("placement", PLACEMENT_KINDS)) },
          { name: "start_date", label: "placement.start", type: "date" },
          { name: "planned_end_date", label: "placement.plannedEnd", type: "date" },
          { name: "note", label: "move.note", type: "textarea", max: 2000 },
        ],
        onSubmit: async (v) => {
          await api.call("POST", `/v1/referrals/${enc(r.id)}/placements`, v,
            { headers: { "Idempotency-Key": ui.idempotencyKey() } });
          again(t("placement.recorded"));
        },
      }));
    }
    if (["accepted", "in_progress", "waitlisted"].includes(r.status)) {
      body.append(h2("followUp.start"), ui.form({
        id: "follow-up-form",
        submit: "followUp.create",
        fields: [
          { name: "period_from", label: "followUp.from", type: "date", value: new Date().toISOString().slice(0, 10) },
          { name: "status", label: "col.status", type: "select", options: options("followUp", ["active", "tenancy_at_risk"]) },
        ],
        onSubmit: async (v) => {
          const req = { referral_id: r.id, ...v };
          if (r.placement && r.placement.occupancy_id) req.occupancy_id = r.placement.occupancy_id;
          const fu = await api.call("POST", "/v1/follow-ups", req,
            { headers: { "Idempotency-Key": ui.idempotencyKey() } });
          ui.go(`#/follow-up/${enc(fu.id)}`);
        },
      }));
    }
    if (receiver || sender) {
      body.append(h2("referral.history"), ui.list({
        path: `/v1/referrals/${enc(r.id)}/history`,
        csv: "referral-history",
        caption: "referral.history",
        columns: [
          { title: "col.when", value: (h) => ui.formatTime(h.at) },
          { title: "history.from", value: (h) => (h.from ? ui.label("status", h.from) : "—") },
          { title: "history.to", value: (h) => ui.label("status", h.to) },
          { title: "move.reasonCode", value: (h) => h.reason_code ?? "" },
          { title: "history.by", value: (h) => orgName(names, h.by_organisation_id) },
        ],
      }));
    }
  },
});

async function propose(unitId, referralId, note) {
  const p = await api.call("POST", `/v1/units/${enc(unitId)}/proposals`,
    { referral_id: referralId, ...(note ? { note } : {}) },
    { headers: { "Idempotency-Key": ui.idempotencyKey() } });
  ui.setStatus(proposedText(p));
  return p;
}

function proposedText(p) {
  return t("propose.done", { categories: labels("category", p.shared_categories) || "—" });
}

// ---- the waitlist and the units offered ----

ui.definePage({
  name: "waitlist",
  title: "waitlist.title",
  order: 40,
  async render(body) {
    const names = await orgNames();
    body.append(intro("waitlist.intro"), h2("waitlist.referrals"),
      ui.list({
        path: "/v1/referrals",
        params: { role: "received", status: "waitlisted" },
        csv: "waitlist",
        caption: "waitlist.referrals",
        empty: "waitlist.empty",
        columns: referralColumns(names, "received"),
      }),
      h2("waitlist.units"),
      ui.list({
        path: "/v1/units",
        params: { status: "published" },
        csv: "units",
        caption: "waitlist.units",
        empty: "waitlist.noUnits",
        columns: [
          { title: "unit.label", value: (u) => u.label },
          { title: "unit.commune", value: (u) => u.commune },
          { title: "unit.type", value: (u) => `${ui.label("unitType", u.type)}, ${t("unit.bedrooms", { count: u.bedrooms })}` },
          { title: "unit.available", value: (u) => `${ui.formatDate(u.available_from)} – ${ui.formatDate(u.available_until)}` },
          { title: "unit.operator", value: (u) => orgName(names, u.operator_organisation_id) },
          { title: "col.actions", value: (u) => ui.link(`#/candidates/${enc(u.id)}`, t("candidates.open")) },
        ],
      }));
  },
});

ui.definePage({
  name: "candidates",
  title: "candidates.title",
  nav: false,
  async render(body, [unitId]) {
    const [names, unit, answer] = await Promise.all([orgNames(),
      api.call("GET", `/v1/units/${enc(unitId)}`),
      api.call("GET", ui.query(`/v1/units/${enc(unitId)}/candidates`, { limit: 200 }))]);
    body.append(ui.details([
      ["unit.label", unit.label],
      ["unit.commune", unit.commune],
      ["unit.type", `${ui.label("unitType", unit.type)}, ${t("unit.bedrooms", { count: unit.bedrooms })}`],
      ["unit.accessibility", ui.label("accessibility", unit.accessibility)],
      ["unit.available", `${ui.formatDate(unit.available_from)} – ${ui.formatDate(unit.available_until)}`],
      ["unit.operator", orgName(names, unit.operator_organisation_id)],
    ]), intro("candidates.intro"),
    el("p", { class: "tools" }, ui.csvButton({
      path: `/v1/units/${enc(unitId)}/candidates`,
      filename: "candidates",
      items: (a) => [...(a.candidates || []), ...(a.excluded || [])],
    })));
    const reasons = (c) => el("ul", { class: "reasons" }, (c.reasons || []).map((s, i) =>
      el("li", { dataset: { code: (c.reason_codes || [])[i] || "" } }, s)));
    body.append(h2("candidates.eligible"), el("p", { text: t("candidates.eligibleCount", { count: answer.eligible_count ?? 0 }) }));
    if ((answer.candidates || []).length === 0) body.append(el("p", { class: "empty", text: t("candidates.none") }));
    else {
      body.append(ui.tableBox(el("table", { id: "candidates" },
        el("caption", { text: t("candidates.eligible") }),
        el("thead", {}, el("tr", {}, ["candidates.rank", "col.referral", "candidates.applied", "candidates.reasons", "col.actions"]
          .map((k) => el("th", { scope: "col", text: t(k) })))),
        el("tbody", {}, answer.candidates.map((c) => el("tr", { dataset: { referral: c.referral_id } },
          el("th", { scope: "row", text: String(c.rank) }),
          el("td", {}, ui.link(`#/referral/${enc(c.referral_id)}`, c.referral_id.slice(0, 8))),
          el("td", { text: ui.formatTime(c.applied_at) }),
          el("td", {}, reasons(c)),
          el("td", {}, ui.button(t("propose.submit"), async (e) => {
            const b = e.currentTarget;
            b.disabled = true;
            ui.clearProblem();
            try {
              await propose(unitId, c.referral_id);
              b.replaceWith(el("span", { class: "done", text: t("propose.proposed") }));
            } catch (err) {
              b.disabled = false;
              ui.problem(err);
            }
          })))))), t("candidates.eligible")));
    }
    body.append(h2("candidates.excluded"), el("p", { text: t("candidates.excludedCount", { count: answer.excluded_count ?? 0 }) }));
    if ((answer.excluded || []).length > 0) {
      body.append(ui.tableBox(el("table", { id: "excluded" },
        el("caption", { text: t("candidates.excluded") }),
        el("thead", {}, el("tr", {}, ["col.referral", "candidates.applied", "candidates.failed", "candidates.reasons"]
          .map((k) => el("th", { scope: "col", text: t(k) })))),
        el("tbody", {}, answer.excluded.map((c) => el("tr", { dataset: { referral: c.referral_id } },
          el("th", { scope: "row" }, ui.link(`#/referral/${enc(c.referral_id)}`, c.referral_id.slice(0, 8))),
          el("td", { text: ui.formatTime(c.applied_at) }),
          el("td", { text: labels("failed", c.failed) }),
          el("td", {}, reasons(c)))))), t("candidates.excluded")));
    }
    body.append(h2("candidates.proposals"), ui.list({
      path: `/v1/units/${enc(unitId)}/proposals`,
      csv: "proposals",
      caption: "candidates.proposals",
      empty: "candidates.noProposal",
      columns: [
        { title: "col.created", value: (p) => ui.formatTime(p.created_at) },
        { title: "col.referral", value: (p) => ui.link(`#/referral/${enc(p.referral_id)}`, String(p.referral_id).slice(0, 8)) },
        { title: "col.status", value: (p) => ui.label("proposal", p.status) },
        { title: "col.categories", value: (p) => labels("category", p.shared_categories) },
      ],
    }));
  },
});

// ---- placements, follow-ups, alerts ----

ui.definePage({
  name: "placements",
  title: "placements.title",
  order: 50,
  async render(body) {
    const names = await orgNames();
    body.append(intro("placements.intro"));
    for (const role of ["sent", "received"]) {
      body.append(h2(`placements.${role}`), ui.list({
        path: "/v1/referrals",
        params: { role, status: "in_progress" },
        csv: `placements-${role}`,
        caption: `placements.${role}`,
        empty: "placements.empty",
        columns: referralColumns(names, role),
      }));
    }
    body.append(h2("alerts.thresholds"), intro("alerts.intro"));
    try {
      const th = await api.call("GET", "/v1/alert-thresholds");
      const items = (th && th.items) || [];
      body.append(items.length === 0 ? el("p", { class: "empty", text: t("alerts.default") })
        : el("ul", { id: "alert-thresholds" }, items.map((x) => el("li", {}, t("alerts.item", {
          kind: x.convention_kind ? ui.label("convention", x.convention_kind) : t("alerts.anyKind"),
          days: x.days_before,
        })))));
    } catch (err) {
      ui.problem(err);
    }
    body.append(el("p", {}, ui.link("#/alert-settings", t("alerts.change"))));
  },
});

ui.definePage({
  name: "follow-ups",
  title: "followUps.title",
  order: 60,
  async render(body) {
    body.append(intro("followUps.intro"), ui.list({
      path: "/v1/follow-ups",
      csv: "follow-ups",
      caption: "followUps.title",
      empty: "followUps.empty",
      columns: [
        { title: "followUp.from", value: (f) => ui.link(`#/follow-up/${enc(f.id)}`, ui.formatDate(f.period_from)) },
        { title: "followUp.until", value: (f) => ui.formatDate(f.period_until) },
        { title: "col.status", value: (f) => el("span", { class: `status-code status-${f.status}` }, ui.label("followUp", f.status)) },
        { title: "col.referral", value: (f) => ui.link(`#/referral/${enc(f.referral_id)}`, f.referral_id.slice(0, 8)) },
      ],
    }));
  },
});

ui.definePage({
  name: "follow-up",
  title: "followUp.title",
  nav: false,
  async render(body, [id]) {
    const f = await api.call("GET", `/v1/follow-ups/${enc(id)}`);
    const again = () => ui.go(`#/follow-up/${enc(id)}`);
    body.append(ui.details([
      ["col.status", ui.label("followUp", f.status)],
      ["followUp.from", ui.formatDate(f.period_from)],
      ["followUp.until", ui.formatDate(f.period_until)],
      ["col.referral", ui.link(`#/referral/${enc(f.referral_id)}`, f.referral_id)],
    ]));
    if (f.organisation_id === me().id && f.status !== "closed") {
      body.append(h2("followUp.move"), ui.form({
        id: "follow-up-status-form",
        submit: "followUp.save",
        fields: [{ name: "status", label: "col.status", type: "select",
          options: options("followUp", FOLLOW_UP_STATUSES.filter((s) => s !== f.status)) }],
        onSubmit: async (v) => {
          await api.call("PATCH", `/v1/follow-ups/${enc(id)}`, v, { headers: { "If-Match": `"${f.version}"` } });
          again();
        },
      }), h2("followUp.newEntry"), ui.form({
        id: "entry-form",
        submit: "followUp.addEntry",
        fields: [
          { name: "date", label: "followUp.date", type: "date", value: new Date().toISOString().slice(0, 10) },
          { name: "kind", label: "followUp.kind", type: "select", options: options("entry", ENTRY_KINDS), value: "note" },
          { name: "text", label: "followUp.text", type: "textarea", max: 4000 },
        ],
        onSubmit: async (v) => {
          await api.call("POST", `/v1/follow-ups/${enc(id)}/entries`, v,
            { headers: { "Idempotency-Key": ui.idempotencyKey() } });
          again();
        },
      }));
    }
    body.append(h2("followUp.entries"), ui.list({
      path: `/v1/follow-ups/${enc(id)}/entries`,
      csv: "follow-up-entries",
      caption: "followUp.entries",
      empty: "followUp.noEntry",
      columns: [
        { title: "followUp.date", value: (e) => ui.formatDate(e.date) },
        { title: "followUp.kind", value: (e) => ui.label("entry", e.kind) },
        { title: "followUp.text", value: (e) => e.text },
      ],
    }));
  },
});

// ---- the event feed ----

const ALERTS = /ending_soon|tenancy_at_risk|unit_withdrawn|consent_withdrawn|person\.erased/;

ui.definePage({
  name: "events",
  title: "events.title",
  order: 70,
  groups: ["worker", "housing", "coordinator"],
  async render(body) {
    ui.seenEvents();
    body.append(intro("events.intro"), ui.list({
      path: "/v1/events",
      params: { after: "0" },
      cursorParam: "after",
      limit: 100,
      csv: "events",
      caption: "events.title",
      empty: "events.empty",
      columns: [
        { title: "col.when", value: (e) => ui.formatTime(e.created_at) },
        {
          title: "events.type",
          value: (e) => el("span", { class: ALERTS.test(e.type) ? "alert-event" : null },
            ALERTS.test(e.type) ? `${t("events.alert")} ` : null, ui.label("event", e.type)),
        },
        {
          title: "events.resource",
          value: (e) => {
            const hash = ui.resourceHash(e.resource);
            const text = `${ui.label("resource", e.resource && e.resource.type)} ${String(e.resource && e.resource.id || "").slice(0, 8)}`;
            return hash ? ui.link(hash, text) : text;
          },
        },
      ],
    }));
  },
});
