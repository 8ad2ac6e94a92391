// A session's page: its header (state, timer, cost, actions), Claude's work live from the stream,
// the task queue and history, a command runner with streamed output, and a file browser/editor.

import { call, withQuery } from "./api.js";
import { h, fill, ago, usd, confirmAction } from "./dom.js";
import { showError } from "./app.js";
import { SessionStream } from "./stream.js";
import { sessionActions, countdown, stateBadge } from "./sessions.js";

const ACTIVE_TASK = ["QUEUED", "DISPATCHED", "RUNNING"];

export function sessionPage(root, id) {
  let session = null;
  let stream = null;
  const stops = [];
  const header = h("div", { class: "card", id: "session-header" });
  const meter = h("span", { id: "meter", class: "meter", "aria-live": "polite" });
  const streamStatus = h("span", { id: "stream-status", class: "muted" }, "connecting…");
  const activity = h("ol", { id: "activity", class: "activity", "aria-live": "polite", "aria-label": "Claude's work" });
  const tasks = h("ul", { id: "tasks", class: "tasks" });
  const commandOutput = h("div", { id: "commands" });
  const files = h("ul", { id: "files", class: "files" });
  const editor = h("div", { id: "editor" });

  async function loadSession() {
    try {
      session = await call(`/api/v1/sessions/${id}`);
      drawHeader();
    } catch (error) {
      if (error.status === 404) {
        fill(root, h("div", { class: "card", id: "not-found" }, h("h1", {}, "Session not found"), h("p", {}, error.message), h("a", { href: "#/sessions" }, "Your sessions")));
        stop();
        return false;
      }
      showError(error);
    }
    return true;
  }

  function drawHeader() {
    fill(header,
      h("div", { class: "row spread" }, h("h1", { class: "title" }, session.repositoryUrl || "Session"), stateBadge(session.state)),
      h("dl", { class: "facts" },
        h("dt", {}, "Branch"), h("dd", {}, session.branch || "default"),
        h("dt", {}, "Created"), h("dd", {}, ago(session.createdAt)),
        h("dt", {}, "Timer"), h("dd", { class: "countdown" }, countdown(session) || "—"),
        h("dt", {}, "Live cost"), h("dd", {}, meter)),
      session.stateReason ? h("p", { class: session.state === "FAILED" ? "reason" : "muted" }, session.stateReason) : null,
      h("div", { class: "row" }, sessionActions(session, loadSession)));
  }

  // --- the stream -------------------------------------------------------------------------------
  const toolUses = new Map();
  const commands = new Map();

  function item(event, cls, ...children) {
    return h("li", { class: "event " + cls, "data-seq": event.seq, "data-type": event.type }, ...children);
  }
  function notice(event, ...text) {
    activity.append(item(event, "notice", ...text));
  }

  function onEvent(event) {
    const d = event.data || {};
    switch (event.type) {
      case "session.state":
        notice(event, `Session ${String(d.from || "").toLowerCase()} → ${String(d.to).toLowerCase()}`, d.reason ? ` (${d.reason})` : "");
        loadSession();
        refreshTasks();
        if (d.to === "READY") refreshGit();
        break;
      case "session.notice": {
        const li = item(event, "notice warn", d.message || d.kind);
        if (d.kind === "IDLE_WARNING") {
          li.append(" ", h("button", { type: "button", class: "here", onclick: () => call(`/api/v1/sessions/${id}/extend`, { method: "POST", body: { duration: "PT15M" } }).then(loadSession, showError) }, "I'm here"));
        }
        activity.append(li);
        loadSession();
        break;
      }
      case "sandbox.progress":
        notice(event, "Sandbox: ", d.step, d.of ? ` ${d.index} of ${d.of}` : "", d.reason ? ` (${d.reason})` : "");
        break;
      case "sandbox.ready":
        notice(event, "Sandbox ready (", d.provider, ")");
        break;
      case "sandbox.failed":
        activity.append(item(event, "notice fail", "Sandbox failed: ", d.reason || d.code));
        break;
      case "task.queued":
        notice(event, "Task queued: ", d.prompt || "");
        refreshTasks();
        break;
      case "task.started":
        notice(event, "Claude started", d.model ? ` (${d.model})` : "");
        refreshTasks();
        break;
      case "task.meter":
        meter.textContent = `${usd(d.costUsd)} · ${d.turns ?? 0} turns${d.lastTool ? " · " + d.lastTool : ""}`;
        break;
      case "claude.init":
        notice(event, "Claude Code ", d.model || "", " in ", d.cwd || "");
        break;
      case "claude.text":
        activity.append(item(event, "text", h("p", {}, d.text)));
        break;
      case "claude.thinking":
        activity.append(item(event, "thinking", h("details", {}, h("summary", {}, "Thinking"), h("p", {}, d.text))));
        break;
      case "claude.tool_use": {
        const result = h("div", { class: "tool-result" });
        const details = h("details", { class: "tool", "data-tool": d.name },
          h("summary", {}, h("span", { class: "tool-name" }, d.name), " ", h("span", { class: "muted" }, summarize(d.input))),
          h("pre", { class: "tool-input" }, JSON.stringify(d.input, null, 2)),
          result);
        toolUses.set(d.id, result);
        activity.append(item(event, "tool-use", details));
        break;
      }
      case "claude.tool_result": {
        const content = typeof d.content === "string" ? d.content : JSON.stringify(d.content, null, 2);
        const pre = h("pre", { class: d.isError ? "tool-output fail" : "tool-output" }, content, d.truncated ? "\n[truncated]" : "");
        const target = toolUses.get(d.toolUseId);
        if (target) target.append(h("div", { "data-seq": event.seq, "data-type": event.type, class: "event nested" }, pre));
        else activity.append(item(event, "tool-result", pre));
        break;
      }
      case "claude.result":
        notice(event, d.isError ? "Claude ended with an error" : "Claude finished");
        break;
      case "claude.output":
      case "claude.stderr":
        activity.append(item(event, "output", h("pre", {}, d.text)));
        break;
      case "task.completed":
        notice(event, "Task completed", d.usage ? ` · ${usd(d.usage.costUsd)}` : "");
        taskEnded(event.taskId);
        refreshGit();
        break;
      case "task.failed":
        activity.append(item(event, "notice fail", "Task failed: ", d.reason || d.code));
        taskEnded(event.taskId);
        break;
      case "task.cancelled":
        notice(event, "Task cancelled", d.reason ? `: ${d.reason}` : "");
        taskEnded(event.taskId);
        break;
      case "git.committed":
        notice(event, "Committed ", String(d.commit || "").slice(0, 8), " on ", d.branch || "HEAD", ": ", d.subject || "");
        refreshGit();
        break;
      case "git.pulled":
        notice(event, "Pulled into ", d.branch || "HEAD", ": ", String(d.before || "").slice(0, 8), " → ", String(d.after || "").slice(0, 8));
        refreshGit();
        break;
      case "git.pushed":
        notice(event, "Pushed ", d.branch, " (", String(d.commit || "").slice(0, 8), ")");
        refreshGit();
        break;
      case "pr.opened":
        activity.append(item(event, "notice", "Pull request opened: ", link(d.url, `#${d.number} ${d.title || ""}`)));
        refreshPullRequests();
        break;
      case "pr.updated":
        activity.append(item(event, "notice", `Pull request #${d.number} ${d.change || ""} (${String(d.state || "").toLowerCase()}) `, link(d.url, d.url)));
        refreshPullRequests();
        break;
      case "command.started":
        commandOutput.prepend(commandView(event, d));
        break;
      case "command.output": {
        const view = commands.get(d.commandId);
        if (view) view.out.append(h("span", { class: d.stream === "stderr" ? "stderr" : "", "data-seq": event.seq }, d.text));
        break;
      }
      case "command.exited": {
        const view = commands.get(d.commandId);
        if (view) view.status.textContent = `exit ${d.exitCode}${d.timedOut ? " (timed out)" : ""}${d.truncated ? " (output cut)" : ""}`;
        break;
      }
      default:
      // types this page does not know are left out (docs/streaming.md)
    }
    if (follow.checked) activity.lastElementChild?.scrollIntoView({ block: "nearest" });
  }

  function commandView(event, d) {
    const out = h("pre", { class: "command-output", "data-command": d.commandId });
    const status = h("span", { class: "muted" }, "running…");
    commands.set(d.commandId, { out, status });
    return h("div", { class: "command", "data-seq": event.seq }, h("div", { class: "row spread" }, h("code", {}, "$ ", d.command), status), out);
  }

  // --- tasks ------------------------------------------------------------------------------------
  // task-service hears of a task's end a moment after the stream shows it: wait for it (api.md).
  function taskEnded(taskId) {
    if (!taskId) return refreshTasks();
    call(`/api/v1/tasks/${taskId}?waitSeconds=5`).catch(() => null).then(refreshTasks);
  }

  async function refreshTasks() {
    try {
      const history = await call(`/api/v1/sessions/${id}/tasks`);
      fill(tasks, history.length ? null : h("li", { class: "muted" }, "No tasks yet."),
        history.map((t) =>
          h("li", { class: "task", "data-task": t.id, "data-state": t.state },
            h("div", { class: "row spread" }, h("span", {}, t.promptPreview || t.prompt || ""), h("span", { class: "badge" }, t.state)),
            h("div", { class: "muted" }, [ago(t.queuedAt), t.costUsd != null ? usd(t.costUsd) : null, t.turns != null ? `${t.turns} turns` : null].filter(Boolean).join(" · ")),
            t.result ? h("details", {}, h("summary", {}, "Result"), h("p", { class: "result" }, t.result)) : null,
            t.failureReason ? h("p", { class: "reason" }, t.failureReason) : null,
            ACTIVE_TASK.includes(t.state)
              ? h("button", { type: "button", class: "ghost", "data-action": "cancel", onclick: async () => {
                  if (await confirmAction("Cancel this task? Claude stops where it is.", "Cancel task")) {
                    call(`/api/v1/tasks/${t.id}/cancel`, { method: "POST" }).then(refreshTasks, showError);
                  }
                } }, "Cancel")
              : null)));
    } catch (error) {
      // task-service learns of a new session from its events a moment after it is created
      if (error.status === 404) fill(tasks, h("li", { class: "muted" }, "No tasks yet."));
      else showError(error);
    }
  }

  const prompt = h("textarea", { id: "prompt", rows: 3, required: true, placeholder: "What should Claude do?" });
  const model = h("input", { id: "model", type: "text", placeholder: "default model" });
  const maxTurns = h("input", { id: "max-turns", type: "number", min: 1, max: 200, placeholder: "30" });
  const permission = h("select", { id: "permission" }, h("option", { value: "" }, "default permissions"), ["acceptEdits", "bypassPermissions", "plan"].map((m) => h("option", { value: m }, m)));
  const taskForm = h("form", { id: "task-form" },
    h("label", { for: "prompt" }, "Prompt"), prompt,
    h("div", { class: "row" },
      h("label", { class: "inline" }, "Model ", model),
      h("label", { class: "inline" }, "Max turns ", maxTurns),
      h("label", { class: "inline" }, "Permissions ", permission)),
    h("div", { class: "row" }, h("button", { type: "submit", id: "task-submit" }, "Run task")));
  taskForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { prompt: prompt.value };
    if (model.value.trim()) body.model = model.value.trim();
    if (maxTurns.value) body.maxTurns = Number(maxTurns.value);
    if (permission.value) body.permissionMode = permission.value;
    try {
      await call(`/api/v1/sessions/${id}/tasks`, { method: "POST", body });
      prompt.value = "";
      refreshTasks();
    } catch (error) {
      showError(error);
    }
  });

  // --- commands ---------------------------------------------------------------------------------
  const script = h("input", { id: "command", type: "text", placeholder: "npm test", autocomplete: "off", spellcheck: "false", required: true });
  const commandForm = h("form", { id: "command-form", class: "row" }, h("label", { for: "command", class: "sr-only" }, "Command"), script, h("button", { type: "submit" }, "Run"));
  commandForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await call(`/api/v1/sessions/${id}/commands`, { method: "POST", body: { script: script.value, stream: true } });
      script.value = "";
    } catch (error) {
      showError(error);
    }
  });

  // --- files ------------------------------------------------------------------------------------
  async function listFiles() {
    try {
      const result = await call(`/api/v1/sessions/${id}/commands`, {
        method: "POST",
        body: { argv: ["git", "ls-files", "--cached", "--others", "--exclude-standard"] },
      });
      const names = result.stdout.split("\n").filter(Boolean).sort();
      fill(files, names.length ? null : h("li", { class: "muted" }, "No files."),
        names.map((name) => h("li", {}, h("button", { type: "button", class: "link", "data-file": name, onclick: () => openFile(name) }, name))));
    } catch (error) {
      showError(error);
    }
  }

  async function openFile(path) {
    try {
      const bytes = await call(withQuery(`/api/v1/sessions/${id}/files`, { path }), { as: "bytes" });
      let text;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch (e) {
        fill(editor, h("p", { class: "muted" }, `${path}: a binary file (${bytes.length} bytes)`));
        return;
      }
      const area = h("textarea", { id: "file-content", rows: 16, spellcheck: "false", "aria-label": path });
      area.value = text;
      const saved = h("span", { class: "muted", "aria-live": "polite" });
      fill(editor,
        h("div", { class: "row spread" }, h("code", { id: "file-path" }, path), saved),
        area,
        h("div", { class: "row" }, h("button", { type: "button", id: "file-save", onclick: async () => {
          try {
            await call(withQuery(`/api/v1/sessions/${id}/files`, { path }), { method: "PUT", raw: new TextEncoder().encode(area.value) });
            saved.textContent = "Saved";
          } catch (error) {
            showError(error);
          }
        } }, "Save")));
    } catch (error) {
      showError(error);
    }
  }

  // --- git and pull requests ---------------------------------------------------------------------
  const gitStatus = h("div", { id: "git-status" }, h("p", { class: "muted" }, "Not loaded."));
  const branchSelect = h("select", { id: "git-branch", "aria-label": "Branch" });
  const newBranch = h("input", { id: "git-new-branch", type: "text", placeholder: "new branch", autocomplete: "off", spellcheck: "false" });
  const commitMessage = h("input", { id: "git-message", type: "text", placeholder: "commit message (optional: written from the changes)", autocomplete: "off" });
  const gitResult = h("p", { id: "git-result", class: "muted", "aria-live": "polite" });
  const pullRequests = h("ul", { id: "pull-requests", class: "tasks" });
  const prTitle = h("input", { id: "pr-title", type: "text", placeholder: "pull request title", required: true });
  const prBase = h("input", { id: "pr-base", type: "text", placeholder: "base (default branch)" });
  const prDraft = h("input", { id: "pr-draft", type: "checkbox" });

  async function gitCall(path, body, done) {
    try {
      const result = await call(`/api/v1/sessions/${id}/git${path}`, { method: "POST", body: body || {} });
      gitResult.textContent = done(result);
      refreshGit();
    } catch (error) {
      showError(error);
    }
  }

  async function refreshGit() {
    try {
      const [status, branches] = await Promise.all([
        call(`/api/v1/sessions/${id}/git`),
        call(`/api/v1/sessions/${id}/git/branches`),
      ]);
      fill(gitStatus,
        h("dl", { class: "facts" },
          h("dt", {}, "Branch"), h("dd", { id: "git-current" }, status.branch || "detached HEAD"),
          h("dt", {}, "Upstream"), h("dd", {}, status.upstream ? `${status.upstream} · ${status.ahead} ahead, ${status.behind} behind` : "none"),
          h("dt", {}, "Commit"), h("dd", {}, h("code", {}, String(status.headCommit || "—").slice(0, 12)))),
        status.clean
          ? h("p", { class: "muted", id: "git-clean" }, "No changes.")
          : h("ul", { id: "git-changes", class: "files" },
              status.changes.map((c) => h("li", { "data-path": c.path, "data-status": c.status }, h("code", {}, c.path), " ", h("span", { class: "muted" }, c.status + (c.staged ? " (staged)" : ""))))));
      fill(branchSelect, branches.map((b) => h("option", { value: b.name, selected: b.current }, b.name)));
    } catch (error) {
      if (error.status === 409) fill(gitStatus, h("p", { class: "muted" }, error.message));
      else showError(error);
    }
  }

  async function refreshPullRequests() {
    try {
      const list = await call(`/api/v1/sessions/${id}/pull-requests`);
      fill(pullRequests, list.length ? null : h("li", { class: "muted" }, "No pull requests."),
        list.map((pr) => h("li", { class: "task", "data-pr": pr.number, "data-state": pr.state },
          h("div", { class: "row spread" }, link(pr.url, `#${pr.number} ${pr.title}`), h("span", { class: "badge" }, pr.state)),
          h("div", { class: "muted" }, `${pr.head} → ${pr.base} · ${pr.forge.toLowerCase()}`))));
    } catch (error) {
      fill(pullRequests, h("li", { class: "muted" }, error.message));
    }
  }

  const prForm = h("form", { id: "pr-form" },
    h("label", { for: "pr-title" }, "Open a pull request of the last pushed branch"), prTitle,
    h("div", { class: "row" }, h("label", { class: "inline" }, "Base ", prBase), h("label", { class: "inline" }, prDraft, " draft"),
      h("button", { type: "submit", id: "pr-submit" }, "Open pull request")));
  prForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { title: prTitle.value, draft: prDraft.checked };
    if (prBase.value.trim()) body.base = prBase.value.trim();
    try {
      await call(`/api/v1/sessions/${id}/pull-requests`, { method: "POST", body });
      prTitle.value = "";
      refreshPullRequests();
    } catch (error) {
      showError(error);
    }
  });

  const gitSection = h("section", { class: "card", "aria-labelledby": "git-title" },
    h("div", { class: "row spread" }, h("h2", { id: "git-title" }, "Git"), h("button", { type: "button", class: "ghost", id: "git-refresh", onclick: () => { refreshGit(); refreshPullRequests(); } }, "Refresh")),
    gitStatus,
    h("div", { class: "row" },
      h("label", { class: "inline" }, "Switch to ", branchSelect),
      h("button", { type: "button", id: "git-checkout", onclick: () => gitCall("/checkout", { branch: branchSelect.value }, () => `Switched to ${branchSelect.value}`) }, "Switch")),
    h("div", { class: "row" },
      h("label", { for: "git-new-branch", class: "sr-only" }, "New branch"), newBranch,
      h("button", { type: "button", id: "git-create-branch", onclick: async () => {
        try {
          await call(`/api/v1/sessions/${id}/git/branches`, { method: "POST", body: { name: newBranch.value.trim() } });
          gitResult.textContent = `Created ${newBranch.value.trim()}`;
          newBranch.value = "";
          refreshGit();
        } catch (error) {
          showError(error);
        }
      } }, "Create branch")),
    h("div", { class: "row" },
      h("label", { for: "git-message", class: "sr-only" }, "Commit message"), commitMessage,
      h("button", { type: "button", id: "git-commit", onclick: () => gitCall("/commit", commitMessage.value.trim() ? { message: commitMessage.value } : {}, (r) => { commitMessage.value = ""; return `Committed ${r.commit.slice(0, 8)}: ${r.filesChanged} file(s)`; }) }, "Commit all")),
    h("div", { class: "row" },
      h("button", { type: "button", id: "git-push", onclick: () => gitCall("/push", {}, (r) => `Pushed ${r.branch} to ${r.upstream}`) }, "Push"),
      h("button", { type: "button", class: "ghost", id: "git-pull", onclick: () => gitCall("/pull", {}, (r) => (r.updated ? `Pulled ${r.after.slice(0, 8)}` : "Already up to date")) }, "Pull")),
    gitResult,
    h("h3", {}, "Pull requests"), prForm, pullRequests);

  const follow = h("input", { type: "checkbox", id: "follow", checked: true });
  fill(root,
    header,
    h("div", { class: "grid" },
      h("section", { class: "card wide", "aria-labelledby": "activity-title" },
        h("div", { class: "row spread" }, h("h2", { id: "activity-title" }, "Claude"), h("span", {}, streamStatus, " ", h("label", { class: "inline" }, follow, " follow"))),
        activity),
      h("section", { class: "card", "aria-labelledby": "tasks-title" }, h("h2", { id: "tasks-title" }, "Tasks"), taskForm, tasks),
      h("section", { class: "card", "aria-labelledby": "commands-title" }, h("h2", { id: "commands-title" }, "Commands"), commandForm, commandOutput),
      h("section", { class: "card", "aria-labelledby": "files-title" },
        h("div", { class: "row spread" }, h("h2", { id: "files-title" }, "Files"), h("button", { type: "button", class: "ghost", id: "files-refresh", onclick: listFiles }, "List files")),
        files, editor),
      gitSection));

  function stop() {
    if (stream) stream.close();
    stops.forEach((f) => f());
  }

  loadSession().then((found) => {
    if (!found) return;
    refreshTasks();
    refreshGit();
    refreshPullRequests();
    stream = new SessionStream(id, onEvent, (status) => (streamStatus.textContent = status));
    stream.open();
  });
  const tick = setInterval(() => {
    const el = header.querySelector(".countdown");
    if (el && session) el.textContent = countdown(session) || "—";
  }, 1000);
  stops.push(() => clearInterval(tick));
  return stop;
}

function summarize(input) {
  if (!input || typeof input !== "object") return "";
  const value = input.command || input.file_path || input.path || input.pattern || input.url || "";
  const text = String(value);
  return text.length > 80 ? text.slice(0, 80) + "…" : text;
}

/** A link to a forge's page: only http(s) addresses become links, opened without an opener. */
function link(url, text) {
  return /^https?:\/\//.test(String(url || ""))
    ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, text)
    : h("span", {}, text);
}
