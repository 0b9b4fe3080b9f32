// accounts: an organisation's people (schema/052, docs/security.md): the
// list of its users, the invitation of one (its code shown once), a
// user's name, role, language and status changed (PATCH with the version
// read), a reset (a new invitation code, the password and second factor
// to set again).  usersBlock serves the org_admin's "Accounts" page (its
// own organisation) and the coordinator's page of each organisation's
// admins (coordinator.js).  The gateway decides (user.read, user.manage).

import * as api from "./api.js";
import * as ui from "./ui.js";

const { el, t } = ui;

export const ROLES = ["org_admin", "worker", "coordinator_admin"];
export const LANGUAGES = [["fr", "Français"], ["nl", "Nederlands"], ["en", "English"]];
const enc = encodeURIComponent;
const slug = (text) => String(text).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
const options = (prefix, codes) => codes.map((c) => [c, ui.label(prefix, c)]);

// The users of org ({id, name, kind}) and the forms that manage them,
// appended to body; resolves once the list is read.  inviteRole: the
// invitation's role first offered (a coordinator invites an admin, an
// admin mostly workers).
export async function usersBlock(body, org, { inviteRole = "org_admin" } = {}) {
  // coordinator_admin exists only in a coordinator organisation.
  const roles = ROLES.filter((r) => r !== "coordinator_admin" || org.kind === "coordinator");
  const token = el("p", { class: "token", id: "invitation", role: "status", hidden: true });
  const detail = el("section", { id: "user-detail", class: "block", hidden: true, "aria-labelledby": "user-detail-title" });
  const showToken = (user) => {
    token.hidden = false;
    token.textContent = t("coord.user.token", { name: user.display_name, token: user.invitation_token });
  };
  const makeUsers = () => {
    const l = ui.list({
      path: `/v1/organisations/${enc(org.id)}/users`,
      caption: "coord.users.caption",
      empty: "coord.users.empty",
      csv: `users-${slug(org.name)}`,
      columns: [
        { title: "coord.user.name", value: (u) => u.display_name },
        { title: "coord.user.email", value: (u) => u.email },
        { title: "coord.user.role", value: (u) => ui.label("role", u.role) },
        { title: "language.label", value: (u) => u.language },
        { title: "housing.status", value: (u) => ui.label("userStatus", u.status) },
        { title: "kit.actions", value: (u) => ui.button(t("accounts.manage", { name: u.display_name }), () => showUser(u), { kind: "secondary" }) },
      ],
    });
    l.dataset.list = "users";
    l.querySelector("caption").textContent = t("coord.users.caption", { name: org.name });
    return l;
  };
  let users = makeUsers();
  const reload = async (status) => {
    const fresh = makeUsers();
    users.replaceWith(fresh);
    users = fresh;
    await fresh.ready;
    ui.setStatus(status);
  };

  // One user: its form (the version read goes in If-Match) and its reset.
  function showUser(u) {
    ui.clearProblem();
    const own = (ui.session() || {}).user || {};
    // An invited user becomes active by enrolling, not by a change.
    const statuses = u.status === "invited" ? [["", ui.label("userStatus", "invited")], ["disabled", ui.label("userStatus", "disabled")]]
      : options("userStatus", ["active", "disabled"]);
    const edit = ui.form({
      id: "user-form",
      submit: "accounts.save",
      fields: [
        { name: "display_name", label: "coord.user.name", required: true, value: u.display_name },
        { name: "role", label: "coord.user.role", type: "select", options: options("role", roles), value: u.role },
        { name: "language", label: "language.label", type: "select", options: LANGUAGES, value: u.language },
        { name: "status", label: "housing.status", type: "select", options: statuses, value: u.status === "invited" ? "" : u.status,
          hint: u.id === own.id ? "accounts.selfHint" : null },
      ],
      onSubmit: async (v) => {
        // Only what changed (a status left as it is could not be sent
        // for an invited user); a name emptied is still sent: the API's
        // error names the field.
        const values = { display_name: "", ...v };
        const change = Object.fromEntries(Object.entries(values).filter(([k, x]) => x !== u[k]));
        if (Object.keys(change).length === 0) throw t("accounts.unchanged");
        const saved = await api.call("PATCH", `/v1/users/${enc(u.id)}`, change, { headers: { "If-Match": `"${u.version}"` } });
        detail.hidden = true;
        await reload(t("accounts.saved", { name: saved.display_name }));
      },
    });
    const reset = ui.button(t("accounts.reset", { name: u.display_name }), async (e) => {
      const b = e.currentTarget;
      ui.clearProblem();
      b.disabled = true;
      try {
        const answer = await api.call("POST", `/v1/users/${enc(u.id)}/reset`);
        showToken(answer);
        detail.hidden = true;
        await reload(t("accounts.resetDone", { name: answer.display_name }));
        token.focus();
      } catch (err) {
        ui.problem(err);
      } finally {
        b.disabled = false;
      }
    }, { kind: "secondary" });
    reset.id = "user-reset";
    detail.replaceChildren(
      el("h2", { id: "user-detail-title", tabindex: "-1", text: t("accounts.userTitle", { name: u.display_name }) }),
      edit,
      el("h3", { text: t("accounts.resetTitle") }),
      el("p", { class: "intro", text: t("accounts.resetIntro") }),
      reset);
    detail.hidden = false;
    detail.querySelector("h2").focus();
  }

  const invite = ui.form({
    id: "invite-form",
    submit: "coord.user.invite",
    fields: [
      { name: "display_name", label: "coord.user.name", required: true },
      { name: "email", label: "coord.user.email", type: "email", required: true },
      { name: "role", label: "coord.user.role", type: "select", options: options("role", roles), value: inviteRole },
      { name: "language", label: "language.label", type: "select", options: LANGUAGES, value: ui.session()?.user?.language },
    ],
    onSubmit: async (v, formEl) => {
      const user = await api.call("POST", `/v1/organisations/${enc(org.id)}/users`, v);
      // The name and address only: the role and language chosen stay.
      for (const name of ["display_name", "email"]) formEl.control(name).value = "";
      showToken(user);
      await reload(t("coord.user.invited", { name: user.display_name }));
    },
  });
  token.tabIndex = -1;
  body.append(users, detail, el("h2", { text: t("coord.user.new", { name: org.name }) }), invite, token);
  await users.ready;
}

// The org_admin's page: its own organisation's users (a coordinator's
// admin reaches every organisation's from coordinator-admins).
ui.definePage({
  name: "accounts",
  title: "accounts.title",
  order: 85,
  groups: ["worker", "housing", "coordinator"],
  allowed: (s) => ["org_admin", "coordinator_admin"].includes((s.user || {}).role),
  async render(body) {
    const org = ui.session().organisation || {};
    body.append(el("p", { class: "intro", text: t("accounts.intro") }));
    await usersBlock(body, org, { inviteRole: "worker" });
  },
});
