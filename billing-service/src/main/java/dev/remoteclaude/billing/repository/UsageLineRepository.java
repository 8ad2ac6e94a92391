package dev.remoteclaude.billing.repository;

import dev.remoteclaude.billing.UsageKind;
import dev.remoteclaude.billing.UsageLine;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/** The usage ledger ({@code usage_line}). Every method runs inside the caller's session. */
@ApplicationScoped
public class UsageLineRepository {

  private static final String INSERT =
      "INSERT INTO usage_line (source_event_id, user_id, session_id, task_id, kind, detail,"
          + " provider, period_start, period_end, seconds, input_tokens, output_tokens,"
          + " cache_read_tokens, cache_write_tokens, amount_usd)"
          + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
          + " ON CONFLICT (source_event_id, period_start) DO NOTHING";

  /**
   * A user's lines whose period starts in [from, to), added up per UTC day, session, task, kind,
   * detail and provider: the finest grain a report or export shows, and far fewer rows than lines.
   */
  private static final String DAILY =
      "SELECT session_id, task_id, kind, detail, provider, min(period_start), max(period_end),"
          + " CAST(sum(seconds) AS bigint), CAST(sum(input_tokens) AS bigint),"
          + " CAST(sum(output_tokens) AS bigint), CAST(sum(cache_read_tokens) AS bigint),"
          + " CAST(sum(cache_write_tokens) AS bigint), sum(amount_usd)"
          + " FROM usage_line WHERE user_id = ?1 AND period_start >= ?2 AND period_start < ?3"
          + " GROUP BY date_trunc('day', period_start AT TIME ZONE 'UTC'), session_id, task_id,"
          + " kind, detail, provider"
          + " ORDER BY min(period_start), session_id, kind, detail";

  private static final String USED_SESSION_SECONDS =
      "SELECT CAST(coalesce(sum(seconds), 0) AS bigint) FROM usage_line"
          + " WHERE user_id = ?1 AND kind = 'COMPUTE' AND detail <> 'PAUSED'"
          + " AND period_start >= ?2";

  /**
   * What the ledger holds for lines whose period starts at or after {@code ?1}, over all users: the
   * amount, the sessions and users it is for, and compute seconds in all and while READY.
   */
  private static final String TOTALS =
      "SELECT coalesce(sum(amount_usd), 0), count(DISTINCT session_id), count(DISTINCT user_id),"
          + " CAST(coalesce(sum(seconds) FILTER (WHERE kind = 'COMPUTE'), 0) AS bigint),"
          + " CAST(coalesce(sum(seconds) FILTER (WHERE kind = 'COMPUTE' AND detail = 'READY'), 0)"
          + " AS bigint)"
          + " FROM usage_line WHERE period_start >= ?1";

  /** The ledger's totals over a window (for the business metrics). */
  public record Totals(
      BigDecimal amountUsd, long sessions, long users, long computeSeconds, long readySeconds) {}

  /** The ledger's totals for lines whose period starts at or after {@code since}. */
  public Uni<Totals> totalsSince(Instant since) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(TOTALS, Object[].class)
                    .setParameter(1, utc(since))
                    .getSingleResult())
        .map(
            row ->
                new Totals(
                    (BigDecimal) row[0],
                    ((Number) row[1]).longValue(),
                    ((Number) row[2]).longValue(),
                    ((Number) row[3]).longValue(),
                    ((Number) row[4]).longValue()));
  }

  /** Adds a line unless the event already wrote one for that period. */
  public Uni<Void> insert(UUID sourceEventId, String userId, UsageLine line) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(INSERT)
                    .setParameter(1, sourceEventId)
                    .setParameter(2, userId)
                    .setParameter(3, line.sessionId())
                    .setParameter(4, line.taskId())
                    .setParameter(5, line.kind().name())
                    .setParameter(6, line.detail())
                    .setParameter(7, line.provider())
                    .setParameter(8, utc(line.periodStart()))
                    .setParameter(9, utc(line.periodEnd()))
                    .setParameter(10, line.seconds())
                    .setParameter(11, line.inputTokens())
                    .setParameter(12, line.outputTokens())
                    .setParameter(13, line.cacheReadTokens())
                    .setParameter(14, line.cacheWriteTokens())
                    .setParameter(15, line.amountUsd())
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** A user's lines in [from, to), added up per UTC day, session, task, kind and detail. */
  public Uni<List<UsageLine>> daily(String userId, Instant from, Instant to) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(DAILY, Object[].class)
                    .setParameter(1, userId)
                    .setParameter(2, utc(from))
                    .setParameter(3, utc(to))
                    .getResultList())
        .map(rows -> rows.stream().map(UsageLineRepository::line).toList());
  }

  /** Seconds of a user's sessions in every state but PAUSED, in lines since {@code since}. */
  public Uni<Long> usedSessionSeconds(String userId, Instant since) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(USED_SESSION_SECONDS, Long.class)
                    .setParameter(1, userId)
                    .setParameter(2, utc(since))
                    .getSingleResult());
  }

  /** What a user's lines since {@code since} cost. */
  public Uni<BigDecimal> userSpend(String userId, Instant since) {
    return spend("user_id", userId, since);
  }

  /** What a session's lines since {@code since} cost. */
  public Uni<BigDecimal> sessionSpend(UUID sessionId, Instant since) {
    return spend("session_id", sessionId, since);
  }

  /** What a task's lines since {@code since} cost. */
  public Uni<BigDecimal> taskSpend(UUID taskId, Instant since) {
    return spend("task_id", taskId, since);
  }

  /** What the compute in a user's lines since {@code since} cost. */
  public Uni<BigDecimal> userComputeSpend(String userId, Instant since) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT coalesce(sum(amount_usd), 0) FROM usage_line WHERE user_id = ?1"
                            + " AND kind = 'COMPUTE' AND period_start >= ?2",
                        BigDecimal.class)
                    .setParameter(1, userId)
                    .setParameter(2, utc(since))
                    .getSingleResult());
  }

  /**
   * What the compute of each of a user's sessions cost over its life, for the sessions with lines
   * since {@code since} or a cap of their own.
   */
  public Uni<java.util.Map<UUID, BigDecimal>> sessionComputeSpends(String userId, Instant since) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT session_id, coalesce(sum(amount_usd), 0) FROM usage_line"
                            + " WHERE user_id = ?1 AND kind = 'COMPUTE' AND session_id IN ("
                            + " SELECT session_id FROM usage_line WHERE user_id = ?1"
                            + " AND period_start >= ?2"
                            + " UNION SELECT session_id FROM session_budget WHERE user_id = ?1)"
                            + " GROUP BY session_id",
                        Object[].class)
                    .setParameter(1, userId)
                    .setParameter(2, utc(since))
                    .getResultList())
        .map(BudgetRepository::toMap);
  }

  private static Uni<BigDecimal> spend(String column, Object value, Instant since) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT coalesce(sum(amount_usd), 0) FROM usage_line WHERE "
                            + column
                            + " = ?1 AND period_start >= ?2",
                        BigDecimal.class)
                    .setParameter(1, value)
                    .setParameter(2, utc(since))
                    .getSingleResult());
  }

  private static UsageLine line(Object[] row) {
    return new UsageLine(
        (UUID) row[0],
        (UUID) row[1],
        UsageKind.valueOf((String) row[2]),
        (String) row[3],
        (String) row[4],
        instant(row[5]),
        instant(row[6]),
        ((Number) row[7]).longValue(),
        ((Number) row[8]).longValue(),
        ((Number) row[9]).longValue(),
        ((Number) row[10]).longValue(),
        ((Number) row[11]).longValue(),
        (BigDecimal) row[12],
        false);
  }

  static Instant instant(Object value) {
    return switch (value) {
      case OffsetDateTime odt -> odt.toInstant();
      case Instant instant -> instant;
      case java.time.LocalDateTime ldt -> ldt.toInstant(ZoneOffset.UTC);
      default -> throw new IllegalStateException("unexpected timestamp " + value.getClass());
    };
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
