package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.api.Api;
import dev.remoteclaude.cli.render.Format;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rclaude budget set|show}: your monthly and per-session caps, and the spend against them.
 */
@Command(
    name = "budget",
    mixinStandardHelpOptions = true,
    description = {
      "Cap what your sessions cost, compute and model tokens together (USD): per calendar month"
          + " (UTC), per session by default, and per session.",
      "At 80 % of a cap the session's stream says so; at 100 % the running task stops"
          + " (BUDGET_EXCEEDED) and the session is paused until you raise the cap. Then resume"
          + " it: the next task continues the same Claude conversation."
    },
    subcommands = {BudgetCommand.Set.class, BudgetCommand.Show.class})
public final class BudgetCommand implements Runnable {

  static final String BUDGET = "/api/v1/billing/budget";

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required");
  }

  /** {@code budget set}. */
  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Set your caps; a cap not given stays as it is, 'none' removes one.",
      },
      footer = {
        "",
        "Examples:",
        "  rclaude budget set --monthly 50 --session-default 5",
        "  rclaude budget set --session SESSION --cap 12.5",
        "  rclaude budget set --monthly none"
      })
  static final class Set implements Callable<Integer> {
    private final CliContext context;

    @Option(names = "--monthly", paramLabel = "USD", description = "the monthly cap, or none")
    String monthly;

    @Option(
        names = "--session-default",
        paramLabel = "USD",
        description = "the cap of a session without one of its own, or none")
    String sessionDefault;

    @Option(names = "--session", paramLabel = "ID", description = "the session --cap is for")
    String session;

    @Option(
        names = "--cap",
        paramLabel = "USD",
        description = "the cap of --session, or none (the default again)")
    String cap;

    Set(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if ((session == null) != (cap == null)) {
        throw new CliException(ExitCodes.USAGE, "--session and --cap go together");
      }
      if (monthly == null && sessionDefault == null && session == null) {
        throw new CliException(
            ExitCodes.USAGE,
            "nothing to set: give --monthly, --session-default or --session/--cap");
      }
      Map<String, Object> caps = null;
      if (monthly != null || sessionDefault != null) {
        caps = new LinkedHashMap<>();
        caps.put("monthlyCapUsd", amount("--monthly", monthly));
        caps.put("sessionDefaultCapUsd", amount("--session-default", sessionDefault));
      }
      Map<String, Object> sessionCap = new LinkedHashMap<>();
      if (session != null) {
        sessionCap.put("capUsd", amount("--cap", cap));
      }
      JsonNode body = null;
      if (caps != null) {
        // The platform replaces both caps: a cap not given keeps its current amount.
        JsonNode current = context.api().get(BUDGET);
        if (monthly == null) {
          caps.put("monthlyCapUsd", number(current, "monthlyCapUsd"));
        }
        if (sessionDefault == null) {
          caps.put("sessionDefaultCapUsd", number(current, "sessionDefaultCapUsd"));
        }
        body = context.api().put(BUDGET, caps);
      }
      if (session != null) {
        body = context.api().put(BUDGET + "/sessions/" + Api.encode(session), sessionCap);
      }
      if (context.json()) {
        context.printJson(body);
      } else {
        show(context, body);
      }
      return ExitCodes.OK;
    }

    private static BigDecimal amount(String option, String text) {
      if (text == null || text.equalsIgnoreCase("none")) {
        return null;
      }
      try {
        BigDecimal amount = new BigDecimal(text.strip().replaceFirst("^\\$", ""));
        if (amount.signum() <= 0) {
          throw new NumberFormatException();
        }
        return amount;
      } catch (NumberFormatException e) {
        throw new CliException(
            ExitCodes.USAGE, option + " takes an amount in USD above 0 (like 12.50) or none");
      }
    }
  }

  /** {@code budget show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show your caps and what was spent against them (this month, each session).",
      footer = {"", "Examples:", "  rclaude budget show", "  rclaude budget show -o json"})
  static final class Show implements Callable<Integer> {
    private final CliContext context;

    Show(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode body = context.api().get(BUDGET);
      if (context.json()) {
        context.printJson(body);
      } else {
        show(context, body);
      }
      return ExitCodes.OK;
    }
  }

  static void show(CliContext context, JsonNode body) {
    Details details = new Details();
    JsonNode month = body.path("month");
    details.add(
        "Monthly cap",
        against(number(body, "monthlyCapUsd"), number(month, "spentUsd"), number(month, "percent"))
            + " this month");
    BigDecimal sessionDefault = number(body, "sessionDefaultCapUsd");
    details.add("Session default", sessionDefault == null ? "none" : Format.usd(sessionDefault));
    for (JsonNode s : body.path("sessions")) {
      details.add(
          "Session " + s.path("sessionId").asText(),
          against(number(s, "capUsd"), number(s, "spentUsd"), number(s, "percent"))
              + (s.path("ownCap").asBoolean() ? "" : " (default cap)"));
    }
    details.print(context.out());
  }

  private static String against(BigDecimal cap, BigDecimal spent, BigDecimal percent) {
    String used = Format.usd(spent == null ? BigDecimal.ZERO : spent) + " spent";
    if (cap == null) {
      return "none, " + used;
    }
    return Format.usd(cap)
        + ", "
        + used
        + (percent == null ? "" : " (" + percent.stripTrailingZeros().toPlainString() + " %)")
        + (percent != null && percent.compareTo(BigDecimal.valueOf(100)) >= 0
            ? ", cap reached"
            : "");
  }

  private static BigDecimal number(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isNumber() ? new BigDecimal(value.asText()) : null;
  }
}
