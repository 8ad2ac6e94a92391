package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Interruption;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.Rclaude;
import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code rclaude usage}, {@code plan} and {@code billing}: against billing-service's answers. */
@Timeout(30)
class BillingCommandsTest {

  private static final String JSON = "application/json";
  private static final String PROBLEM = "application/problem+json";

  /** This month by kind, as docs/api.md shows it. */
  private static final String BY_KIND =
      """
      {"periodStart": "2026-12-01T00:00:00Z", "periodEnd": "2026-12-06T15:45:00Z",
       "sessionSeconds": {"READY": 5400, "PAUSED": 7200},
       "modelTokens": {"claude-sonnet-4-5": {"input": 120034, "output": 8120,
                                             "cacheRead": 450000, "cacheCreation": 3100}},
       "totalUsd": 1.872341, "groupBy": "kind",
       "groups": [
         {"key": "COMPUTE", "seconds": 12600, "inputTokens": 0, "outputTokens": 0,
          "cacheReadTokens": 0, "cacheWriteTokens": 0, "amountUsd": 0.17},
         {"key": "MODEL", "seconds": 0, "inputTokens": 120034, "outputTokens": 8120,
          "cacheReadTokens": 450000, "cacheWriteTokens": 3100, "amountUsd": 1.702341}]}
      """;

  /** Four days, the third without usage: $1, $0.50, nothing, $0.25. */
  private static final String BY_DAY =
      """
      {"periodStart": "2026-12-01T00:00:00Z", "periodEnd": "2026-12-05T00:00:00Z",
       "sessionSeconds": {}, "modelTokens": {}, "totalUsd": 1.75, "groupBy": "day",
       "groups": [
         {"key": "2026-12-01", "seconds": 3600, "inputTokens": 1000, "outputTokens": 10,
          "cacheReadTokens": 0, "cacheWriteTokens": 0, "amountUsd": 1.000000},
         {"key": "2026-12-02", "seconds": 1800, "inputTokens": 0, "outputTokens": 0,
          "cacheReadTokens": 0, "cacheWriteTokens": 0, "amountUsd": 0.500000},
         {"key": "2026-12-04", "seconds": 900, "inputTokens": 0, "outputTokens": 0,
          "cacheReadTokens": 0, "cacheWriteTokens": 0, "amountUsd": 0.250000}]}
      """;

  private static final String PLAN =
      """
      {"plan": "free", "maxActiveSessions": 3, "sessionSecondsPerMonth": 180000,
       "usedSessionSeconds": 12600, "remainingSessionSeconds": 167400, "spendUsd": 1.872341,
       "periodStart": "2026-12-01T00:00:00Z", "periodEnd": "2027-01-01T00:00:00Z",
       "asOf": "2026-12-06T15:45:00Z"}
      """;

  private static final String METERING_ONLY =
      """
      {"type": "https://remote-claude.dev/problems/metering-only",
       "title": "Billing is metering-only", "status": 409,
       "detail": "this installation meters usage but takes no payments: Stripe is not configured"}
      """;

  private final FakePlatform platform = new FakePlatform();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    platform.close();
  }

  private CliRun cli() {
    return CliRun.against(platform, dir);
  }

  @Test
  void usageIsThisMonthByKindWithATotalLine() {
    platform.answer("GET /api/v1/billing/usage", 200, JSON, BY_KIND);
    CliRun usage = cli();

    assertThat(usage.run("usage")).isZero();

    // No range or grouping given: the platform's default, this month by kind.
    assertThat(platform.requests()).containsExactly("GET /api/v1/billing/usage");
    List<String> lines = usage.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("Usage 2026-12-01 – 2026-12-06 15:45 (UTC) · by kind");
    assertThat(lines.get(1).split("\\s{2,}"))
        .containsExactly("KIND", "COMPUTE", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "COST");
    assertThat(lines.get(2).split("\\s{2,}"))
        .containsExactly("COMPUTE", "3h 30m", "-", "-", "-", "-", "$0.1700");
    assertThat(lines.get(3).split("\\s{2,}"))
        .containsExactly("MODEL", "-", "120.0k", "8.1k", "450.0k", "3.1k", "$1.70");
    assertThat(lines.get(4).split("\\s{2,}"))
        .containsExactly("TOTAL", "3h 30m", "120.0k", "8.1k", "450.0k", "3.1k", "$1.87");
    assertThat(lines).hasSize(5);
  }

  @Test
  void usageAsJsonIsThePlatformsDocument() {
    platform.answer("GET /api/v1/billing/usage", 200, JSON, BY_KIND);
    CliRun usage = cli();

    assertThat(usage.run("usage", "--by", "session", "-o", "json")).isZero();

    assertThat(Json.parseOrNull(usage.out())).isEqualTo(Json.parseOrNull(BY_KIND));
    assertThat(platform.requests()).containsExactly("GET /api/v1/billing/usage?groupBy=session");
  }

  @Test
  void usageByDayDrawsEveryDaysCostScaledToTheLargest() {
    platform.answer("GET /api/v1/billing/usage", 200, JSON, BY_DAY);
    CliRun usage = cli();

    assertThat(usage.run("usage", "--by", "day", "--from", "2026-12-01", "--to", "2026-12-04"))
        .isZero();

    assertThat(platform.requests())
        .containsExactly("GET /api/v1/billing/usage?from=2026-12-01&to=2026-12-04&groupBy=day");
    List<String> lines = usage.out().lines().toList();
    int chart = lines.indexOf("Cost per day (UTC)");
    assertThat(chart).isPositive();
    // Without the terminal's width: 40 columns for the largest day, the others in proportion,
    // and the day without usage is there, empty.
    assertThat(lines.subList(chart + 1, lines.size()))
        .containsExactly(
            "2026-12-01  " + "█".repeat(40) + "  $1.00",
            "2026-12-02  " + "█".repeat(20) + " ".repeat(20) + "  $0.5000",
            "2026-12-03  " + " ".repeat(40) + "  $0.0000",
            "2026-12-04  " + "█".repeat(10) + " ".repeat(30) + "  $0.2500");
    assertThat(lines.subList(0, chart)).anyMatch(l -> l.startsWith("2026-12-01  1h"));
  }

  @Test
  void theChartFillsTheTerminalsWidthInEighthsOfAColumn() {
    platform.answer("GET /api/v1/billing/usage", 200, JSON, BY_DAY);
    CliRun usage = cli().env("COLUMNS", "80");

    assertThat(usage.run("usage", "--by", "day")).isZero();

    List<String> lines = usage.out().lines().toList();
    List<String> chart = lines.subList(lines.indexOf("Cost per day (UTC)") + 1, lines.size());
    // 80 columns less the day (10), the widest cost (7) and two gaps of two: 59 for the bars.
    assertThat(chart)
        .containsExactly(
            "2026-12-01  " + "█".repeat(59) + "  $1.00",
            "2026-12-02  " + "█".repeat(29) + "▌" + " ".repeat(29) + "  $0.5000",
            "2026-12-03  " + " ".repeat(59) + "  $0.0000",
            "2026-12-04  " + "█".repeat(14) + "▊" + " ".repeat(44) + "  $0.2500");
    assertThat(chart).allMatch(line -> line.length() <= 80);
  }

  @Test
  void theChartIsColouredOnATerminalOnlyWithoutNoColor() {
    platform.answer("GET /api/v1/billing/usage", 200, JSON, BY_DAY);

    assertThat(onTerminal(Map.of(), "usage", "--by", "day")).contains("\u001b[36m█");
    assertThat(onTerminal(Map.of("NO_COLOR", "1"), "usage", "--by", "day"))
        .contains("█")
        .doesNotContain("\u001b[");
    assertThat(onTerminal(Map.of(), "usage", "--by", "day", "--no-color"))
        .contains("█")
        .doesNotContain("\u001b[");
  }

  private String onTerminal(Map<String, String> extra, String... args) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("RCLAUDE_URL", platform.url());
    env.put("RCLAUDE_TOKEN", FakePlatform.TOKEN);
    env.put("RCLAUDE_CONFIG", dir.resolve("rclaude/config.json").toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        new Rclaude.Launch(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]),
                env,
                new Interruption())
            .terminal(true)
            .run(args);
    assertThat(code).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aBadDateIsRefusedBeforeAnyRequest() {
    CliRun month = cli();
    assertThat(month.run("usage", "--from", "2026-13-01")).isEqualTo(ExitCodes.USAGE);
    assertThat(month.err())
        .contains("'2026-13-01' is not a date (2026-12-01) or an ISO-8601 instant")
        .contains("See 'rclaude usage --help'");

    CliRun words = cli();
    assertThat(words.run("usage", "--to", "yesterday", "--csv")).isEqualTo(ExitCodes.USAGE);
    assertThat(words.err()).contains("'yesterday' is not a date");

    CliRun backwards = cli();
    assertThat(backwards.run("usage", "--from", "2026-12-05", "--to", "2026-12-01"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(backwards.err()).contains("--to must be after --from");

    CliRun grouping = cli();
    assertThat(grouping.run("usage", "--by", "week")).isEqualTo(ExitCodes.USAGE);

    assertThat(platform.requests()).isEmpty();
  }

  @Test
  void anInstantIsAcceptedAsIs() {
    platform.answer("GET /api/v1/billing/usage", 200, JSON, BY_KIND);
    assertThat(cli().run("usage", "--from", "2026-12-01T08:00:00Z")).isZero();
    assertThat(platform.requests())
        .containsExactly("GET /api/v1/billing/usage?from=2026-12-01T08%3A00%3A00Z");
  }

  @Test
  void theCsvExportGoesToStdoutAsItCame() {
    String csv =
        "key,seconds,inputTokens,outputTokens,cacheReadTokens,cacheWriteTokens,amountUsd\n"
            + "0b7c8f9e-5d1a-4c3e-9f2b-7a6d5e4c3b2a,3600,1000,10,0,0,1.000000\n";
    platform.answer("GET /api/v1/billing/usage.csv", 200, "text/csv; charset=utf-8", csv);
    CliRun export = cli();

    assertThat(export.run("usage", "--csv", "--by", "session", "--from", "2026-12-01")).isZero();

    assertThat(export.out()).isEqualTo(csv);
    assertThat(platform.requests())
        .containsExactly("GET /api/v1/billing/usage.csv?from=2026-12-01&groupBy=session");
  }

  @Test
  void thePlatformsRefusalIsItsOneLine() {
    platform.answer(
        "GET /api/v1/billing/usage",
        400,
        PROBLEM,
        """
        {"type": "https://remote-claude.dev/problems/invalid-request", "title": "Invalid request",
         "status": 400, "detail": "to: the range may cover at most 366 days"}
        """);
    CliRun usage = cli();
    assertThat(usage.run("usage", "--from", "2020-01-01")).isEqualTo(ExitCodes.INVALID);
    assertThat(usage.err())
        .isEqualTo(
            "error: to: the range may cover at most 366 days (400 Invalid request)"
                + System.lineSeparator());
  }

  @Test
  void planShowsTheAllowancesAndWhatWasUsed() {
    platform.answer("GET /api/v1/billing/plan", 200, JSON, PLAN);
    CliRun plan = cli();

    assertThat(plan.run("plan")).isZero();

    assertThat(plan.out().lines())
        .contains(
            "Plan             free",
            "Active sessions  at most 3 at a time",
            "Session time     3h 30m used of 50h this month (7%), 46h 30m left",
            "Spent            $1.87 this month (rclaude usage shows where)",
            "Period           2026-12-01 – 2026-12-31 (UTC; renews 2027-01-01)");

    CliRun json = cli();
    assertThat(json.run("plan", "-o", "json")).isZero();
    assertThat(Json.parseOrNull(json.out())).isEqualTo(Json.parseOrNull(PLAN));
  }

  @Test
  void billingOpenPrintsThePortalLink() {
    String url = "https://billing.stripe.com/p/session/test_YWNjdF8x";
    platform.answer("POST /api/v1/billing/portal", 200, JSON, "{\"url\": \"" + url + "\"}");
    CliRun open = cli();

    assertThat(open.run("billing", "open")).isZero();

    assertThat(open.out()).isEqualTo(url + System.lineSeparator());
    assertThat(platform.requests()).containsExactly("POST /api/v1/billing/portal");
  }

  @Test
  void aMeteringOnlyPlatformSaysSoAndFails() {
    platform.answer("POST /api/v1/billing/portal", 409, PROBLEM, METERING_ONLY);
    platform.answer("GET /api/v1/billing/invoices", 409, PROBLEM, METERING_ONLY);

    CliRun open = cli();
    assertThat(open.run("billing", "open")).isEqualTo(ExitCodes.CONFLICT);
    assertThat(open.out()).isEmpty();
    assertThat(open.err())
        .startsWith("error: billing on this platform is metering-only")
        .contains("Stripe is not configured")
        .contains("no billing portal")
        .contains("rclaude usage");

    CliRun invoices = cli();
    assertThat(invoices.run("billing", "invoices")).isEqualTo(ExitCodes.CONFLICT);
    assertThat(invoices.err()).startsWith("error: billing on this platform is metering-only");

    // Any other conflict is the platform's own line.
    platform.answer(
        "POST /api/v1/billing/portal",
        409,
        PROBLEM,
        "{\"type\": \"https://remote-claude.dev/problems/conflict\", \"title\": \"Conflict\","
            + " \"status\": 409, \"detail\": \"something else\"}");
    CliRun other = cli();
    assertThat(other.run("billing", "open")).isEqualTo(ExitCodes.CONFLICT);
    assertThat(other.err())
        .isEqualTo("error: something else (409 Conflict)" + System.lineSeparator());
  }

  @Test
  void billingInvoicesIsATableWithTheNextPage() {
    String page =
        """
        {"items": [
          {"id": "in_2", "number": "ACME-0002", "status": "open", "amountDue": 1900,
           "amountPaid": 0, "currency": "usd", "periodStart": "2026-11-01T00:00:00Z",
           "periodEnd": "2026-12-01T00:00:00Z", "hostedInvoiceUrl": "https://invoice.stripe.com/i/2",
           "created": "2026-12-01T01:00:00Z"},
          {"id": "in_1", "number": null, "status": "paid", "amountDue": 500,
           "amountPaid": 500, "currency": "jpy", "periodStart": "2026-10-01T00:00:00Z",
           "periodEnd": "2026-11-01T00:00:00Z", "hostedInvoiceUrl": null,
           "created": "2026-11-01T01:00:00Z"}],
         "hasMore": true, "nextStartingAfter": "in_1"}
        """;
    platform.answer("GET /api/v1/billing/invoices", 200, JSON, page);
    CliRun invoices = cli();

    assertThat(invoices.run("billing", "invoices", "--limit", "2")).isZero();

    assertThat(platform.requests()).containsExactly("GET /api/v1/billing/invoices?limit=2");
    List<String> lines = invoices.out().lines().toList();
    assertThat(lines.get(0).split("\\s{2,}"))
        .containsExactly("INVOICE", "STATUS", "DUE", "PAID", "PERIOD", "CREATED", "LINK");
    assertThat(lines.get(1).split("\\s{2,}"))
        .containsExactly(
            "ACME-0002",
            "open",
            "19.00 USD",
            "0.00 USD",
            "2026-11-01 – 2026-12-01",
            "2026-12-01",
            "https://invoice.stripe.com/i/2");
    assertThat(lines.get(2).split("\\s{2,}"))
        .containsExactly(
            "in_1", "paid", "500 JPY", "500 JPY", "2026-10-01 – 2026-11-01", "2026-11-01");
    assertThat(lines.get(3))
        .isEqualTo("More: rclaude billing invoices --limit 2 --starting-after in_1");

    CliRun next = cli();
    assertThat(next.run("billing", "invoices", "--starting-after", "in_1", "-o", "json")).isZero();
    assertThat(Json.parseOrNull(next.out())).isEqualTo(Json.parseOrNull(page));
    assertThat(platform.requests())
        .last()
        .isEqualTo("GET /api/v1/billing/invoices?limit=20&startingAfter=in_1");

    CliRun tooMany = cli();
    assertThat(tooMany.run("billing", "invoices", "--limit", "500")).isEqualTo(ExitCodes.USAGE);
  }
}
