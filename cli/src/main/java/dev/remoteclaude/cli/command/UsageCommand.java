package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.api.Api;
import dev.remoteclaude.cli.render.BarChart;
import dev.remoteclaude.cli.render.Format;
import dev.remoteclaude.cli.render.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rclaude usage}: what you used and what it cost, from billing-service's ledger. */
@Command(
    name = "usage",
    mixinStandardHelpOptions = true,
    description = {
      "Show your usage and its cost: compute time and model tokens, added up by kind, day,"
          + " session or task.",
      "Without --from and --to: this calendar month (UTC) up to now. Dates are UTC days; --to"
          + " includes its day."
    },
    footer = {
      "",
      "Examples:",
      "  rclaude usage",
      "  rclaude usage --by day --from 2026-12-01",
      "  rclaude usage --by session -o json",
      "  rclaude usage --from 2026-11-01 --to 2026-11-30 --csv > november.csv"
    })
public final class UsageCommand implements Callable<Integer> {

  static final String USAGE = "/api/v1/billing/usage";

  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** How the usage is added up ({@code groupBy} of the API). */
  enum Grouping {
    day,
    session,
    task,
    kind
  }

  private final CliContext context;

  @Option(
      names = "--from",
      paramLabel = "DATE",
      converter = UsageDate.class,
      description = "first UTC day (2026-12-01) or instant (2026-12-01T00:00:00Z)")
  String from;

  @Option(
      names = "--to",
      paramLabel = "DATE",
      converter = UsageDate.class,
      description = "last UTC day, included, or instant (default: now)")
  String to;

  @Option(
      names = "--by",
      paramLabel = "GROUPING",
      description = "day, session, task or kind (default kind); day also draws a chart")
  Grouping by;

  @Option(names = "--csv", description = "write the platform's CSV export to stdout")
  boolean csv;

  UsageCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (from != null
        && to != null
        && !UsageDate.start(from, false).isBefore(UsageDate.start(to, true))) {
      throw new CliException(ExitCodes.USAGE, "--to must be after --from");
    }
    String query = query();
    if (csv) {
      context.out().print(context.api().getText(USAGE + ".csv" + query, "text/csv"));
      context.out().flush();
      return ExitCodes.OK;
    }
    JsonNode body = context.api().get(USAGE + query);
    if (context.json()) {
      context.printJson(body);
      return ExitCodes.OK;
    }
    print(body);
    return ExitCodes.OK;
  }

  private String query() {
    List<String> params = new ArrayList<>();
    if (from != null) {
      params.add("from=" + Api.encode(from));
    }
    if (to != null) {
      params.add("to=" + Api.encode(to));
    }
    if (by != null) {
      params.add("groupBy=" + by.name());
    }
    return params.isEmpty() ? "" : "?" + String.join("&", params);
  }

  private void print(JsonNode body) {
    Instant start = instant(body, "periodStart");
    Instant end = instant(body, "periodEnd");
    String grouping = orElse(Json.text(body, "groupBy"), "kind");
    context
        .out()
        .println(
            "Usage " + period(start, end) + " (UTC) " + context.style().dot() + " by " + grouping);
    JsonNode groups = body.path("groups");
    if (groups.isEmpty()) {
      context.out().println("No usage in this period.");
      return;
    }
    Table table =
        new Table(
            grouping.toUpperCase(Locale.ROOT),
            "COMPUTE",
            "INPUT",
            "OUTPUT",
            "CACHE READ",
            "CACHE WRITE",
            "COST");
    long[] sums = new long[5];
    for (JsonNode group : groups) {
      long[] quantities = quantities(group);
      for (int i = 0; i < sums.length; i++) {
        sums[i] += quantities[i];
      }
      table.row(row(key(group, grouping), quantities, amount(group, "amountUsd")));
    }
    table.row(row("TOTAL", sums, amount(body, "totalUsd")));
    table.print(context.out());
    if ("day".equals(grouping) && start != null && end != null) {
      context.out().println();
      context.out().println("Cost per day (UTC)");
      List<BarChart.Bar> bars = days(groups, start, end);
      int width = BarChart.barWidth(columns(), bars);
      BarChart.render(bars, width, context.style()).forEach(context.out()::println);
    }
  }

  /** Every UTC day of the range, with its cost (none: zero). */
  private static List<BarChart.Bar> days(JsonNode groups, Instant start, Instant end) {
    Map<String, BigDecimal> cost = new LinkedHashMap<>();
    LocalDate last = end.minusNanos(1).atOffset(ZoneOffset.UTC).toLocalDate();
    for (LocalDate day = start.atOffset(ZoneOffset.UTC).toLocalDate();
        !day.isAfter(last);
        day = day.plusDays(1)) {
      cost.put(day.toString(), BigDecimal.ZERO);
    }
    for (JsonNode group : groups) {
      String key = Json.text(group, "key");
      if (key != null) {
        cost.merge(key, amount(group, "amountUsd"), BigDecimal::add);
      }
    }
    List<BarChart.Bar> bars = new ArrayList<>();
    cost.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> bars.add(new BarChart.Bar(e.getKey(), e.getValue())));
    return bars;
  }

  /** The terminal's width from {@code COLUMNS} (the rclaude wrapper exports it), if known. */
  private Integer columns() {
    String value = context.env().get("COLUMNS");
    if (value == null) {
      return null;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String[] row(String key, long[] q, BigDecimal cost) {
    return new String[] {
      key,
      q[0] == 0 ? "-" : Format.hours(q[0]),
      tokens(q[1]),
      tokens(q[2]),
      tokens(q[3]),
      tokens(q[4]),
      Format.usd(cost)
    };
  }

  private static long[] quantities(JsonNode group) {
    return new long[] {
      group.path("seconds").asLong(),
      group.path("inputTokens").asLong(),
      group.path("outputTokens").asLong(),
      group.path("cacheReadTokens").asLong(),
      group.path("cacheWriteTokens").asLong()
    };
  }

  private static String tokens(long count) {
    return count == 0 ? "-" : Format.tokens(count);
  }

  private static String key(JsonNode group, String grouping) {
    String key = Json.text(group, "key");
    if (key == null) {
      return "task".equals(grouping) ? "(compute, no task)" : "-";
    }
    return key;
  }

  private static BigDecimal amount(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isNumber() || value.isTextual() ? new BigDecimal(value.asText()) : BigDecimal.ZERO;
  }

  private static Instant instant(JsonNode node, String field) {
    String text = Json.text(node, field);
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** {@code 2026-12-01 – 2026-12-06 15:45}: days alone where the range starts or ends at 0:00. */
  private String period(Instant start, Instant end) {
    return when(start) + " " + context.style().dash() + " " + when(end);
  }

  private static String when(Instant at) {
    if (at == null) {
      return "?";
    }
    String minute = MINUTE.format(at);
    return minute.endsWith(" 00:00") ? minute.substring(0, 10) : minute;
  }

  private static String orElse(String value, String fallback) {
    return value == null ? fallback : value;
  }

  /**
   * {@code --from}/{@code --to}: a UTC date ({@code 2026-12-01}) or an ISO-8601 instant, checked
   * before any request is made.
   */
  static final class UsageDate implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String text = value.strip();
      try {
        start(text, false);
        return text;
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "'"
                + value
                + "' is not a date (2026-12-01) or an ISO-8601 instant"
                + " (2026-12-01T00:00:00Z)");
      }
    }

    /** Where a date or instant starts; a date as the range's end includes its day. */
    static Instant start(String text, boolean endOfDay) {
      if (text.length() == 10) {
        LocalDate day = LocalDate.parse(text);
        return (endOfDay ? day.plusDays(1) : day).atStartOfDay().toInstant(ZoneOffset.UTC);
      }
      return Instant.parse(text);
    }
  }
}
