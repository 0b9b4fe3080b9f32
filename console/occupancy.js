// occupancy: one occupancy as its operator and its referring organisation
// manage it (issue 18): its end with an outcome (POST
// /v1/occupancies/{id}/end), its referent and its convention (PATCH
// /v1/occupancies/{id} with the version read: a stale one is said so, with
// a reload); and each organisation's "ending soon" alert thresholds (GET
// and PUT /v1/alert-thresholds).  Reached from the housing officer's
// occupancies, a referral's placement and an occupancy's events.  The
// gateway decides who may do what; the forms are shown to the two
// organisations the API lets act.

import * as api from "./api.js";
import * as ui from "./ui.js";

const { el, t } = ui;

// The outcomes the API documents (Outcome), the convention kinds (schema/029).
const OUTCOMES = ["durable_housing", "transit_housing", "returned_to_street", "prison", "hospital", "deceased", "lost_contact", "other"];
const CONVENTION_KINDS = ["precarious_occupation", "transit_convention", "lease", "community_house_convention"];

const options = (prefix, codes) => codes.map((c) => [c, ui.label(prefix, c)]);
const enc = encodeURIComponent;
const ownId = () => ((ui.session() || {}).organisation || {}).id || "";
const today = () => new Date().toISOString().slice(0, 10);

// A 412 (someone changed the occupancy since it was read): the notice that
// says so, its reload button reached by Tab after the problem.
function staleNotice(id) {
  return el("div", { id: "occupancy-stale", class: "block stale", hidden: true },
    el("p", { text: t("occupancy.stale") }),
    el("button", { type: "button", id: "occupancy-reload", class: "secondary",
      on: { click: () => ui.go(`#/occupancy/${enc(id)}`, t("occupancy.reloaded")) } }, t("occupancy.reload")));
}

async function renderOccupancy(body, [id]) {
  let o;
  try {
    o = await api.call("GET", `/v1/occupancies/${enc(id)}`);
  } catch (err) {
    // A referral's other party sees its placement, not always the occupancy.
    if (!(err instanceof api.Problem && err.status === 404)) throw err;
    body.append(el("p", { class: "empty", text: t("occupancy.notVisible") }));
    return;
  }
  const orgs = await ui.fetchAll("/v1/organisations", {});
  const names = new Map(orgs.map((x) => [x.id, x.name]));
  const name = (orgId) => names.get(orgId) ?? String(orgId ?? "");
  const stale = staleNotice(o.id);
  const referent = o.referent || null;
  const convention = o.convention || null;
  body.append(stale, ui.details([
    ["occupancy.kind", ui.label("placement", o.kind)],
    o.unit_id ? ["placement.unit", ui.shortId(o.unit_id)] : null,
    o.operator_organisation_id ? ["housing.table.operator", name(o.operator_organisation_id)] : null,
    ["housing.occupancy.referrer", name(o.referring_organisation_id)],
    ["col.referral", ui.link(`#/referral/${enc(o.referral_id)}`, o.referral_id.slice(0, 8))],
    ["placement.start", ui.formatDate(o.start_date)],
    ["placement.plannedEnd", o.planned_end_date ? ui.formatDate(o.planned_end_date) : t("occupancy.openEnded")],
    o.end_date ? ["placement.end", ui.formatDate(o.end_date)] : null,
    o.outcome ? ["placement.outcome", ui.label("outcome", o.outcome)] : null,
    ["housing.occupancy.referent", referent ? [referent.name, referent.role, name(referent.organisation_id)].filter(Boolean).join(", ") : t("occupancy.noReferent")],
    ["housing.convention.kind", convention ? [ui.label("convention", convention.kind), convention.reference].filter(Boolean).join(" · ") : t("housing.convention.none")],
  ]));
  const mine = [o.operator_organisation_id, o.referring_organisation_id].includes(ownId());
  if (!mine || o.end_date) {
    body.append(el("p", { class: "hint", text: t(o.end_date ? "occupancy.endedHint" : "occupancy.readOnly") }));
    return;
  }
  const again = (key) => ui.go(`#/occupancy/${enc(o.id)}`, t(key));
  const patch = async (change, done) => {
    try {
      await api.call("PATCH", `/v1/occupancies/${enc(o.id)}`, change, { headers: { "If-Match": `"${o.version}"` } });
    } catch (err) {
      if (err instanceof api.Problem && err.status === 412) stale.hidden = false;
      throw err;
    }
    again(done);
  };
  body.append(
    el("h2", { text: t("occupancy.end") }), el("p", { class: "intro", text: t("occupancy.endIntro") }),
    ui.form({
      id: "occupancy-end-form",
      submit: "occupancy.endButton",
      fields: [
        { name: "end_date", label: "placement.end", type: "date", required: true, value: today() },
        { name: "outcome", label: "placement.outcome", type: "select", required: true,
          options: [["", t("form.choose")], ...options("outcome", OUTCOMES)] },
      ],
      onSubmit: async (v) => {
        await api.call("POST", `/v1/occupancies/${enc(o.id)}/end`, v);
        again("occupancy.endedStatus");
      },
    }),
    el("h2", { text: t("housing.occupancy.referent") }), el("p", { class: "intro", text: t("occupancy.referentIntro") }),
    ui.form({
      id: "referent-form",
      submit: "occupancy.saveReferent",
      fields: [
        { name: "referent.organisation_id", label: "occupancy.referentOrganisation", type: "select",
          value: referent ? referent.organisation_id : "",
          options: [["", t("occupancy.noReferent")], ...orgs.map((x) => [x.id, x.name])] },
        { name: "referent.name", label: "occupancy.referentName", value: referent ? referent.name : "" },
        { name: "referent.role", label: "occupancy.referentRole", value: referent ? referent.role : "" },
      ],
      // Nothing chosen nor written: the referent is cleared (null).
      onSubmit: (v) => patch({ referent: v.referent || null }, "occupancy.referentSaved"),
    }),
    el("h2", { text: t("occupancy.convention") }), el("p", { class: "intro", text: t("occupancy.conventionIntro") }),
    ui.form({
      id: "convention-form",
      submit: "occupancy.saveConvention",
      fields: [
        { name: "convention.kind", label: "housing.convention.kind", type: "select", value: convention ? convention.kind : "",
          options: [["", t("housing.convention.none")], ...options("convention", CONVENTION_KINDS)] },
        { name: "convention.reference", label: "housing.convention.reference", value: convention ? convention.reference : "" },
        { name: "convention.signed_on", label: "housing.convention.signedOn", type: "date", value: convention ? convention.signed_on : "" },
        { name: "convention.signed_by", label: "occupancy.signedBy", value: convention ? convention.signed_by : "" },
        { name: "convention.end_date", label: "occupancy.conventionEnd", type: "date", value: convention ? convention.end_date : "" },
      ],
      onSubmit: (v) => patch({ convention: v.convention || null }, "occupancy.conventionSaved"),
    }));
}

ui.definePage({ name: "occupancy", title: "occupancy.title", nav: false, groups: ["worker", "housing"], render: renderOccupancy });

// ---- alert thresholds ----

// One field per convention kind and one for any kind; an empty field: no
// threshold of the organisation's own (the next rule applies).  The API's
// errors name items[i]: told back to the field item i came from.
async function renderAlerts(body) {
  const answer = await api.call("GET", "/v1/alert-thresholds");
  const items = (answer && answer.items) || [];
  const days = (kind) => {
    const item = items.find((x) => (x.convention_kind ?? "any") === kind);
    return item ? String(item.days_before) : "";
  };
  const kinds = ["any", ...CONVENTION_KINDS];
  const form = ui.form({
    id: "alert-thresholds-form",
    submit: "alerts.save",
    fields: kinds.map((kind) => ({ name: kind, label: kind === "any" ? "alerts.anyKind" : `convention.${kind}`,
      type: "number", value: days(kind), hint: kind === "any" ? "alerts.anyHint" : null })),
    onSubmit: async (v) => {
      const sent = kinds.filter((kind) => v[kind] !== undefined);
      const put = sent.map((kind) => (kind === "any" ? { days_before: v[kind] } : { convention_kind: kind, days_before: v[kind] }));
      try {
        await api.call("PUT", "/v1/alert-thresholds", { items: put });
      } catch (err) {
        if (err instanceof api.Problem && err.body && Array.isArray(err.body.errors))
          for (const e of err.body.errors) {
            const m = /^items\[([0-9]+)\]/.exec(String(e.field || ""));
            if (m && sent[Number(m[1])]) e.field = sent[Number(m[1])];
          }
        throw err;
      }
      ui.go("#/alert-settings", t("alerts.saved"));
    },
  });
  body.append(el("p", { class: "intro", text: t("alerts.settingsIntro") }), form);
}

// Every organisation's own (event.read, docs/access-rules.md).
ui.definePage({ name: "alert-settings", title: "alerts.thresholds", order: 80, groups: ["worker", "housing", "coordinator"], render: renderAlerts });
