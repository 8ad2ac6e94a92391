// Usage: cost and session hours per day, cost per session and per kind, the plan and its budget.

import { call, withQuery } from "./api.js";
import { h, fill, usd } from "./dom.js";
import { showError } from "./app.js";

/** A bar chart: one row per item, its bar as long as its share of the largest. */
function bars(id, title, rows, format) {
  const max = Math.max(0, ...rows.map((r) => r.value));
  return h("figure", { class: "chart", id },
    h("figcaption", {}, title),
    rows.length
      ? h("table", {}, h("tbody", {}, rows.map((r) => {
          const bar = h("span", { class: "bar" });
          bar.style.width = max > 0 ? `${(100 * r.value) / max}%` : "0";
          return h("tr", {}, h("th", { scope: "row" }, r.label), h("td", { class: "bar-cell" }, bar), h("td", { class: "num" }, format(r.value)));
        })))
      : h("p", { class: "muted" }, "Nothing this period."));
}

export function usagePage(root) {
  const from = h("input", { type: "date", id: "from" });
  const to = h("input", { type: "date", id: "to" });
  const content = h("div", { id: "usage" }, h("p", { class: "muted" }, "Loading…"));
  const form = h("form", { class: "row", id: "usage-range" },
    h("label", { class: "inline" }, "From ", from), h("label", { class: "inline" }, "To ", to), h("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    load();
  });

  async function load() {
    const range = { from: from.value, to: to.value };
    try {
      const [plan, byDay, bySession, byKind] = await Promise.all([
        call("/api/v1/billing/plan"),
        call(withQuery("/api/v1/billing/usage", { ...range, groupBy: "day" })),
        call(withQuery("/api/v1/billing/usage", { ...range, groupBy: "session" })),
        call(withQuery("/api/v1/billing/usage", { ...range, groupBy: "kind" })),
      ]);
      const hours = (s) => `${(s / 3600).toFixed(2)} h`;
      const days = [...byDay.groups].sort((a, b) => String(a.key).localeCompare(String(b.key)));
      const used = plan.sessionSecondsPerMonth ? Math.min(1, plan.usedSessionSeconds / plan.sessionSecondsPerMonth) : 0;
      const budget = h("span", { class: "bar" });
      budget.style.width = `${100 * used}%`;
      fill(content,
        h("section", { class: "card", id: "plan" },
          h("h2", {}, "Plan: ", plan.plan),
          h("dl", { class: "facts" },
            h("dt", {}, "Spent this month"), h("dd", {}, usd(plan.spendUsd)),
            h("dt", {}, "Session hours"), h("dd", {}, `${hours(plan.usedSessionSeconds)} of ${hours(plan.sessionSecondsPerMonth)}`),
            h("dt", {}, "Remaining"), h("dd", {}, hours(plan.remainingSessionSeconds)),
            h("dt", {}, "Active sessions at most"), h("dd", {}, String(plan.maxActiveSessions))),
          h("div", { class: "budget", role: "meter", "aria-label": "session hours used", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": Math.round(100 * used) }, budget)),
        h("section", { class: "card" },
          h("h2", {}, "Total ", usd(byKind.totalUsd)),
          bars("cost-per-day", "Cost per day", days.map((g) => ({ label: g.key, value: Number(g.amountUsd) })), usd),
          bars("hours-per-day", "Session hours per day", days.map((g) => ({ label: g.key, value: g.seconds })), hours),
          bars("cost-per-session", "Cost per session", bySession.groups.map((g) => ({ label: String(g.key).slice(0, 8), value: Number(g.amountUsd) })), usd),
          bars("cost-per-kind", "Cost per kind", byKind.groups.map((g) => ({ label: g.key, value: Number(g.amountUsd) })), usd)));
    } catch (error) {
      showError(error);
      fill(content, h("p", { class: "muted" }, "Usage could not be loaded."));
    }
  }

  fill(root, h("h1", {}, "Usage"), form, content);
  load();
}
