// Sessions: the list (state, repository, branch, age, countdown, cost so far; filter by state),
// creating one, and pause / resume / extend / terminate.

import { call, withQuery } from "./api.js";
import { h, fill, ago, until, usd, confirmAction } from "./dom.js";
import { showError } from "./app.js";

const STATES = ["PROVISIONING", "READY", "PAUSING", "PAUSED", "RESUMING", "RECOVERING", "TERMINATING", "TERMINATED", "FAILED"];

/** The buttons that change a session's state, each asking first where it cannot be undone. */
export function sessionActions(session, changed) {
  const act = async (what, request) => {
    try {
      await request();
      changed();
    } catch (error) {
      showError(error);
    }
  };
  const id = session.id;
  const buttons = [];
  if (session.state === "READY") {
    buttons.push(h("button", { type: "button", class: "ghost", "data-action": "pause", onclick: () => act("pause", () => call(`/api/v1/sessions/${id}/pause`, { method: "POST" })) }, "Pause"));
  }
  if (session.state === "PAUSED") {
    buttons.push(h("button", { type: "button", class: "ghost", "data-action": "resume", onclick: () => act("resume", () => call(`/api/v1/sessions/${id}/resume`, { method: "POST" })) }, "Resume"));
  }
  if (["READY", "PAUSED", "PROVISIONING", "RESUMING"].includes(session.state)) {
    buttons.push(
      h("button", {
        type: "button", class: "ghost", "data-action": "extend",
        onclick: async () => {
          if (await confirmAction("Extend this session by one hour (up to its maximum lifetime)?", "Extend by 1 hour")) {
            act("extend", () => call(`/api/v1/sessions/${id}/extend`, { method: "POST", body: { duration: "PT1H" } }));
          }
        },
      }, "Extend")
    );
  }
  if (!["TERMINATING", "TERMINATED"].includes(session.state)) {
    buttons.push(
      h("button", {
        type: "button", class: "danger", "data-action": "terminate",
        onclick: async () => {
          if (await confirmAction("Terminate this session? Its sandbox and every uncommitted change in it are deleted. This cannot be undone.", "Terminate")) {
            act("terminate", () => call(`/api/v1/sessions/${id}`, { method: "DELETE" }));
          }
        },
      }, "Terminate")
    );
  }
  return buttons;
}

/** When the session pauses or ends next, as text. */
export function countdown(session) {
  if (session.idlePauseAt) return "pauses when idle " + until(session.idlePauseAt);
  if (session.expiresAt && !["TERMINATED", "FAILED"].includes(session.state)) return "expires " + until(session.expiresAt);
  return "";
}

export function stateBadge(state) {
  return h("span", { class: "badge state-" + String(state).toLowerCase(), "data-state": state }, state);
}

export function sessionsPage(root) {
  let filter = sessionStorage.getItem("rc.filter") || "";
  let sessions = [];
  let costs = {};
  const list = h("div", { id: "sessions", "aria-live": "polite" });
  const select = h("select", { id: "state-filter" }, h("option", { value: "" }, "All states"), STATES.map((s) => h("option", { value: s, selected: s === filter }, s)));
  select.addEventListener("change", () => {
    filter = select.value;
    sessionStorage.setItem("rc.filter", filter);
    load();
  });

  function draw() {
    if (!sessions.length) {
      fill(list, h("p", { class: "muted" }, filter ? `No ${filter} sessions.` : "No sessions yet: create one below."));
      return;
    }
    fill(
      list,
      h("ul", { class: "cards" },
        sessions.map((s) =>
          h("li", { class: "card session", "data-session": s.id },
            h("div", { class: "row spread" },
              h("a", { href: `#/sessions/${s.id}`, class: "title" }, s.repositoryUrl || "(no repository)"),
              stateBadge(s.state)),
            h("dl", { class: "facts" },
              h("dt", {}, "Branch"), h("dd", {}, s.branch || "default"),
              h("dt", {}, "Created"), h("dd", {}, ago(s.createdAt)),
              h("dt", {}, "Cost so far"), h("dd", { class: "cost" }, usd(costs[s.id])),
              h("dt", {}, "Timer"), h("dd", { class: "countdown" }, countdown(s) || "—")),
            s.stateReason ? h("p", { class: s.state === "FAILED" ? "reason" : "muted" }, s.stateReason) : null,
            h("div", { class: "row" }, sessionActions(s, load))))));
  }

  async function load() {
    try {
      const [page, usage] = await Promise.all([
        call(withQuery("/api/v1/sessions", { state: filter, size: 100 })),
        call("/api/v1/billing/usage?groupBy=session").catch(() => null),
      ]);
      sessions = page.items;
      costs = {};
      for (const g of (usage && usage.groups) || []) costs[g.key] = g.amountUsd;
      draw();
    } catch (error) {
      showError(error);
    }
  }

  fill(
    root,
    h("section", { "aria-labelledby": "sessions-title" },
      h("div", { class: "row spread" },
        h("h1", { id: "sessions-title" }, "Sessions"),
        h("label", { class: "inline" }, "State ", select)),
      list),
    createForm()
  );
  load();
  const refresh = setInterval(load, 5000);
  const tick = setInterval(() => {
    for (const el of list.querySelectorAll("[data-session]")) {
      const s = sessions.find((x) => x.id === el.dataset.session);
      if (s) el.querySelector(".countdown").textContent = countdown(s) || "—";
    }
  }, 1000);
  return () => {
    clearInterval(refresh);
    clearInterval(tick);
  };
}

function createForm() {
  const repoSelect = h("select", { id: "repository" }, h("option", { value: "" }, "A URL (below)"));
  call("/api/v1/repositories?size=100")
    .then((repos) => {
      for (const r of repos || []) repoSelect.append(h("option", { value: r.id }, r.url));
    })
    .catch(() => {});
  const url = h("input", { id: "repository-url", type: "text", placeholder: "https://github.com/you/app.git", autocomplete: "off" });
  const branch = h("input", { id: "branch", type: "text", placeholder: "default branch" });
  const setup = h("textarea", { id: "setup", rows: 3, placeholder: "npm ci", spellcheck: "false" });
  const idle = h("input", { id: "idle", type: "number", min: 1, placeholder: "15" });
  const lifetime = h("input", { id: "lifetime", type: "number", min: 1, placeholder: "8" });
  const envRows = h("div", { id: "env" });
  const addEnv = () => {
    const row = h("div", { class: "row env" },
      h("input", { type: "text", class: "env-name", placeholder: "NAME", "aria-label": "Variable name", autocomplete: "off" }),
      h("input", { type: "password", class: "env-value", placeholder: "value (write-only)", "aria-label": "Variable value", autocomplete: "new-password" }),
      h("button", { type: "button", class: "ghost", "aria-label": "Remove variable", onclick: () => row.remove() }, "×"));
    envRows.append(row);
  };
  const form = h("form", { class: "card", id: "create" },
    h("h2", {}, "New session"),
    h("label", { for: "repository" }, "Repository"), repoSelect,
    h("label", { for: "repository-url" }, "Repository URL"), url,
    h("label", { for: "branch" }, "Branch"), branch,
    h("label", { for: "setup" }, "Setup commands (one a line)"), setup,
    h("fieldset", {}, h("legend", {}, "Environment (values are write-only: never shown again)"), envRows,
      h("button", { type: "button", class: "ghost", onclick: addEnv }, "Add variable")),
    h("div", { class: "row" },
      h("label", { class: "inline" }, "Idle timeout (minutes) ", idle),
      h("label", { class: "inline" }, "Lifetime (hours) ", lifetime)),
    h("div", { class: "row" }, h("button", { type: "submit", id: "create-submit" }, "Create session")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {};
    if (repoSelect.value) body.repositoryId = repoSelect.value;
    else body.repositoryUrl = url.value.trim();
    if (branch.value.trim()) body.branch = branch.value.trim();
    const commands = setup.value.split("\n").map((l) => l.trim()).filter(Boolean);
    if (commands.length) body.setupCommands = commands;
    const environment = {};
    for (const row of envRows.querySelectorAll(".env")) {
      const name = row.querySelector(".env-name").value.trim();
      if (name) environment[name] = row.querySelector(".env-value").value;
    }
    if (Object.keys(environment).length) body.environment = environment;
    if (idle.value) body.idleTimeout = `PT${Number(idle.value)}M`;
    if (lifetime.value) body.maxLifetime = `PT${Number(lifetime.value)}H`;
    try {
      const session = await call("/api/v1/sessions", { method: "POST", body });
      location.hash = `#/sessions/${session.id}`;
    } catch (error) {
      showError(error);
    }
  });
  return form;
}
