package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.api.Api;
import dev.remoteclaude.cli.api.ApiException;
import dev.remoteclaude.cli.render.Format;
import dev.remoteclaude.cli.render.Table;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rclaude billing ...}: the Stripe customer portal and invoices, and the user's own
 * Anthropic key.
 */
@Command(
    name = "billing",
    mixinStandardHelpOptions = true,
    description = {
      "Pay for your plan: the billing portal and your invoices (Stripe).",
      "On a platform that only meters usage (no Stripe) these exit 5 and say so;"
          + " rclaude usage and rclaude plan work everywhere."
    },
    subcommands = {
      BillingCommand.Open.class,
      BillingCommand.Invoices.class,
      BillingCommand.Key.class
    })
public final class BillingCommand implements Runnable {

  static final String BILLING = "/api/v1/billing";

  /** The problem type billing-service answers (409) when Stripe is not configured. */
  static final String METERING_ONLY = "metering-only";

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required");
  }

  /** Calls billing-service; its metering-only answer becomes a clear message (exit 5). */
  static JsonNode call(String what, Supplier<JsonNode> request) {
    try {
      return request.get();
    } catch (ApiException e) {
      if (e.status() == 409 && METERING_ONLY.equals(e.problemType())) {
        throw new CliException(
            e.exitCode(),
            "billing on this platform is metering-only: it meters usage but takes no payments"
                + " (Stripe is not configured), so there is "
                + what
                + ". See your usage with: rclaude usage");
      }
      throw e;
    }
  }

  /** {@code billing open}. */
  @Command(
      name = "open",
      aliases = "portal",
      mixinStandardHelpOptions = true,
      description = {
        "Print a link to your billing portal (Stripe): payment methods, invoices, changing or"
            + " cancelling your plan.",
        "The link is for you alone and expires soon; open it in a browser."
      },
      footer = {
        "",
        "Examples:",
        "  rclaude billing open",
        "  xdg-open \"$(rclaude billing open)\""
      })
  static final class Open implements Callable<Integer> {
    private final CliContext context;

    Open(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode body =
          BillingCommand.call(
              "no billing portal", () -> context.api().post(BILLING + "/portal", null));
      if (context.json()) {
        context.printJson(body);
        return ExitCodes.OK;
      }
      String url = Json.text(body, "url");
      if (url == null || url.isBlank()) {
        throw new CliException(ExitCodes.UNAVAILABLE, "the platform answered no portal link");
      }
      context.out().println(url);
      return ExitCodes.OK;
    }
  }

  static final String KEY = BILLING + "/anthropic-key";

  /** {@code billing key ...}: the user's own Anthropic API key. */
  @Command(
      name = "key",
      mixinStandardHelpOptions = true,
      description = {
        "Your own Anthropic API key: with one set, your sessions' model requests are sent with it",
        "(you pay Anthropic; the tokens are still metered, at no price, and count against no"
            + " budget)."
      },
      subcommands = {KeySet.class, KeyShow.class, KeyRemove.class})
  static final class Key implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "a subcommand is required");
    }
  }

  /** {@code billing key set}. */
  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Set your own Anthropic API key (replacing yours). It is read from a prompt on a terminal,"
            + " otherwise from the first line of stdin; never from the command line.",
        "The platform keeps it sealed and never shows it again (only its last 4 characters)."
      },
      footer = {
        "",
        "Examples:",
        "  rclaude billing key set",
        "  pass show anthropic | rclaude billing key set"
      })
  static final class KeySet implements Callable<Integer> {
    private final CliContext context;

    KeySet(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      String key = read();
      JsonNode body = context.api().put(KEY, java.util.Map.of("apiKey", key));
      if (context.json()) {
        context.printJson(body);
        return ExitCodes.OK;
      }
      context
          .out()
          .println(
              "Your Anthropic key ending "
                  + Json.text(body, "last4")
                  + " is set: your sessions' next model requests use it.");
      return ExitCodes.OK;
    }

    private String read() {
      String value;
      if (context.terminal() && System.console() != null) {
        char[] typed = System.console().readPassword("Anthropic API key: ");
        value = typed == null ? null : new String(typed);
      } else {
        try {
          value =
              new java.io.BufferedReader(
                      new java.io.InputStreamReader(
                          context.in(), java.nio.charset.StandardCharsets.UTF_8))
                  .readLine();
        } catch (java.io.IOException e) {
          throw new CliException(
              ExitCodes.FAILED, "cannot read the key from stdin: " + e.getMessage());
        }
      }
      if (value == null || value.isBlank()) {
        throw new CliException(
            ExitCodes.USAGE,
            "give the key on stdin (or at the prompt): echo \"$KEY\" | rclaude billing key set");
      }
      return value.strip();
    }
  }

  /** {@code billing key show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Whether you set a key of your own: its last 4 characters and when.",
      footer = {
        "",
        "Examples:",
        "  rclaude billing key show",
        "  rclaude billing key show -o json"
      })
  static final class KeyShow implements Callable<Integer> {
    private final CliContext context;

    KeyShow(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode body = context.api().get(KEY);
      if (context.json()) {
        context.printJson(body);
        return ExitCodes.OK;
      }
      if (!body.path("set").asBoolean(false)) {
        context
            .out()
            .println(
                "No key of your own: the platform's key is used. Set one: rclaude billing key"
                    + " set");
        return ExitCodes.OK;
      }
      context
          .out()
          .println(
              "Your Anthropic key ending "
                  + Json.text(body, "last4")
                  + ", set "
                  + Json.text(body, "setAt")
                  + ".");
      return ExitCodes.OK;
    }
  }

  /** {@code billing key rm}. */
  @Command(
      name = "rm",
      aliases = "remove",
      mixinStandardHelpOptions = true,
      description = "Remove your own key: the platform's key is used again.",
      footer = {"", "Examples:", "  rclaude billing key rm"})
  static final class KeyRemove implements Callable<Integer> {
    private final CliContext context;

    KeyRemove(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      context.api().delete(KEY);
      if (!context.json()) {
        context.out().println("Your own Anthropic key is removed: the platform's key is used.");
      } else {
        context.printJson(java.util.Map.of("set", false));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code billing invoices}. */
  @Command(
      name = "invoices",
      mixinStandardHelpOptions = true,
      description = "List your invoices, newest first (amounts in their currency).",
      footer = {
        "",
        "Examples:",
        "  rclaude billing invoices",
        "  rclaude billing invoices --limit 5 -o json"
      })
  static final class Invoices implements Callable<Integer> {
    private final CliContext context;

    @Option(
        names = "--limit",
        defaultValue = "20",
        paramLabel = "N",
        description = "invoices per page, 1 to 100 (default 20)")
    int limit;

    @Option(
        names = "--starting-after",
        paramLabel = "INVOICE",
        description = "the page after this invoice id (the previous page's last)")
    String startingAfter;

    Invoices(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (limit < 1 || limit > 100) {
        throw new CliException(ExitCodes.USAGE, "--limit must be between 1 and 100");
      }
      String query =
          "?limit="
              + limit
              + (startingAfter == null
                  ? ""
                  : "&startingAfter=" + Api.encode(startingAfter.strip()));
      JsonNode body =
          BillingCommand.call(
              "nothing to invoice", () -> context.api().get(BILLING + "/invoices" + query));
      if (context.json()) {
        context.printJson(body);
        return ExitCodes.OK;
      }
      Table table = new Table("INVOICE", "STATUS", "DUE", "PAID", "PERIOD", "CREATED", "LINK");
      for (JsonNode invoice : body.path("items")) {
        String currency = Json.text(invoice, "currency");
        String number = Json.text(invoice, "number");
        table.row(
            number == null || number.isBlank() ? Json.text(invoice, "id") : number,
            Json.text(invoice, "status"),
            Format.minorUnits(invoice.path("amountDue").asLong(), currency),
            Format.minorUnits(invoice.path("amountPaid").asLong(), currency),
            day(invoice, "periodStart")
                + " "
                + context.style().dash()
                + " "
                + day(invoice, "periodEnd"),
            day(invoice, "created"),
            Json.text(invoice, "hostedInvoiceUrl"));
      }
      if (table.isEmpty()) {
        context.out().println(startingAfter == null ? "No invoices yet." : "No more invoices.");
        return ExitCodes.OK;
      }
      table.print(context.out());
      String next = Json.text(body, "nextStartingAfter");
      if (body.path("hasMore").asBoolean(false) && next != null) {
        context
            .out()
            .println(
                "More: rclaude billing invoices --limit " + limit + " --starting-after " + next);
      }
      return ExitCodes.OK;
    }

    private static String day(JsonNode node, String field) {
      String text = Json.text(node, field);
      try {
        return text == null
            ? ""
            : Instant.parse(text).atOffset(ZoneOffset.UTC).toLocalDate().toString();
      } catch (DateTimeParseException e) {
        return text;
      }
    }
  }
}
