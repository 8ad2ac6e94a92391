package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.GroupBy;
import dev.remoteclaude.common.problem.ProblemException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The query parameters of a usage request, checked: {@code from} and {@code to} as ISO-8601
 * instants ({@code 2026-12-01T00:00:00Z}) or UTC dates ({@code 2026-12-01}; a date as {@code to}
 * includes that day), {@code from} before {@code to}, at most {@code billing.usage.max-range}
 * apart; without them the current calendar month (UTC) up to now.
 */
record UsageRange(Instant from, Instant to, GroupBy groupBy) {

  static UsageRange parse(
      String from, String to, String groupBy, Instant now, Instant monthStart, Duration maxRange) {
    Instant start = blank(from) ? monthStart : instant("from", from, false);
    Instant end = blank(to) ? now : instant("to", to, true);
    if (!start.isBefore(end)) {
      throw ProblemException.badRequest("to", "must be after from");
    }
    if (Duration.between(start, end).compareTo(maxRange) > 0) {
      throw ProblemException.badRequest(
          "to", "the range may cover at most " + maxRange.toDays() + " days");
    }
    GroupBy grouping =
        blank(groupBy)
            ? GroupBy.KIND
            : GroupBy.named(groupBy)
                .orElseThrow(
                    () ->
                        ProblemException.badRequest(
                            "groupBy", "must be one of day, session, task, kind"));
    return new UsageRange(start, end, grouping);
  }

  private static Instant instant(String field, String value, boolean endOfDay) {
    if (value.length() > 40) {
      throw ProblemException.badRequest(field, "must be an ISO-8601 instant or date");
    }
    try {
      if (value.length() == 10) {
        LocalDate day = LocalDate.parse(value);
        return (endOfDay ? day.plusDays(1) : day).atStartOfDay().toInstant(ZoneOffset.UTC);
      }
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw ProblemException.badRequest(
          field, "must be an ISO-8601 instant (2026-12-01T00:00:00Z) or date (2026-12-01)");
    }
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
