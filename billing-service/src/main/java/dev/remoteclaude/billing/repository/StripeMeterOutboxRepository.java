package dev.remoteclaude.billing.repository;

import dev.remoteclaude.billing.MeterEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Ledger lines waiting to be reported to Stripe ({@code stripe_meter_outbox}). Every method runs in
 * the caller's transaction.
 */
@ApplicationScoped
public class StripeMeterOutboxRepository {

  /**
   * The line written by {@code (source_event_id, period_start)}, as a meter event of its user's
   * Stripe customer: value in micro-dollars, rounded to the nearest; identifier from the line's id.
   * Nothing for a user without a customer or a line that cost nothing; nothing twice.
   */
  private static final String ENQUEUE =
      "INSERT INTO stripe_meter_outbox (usage_line_id, customer_id, identifier, value,"
          + " occurred_at, created_at, next_attempt_at)"
          + " SELECT l.id, a.stripe_customer_id, 'rc-usage-line-' || l.id,"
          + " CAST(round(l.amount_usd * 1000000) AS bigint), l.period_end, ?3, ?3"
          + " FROM usage_line l JOIN billing_account a ON a.user_id = l.user_id"
          + " WHERE l.source_event_id = ?1 AND l.period_start = ?2"
          + " AND a.stripe_customer_id IS NOT NULL AND round(l.amount_usd * 1000000) > 0"
          + " ON CONFLICT (usage_line_id) DO NOTHING";

  private static final String DUE =
      "SELECT usage_line_id, customer_id, identifier, value, occurred_at, attempts"
          + " FROM stripe_meter_outbox WHERE sent_at IS NULL AND next_attempt_at <= ?1"
          + " AND attempts < ?2 ORDER BY next_attempt_at, usage_line_id LIMIT ?3"
          + " FOR UPDATE SKIP LOCKED";

  public Uni<Void> enqueue(java.util.UUID sourceEventId, Instant periodStart, Instant now) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(ENQUEUE)
                    .setParameter(1, sourceEventId)
                    .setParameter(2, utc(periodStart))
                    .setParameter(3, utc(now))
                    .executeUpdate())
        .replaceWithVoid();
  }

  /**
   * Takes at most {@code limit} rows due at {@code now} (skipping rows another relay holds) and
   * holds them until {@code leaseUntil}: a relay that dies while sending leaves them to be taken
   * again then. Counts the attempt.
   */
  public Uni<List<MeterEvent>> claim(Instant now, Instant leaseUntil, int maxAttempts, int limit) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(DUE, Object[].class)
                    .setParameter(1, utc(now))
                    .setParameter(2, maxAttempts)
                    .setParameter(3, limit)
                    .getResultList()
                    .chain(
                        rows -> {
                          List<MeterEvent> events =
                              rows.stream().map(StripeMeterOutboxRepository::event).toList();
                          if (events.isEmpty()) {
                            return Uni.createFrom().item(events);
                          }
                          return s.createNativeQuery(
                                  "UPDATE stripe_meter_outbox SET attempts = attempts + 1,"
                                      + " next_attempt_at = ?2 WHERE usage_line_id = ANY(?1)")
                              .setParameter(
                                  1,
                                  events.stream().map(MeterEvent::usageLineId).toArray(Long[]::new))
                              .setParameter(2, utc(leaseUntil))
                              .executeUpdate()
                              .replaceWith(events);
                        }));
  }

  public Uni<Void> markSent(long usageLineId, Instant now) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "UPDATE stripe_meter_outbox SET sent_at = ?2, last_error = NULL"
                            + " WHERE usage_line_id = ?1")
                    .setParameter(1, usageLineId)
                    .setParameter(2, utc(now))
                    .executeUpdate())
        .replaceWithVoid();
  }

  public Uni<Void> markFailed(long usageLineId, String error, Instant retryAt) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "UPDATE stripe_meter_outbox SET last_error = ?2, next_attempt_at = ?3"
                            + " WHERE usage_line_id = ?1")
                    .setParameter(1, usageLineId)
                    .setParameter(2, error)
                    .setParameter(3, utc(retryAt))
                    .executeUpdate())
        .replaceWithVoid();
  }

  private static MeterEvent event(Object[] row) {
    return new MeterEvent(
        ((Number) row[0]).longValue(),
        (String) row[1],
        (String) row[2],
        ((Number) row[3]).longValue(),
        switch (row[4]) {
          case OffsetDateTime odt -> odt.toInstant();
          case Instant instant -> instant;
          case java.time.LocalDateTime ldt -> ldt.toInstant(ZoneOffset.UTC);
          default -> throw new IllegalStateException("unexpected timestamp");
        },
        ((Number) row[5]).intValue() + 1);
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
