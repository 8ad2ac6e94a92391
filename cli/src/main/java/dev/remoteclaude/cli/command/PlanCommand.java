package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.render.Format;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code rclaude plan}: your plan, its monthly allowances and what you used of them. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Show your plan, its monthly allowances and what you used of them this month (UTC).",
      "Session time counts every state but PAUSED; beyond it, creating or resuming a session is"
          + " refused (exit 7)."
    },
    footer = {"", "Examples:", "  rclaude plan", "  rclaude plan -o json"})
public final class PlanCommand implements Callable<Integer> {

  static final String PLAN = "/api/v1/billing/plan";

  private final CliContext context;

  PlanCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    JsonNode body = context.api().get(PLAN);
    if (context.json()) {
      context.printJson(body);
      return ExitCodes.OK;
    }
    long allowance = body.path("sessionSecondsPerMonth").asLong();
    long used = body.path("usedSessionSeconds").asLong();
    long left = body.path("remainingSessionSeconds").asLong(Math.max(0, allowance - used));
    String percent = allowance > 0 ? " (" + Math.round(used * 100.0 / allowance) + "%)" : "";
    Details details = new Details();
    details.add("Plan", Json.text(body, "plan"));
    details.add(
        "Active sessions", "at most " + body.path("maxActiveSessions").asInt() + " at a time");
    details.add(
        "Session time",
        Format.hours(used)
            + " used of "
            + Format.hours(allowance)
            + " this month"
            + percent
            + ", "
            + Format.hours(left)
            + " left");
    JsonNode spend = body.path("spendUsd");
    details.add(
        "Spent",
        Format.usd(spend.isNumber() ? new BigDecimal(spend.asText()) : BigDecimal.ZERO)
            + " this month (rclaude usage shows where)");
    Instant start = instant(body, "periodStart");
    Instant end = instant(body, "periodEnd");
    if (start != null && end != null) {
      details.add(
          "Period",
          day(start)
              + " "
              + context.style().dash()
              + " "
              + day(end.minusNanos(1))
              + " (UTC; renews "
              + day(end)
              + ")");
    }
    Instant asOf = instant(body, "asOf");
    details.add("As of", asOf == null ? null : Format.time(asOf, context.zone()));
    details.print(context.out());
    return ExitCodes.OK;
  }

  private static String day(Instant at) {
    return at.atOffset(ZoneOffset.UTC).toLocalDate().toString();
  }

  private static Instant instant(JsonNode node, String field) {
    String text = Json.text(node, field);
    try {
      return text == null ? null : Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
