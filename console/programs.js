// programs: a social organisation's own programs (issue 18; docs/journeys.md,
// "Programs: Rizome pauses its transit studios"): each program the
// coordinator lets it offer (GET /v1/organisations/{id}/programs), with
// what the organisation says of it: open or paused (closed: a partner's
// referral or intake is refused, 422 program-closed), its kind, its
// description and the communes it serves.  Each is saved with
// PATCH /v1/organisations/{id}/programs/{code} and If-Match, the version
// read: a version gone stale (412) is said, with a reload.  The gateway
// decides (program.manage); the codes themselves are the coordinator's.

import * as api from "./api.js";
import * as ui from "./ui.js";

const { el, t } = ui;

// The API's ProgramStatus and ProgramKind (gateway/programs.c).
const STATUSES = ["open", "closed"];
const KINDS = ["transit_housing", "durable_housing", "housing_first", "community_house", "rest_and_rights",
  "coaching", "income_support", "home_guidance", "other"];

const enc = encodeURIComponent;
const options = (prefix, codes) => codes.map((c) => [c, ui.label(prefix, c)]);
// A form's id from the program's code (letters, digits, _ and -).
const formId = (code) => `program-${code.replace(/[^a-z0-9_-]+/gi, "-")}`;

function programBlock(orgId, p) {
  const id = formId(p.code);
  const stale = el("div", { id: `${id}-stale`, class: "block stale", hidden: true },
    el("p", { text: t("programs.stale") }),
    el("button", { type: "button", class: "secondary", on: { click: () => ui.go("#/programs", t("programs.reloaded")) } },
      t("programs.reload", { code: p.code })));
  const form = ui.form({
    id,
    submit: "programs.saveOne",
    fields: [
      { name: "status", label: "programs.status", type: "select", value: p.status, options: options("programStatus", STATUSES),
        hint: "programs.statusHint" },
      { name: "kind", label: "programs.kind", type: "select", value: p.kind, options: options("programKind", KINDS) },
      { name: "description", label: "programs.description", type: "textarea", max: 2000, value: p.description || "" },
      { name: "communes_served", label: "programs.communes", list: true, value: (p.communes_served || []).join(", "),
        hint: "programs.communesHint" },
    ],
    onSubmit: async (v) => {
      // Emptied: no description, the whole region ([]).
      const change = { ...v, description: v.description ?? "", communes_served: v.communes_served ?? [] };
      try {
        await api.call("PATCH", `/v1/organisations/${enc(orgId)}/programs/${enc(p.code)}`, change,
          { headers: { "If-Match": `"${p.version}"` } });
      } catch (err) {
        if (err instanceof api.Problem && err.status === 412) stale.hidden = false;
        throw err;
      }
      ui.go("#/programs", t("programs.saved", { code: p.code }));
    },
  });
  // The submit button names its program (several forms on one page).
  form.querySelector('button[type="submit"]').textContent = t("programs.saveOne", { code: p.code });
  return el("section", { class: "block program", dataset: { program: p.code }, "aria-labelledby": `${id}-title` },
    el("h2", { id: `${id}-title` }, el("code", {}, p.code)),
    ui.details([
      ["programs.status", ui.label("programStatus", p.status)],
      ["programs.updated", ui.formatTime(p.updated_at)],
    ]),
    stale, form);
}

async function renderPrograms(body) {
  const org = (ui.session() || {}).organisation || {};
  const answer = await api.call("GET", `/v1/organisations/${enc(org.id)}/programs`);
  const items = (answer && answer.items) || [];
  body.append(el("p", { class: "intro", text: t("programs.intro") }));
  if (items.length === 0) {
    body.append(el("p", { class: "empty", text: t("programs.empty") }));
    return;
  }
  for (const p of items) body.append(programBlock(org.id, p));
}

// The social organisations' (program.manage, docs/access-rules.md).
ui.definePage({ name: "programs", title: "programs.title", order: 75, groups: ["worker"], render: renderPrograms });
