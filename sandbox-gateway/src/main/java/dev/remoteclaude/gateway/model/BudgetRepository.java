package dev.remoteclaude.gateway.model;

import dev.remoteclaude.common.events.BudgetChanged;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Users' budgets as billing published them ({@code user_budget}, {@code session_budget}), what the
 * gateway's own metering adds to them ({@code task_run.spent_usd}), and the budget notices given
 * ({@code budget_notice}). Every method runs inside the caller's session or transaction.
 */
@ApplicationScoped
public class BudgetRepository {

  /**
   * A session's and its owner's caps (null: none) with what was spent against them: the compute
   * billing counted, and the model answers the gateway recorded (priced as billing prices them).
   */
  public record Limits(
      BigDecimal sessionCapUsd,
      BigDecimal sessionComputeUsd,
      BigDecimal sessionTokensUsd,
      BigDecimal monthlyCapUsd,
      BigDecimal monthComputeUsd,
      BigDecimal monthTokensUsd,
      Instant monthStart) {

    static Limits none(Instant monthStart) {
      return new Limits(
          null,
          BigDecimal.ZERO,
          BigDecimal.ZERO,
          null,
          BigDecimal.ZERO,
          BigDecimal.ZERO,
          monthStart);
    }
  }

  private static final String LIMITS =
      "SELECT ub.monthly_cap_usd, coalesce(sb.cap_usd, ub.session_default_cap_usd),"
          + " coalesce(sb.compute_usd, 0),"
          + " CASE WHEN ub.month_start = ?3 THEN ub.month_compute_usd ELSE 0 END,"
          + " (SELECT coalesce(sum(r.spent_usd), 0) FROM task_run r WHERE r.session_id = ?1),"
          + " (SELECT coalesce(sum(r.spent_usd), 0) FROM task_run r WHERE r.owner_id = ?2"
          + " AND r.started_at >= ?3)"
          + " FROM user_budget ub LEFT JOIN session_budget sb"
          + " ON sb.session_id = ?1 AND sb.owner_id = ub.owner_id"
          + " WHERE ub.owner_id = ?2";

  /** The budgets of a session of {@code ownerId} in the month starting at {@code monthStart}. */
  public Uni<Limits> limits(UUID sessionId, String ownerId, Instant monthStart) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(LIMITS, Object[].class)
                    .setParameter(1, sessionId)
                    .setParameter(2, ownerId)
                    .setParameter(3, utc(monthStart))
                    .getResultList())
        .map(
            rows -> {
              if (rows.isEmpty()) {
                return Limits.none(monthStart);
              }
              Object[] r = rows.get(0);
              return new Limits(
                  (BigDecimal) r[1],
                  (BigDecimal) r[2],
                  (BigDecimal) r[4],
                  (BigDecimal) r[0],
                  (BigDecimal) r[3],
                  (BigDecimal) r[5],
                  monthStart);
            });
  }

  /**
   * Keeps billing's newest budget of a user: an older or repeated publication (a redelivery)
   * changes nothing.
   */
  public Uni<Void> apply(String ownerId, BudgetChanged budget) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO user_budget (owner_id, monthly_cap_usd,"
                            + " session_default_cap_usd, month_start, month_compute_usd, as_of)"
                            + " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (owner_id) DO UPDATE"
                            + " SET monthly_cap_usd = ?2, session_default_cap_usd = ?3,"
                            + " month_start = ?4, month_compute_usd = ?5, as_of = ?6"
                            + " WHERE user_budget.as_of < ?6")
                    .setParameter(1, ownerId)
                    .setParameter(2, budget.monthlyCapUsd())
                    .setParameter(3, budget.sessionDefaultCapUsd())
                    .setParameter(4, utc(budget.monthStart()))
                    .setParameter(5, orZero(budget.monthComputeUsd()))
                    .setParameter(6, utc(budget.at()))
                    .executeUpdate()
                    .chain(
                        changed ->
                            changed == 0
                                ? Uni.createFrom().voidItem()
                                : replaceSessions(ownerId, budget.sessions())))
        .replaceWithVoid();
  }

  private Uni<Void> replaceSessions(String ownerId, List<BudgetChanged.SessionBudget> sessions) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery("DELETE FROM session_budget WHERE owner_id = ?1")
                    .setParameter(1, ownerId)
                    .executeUpdate()
                    .chain(
                        () ->
                            Multi.createFrom()
                                .iterable(sessions == null ? List.of() : sessions)
                                .onItem()
                                .transformToUniAndConcatenate(
                                    b ->
                                        s.createNativeQuery(
                                                "INSERT INTO session_budget (session_id, owner_id,"
                                                    + " cap_usd, compute_usd) VALUES (?1, ?2, ?3,"
                                                    + " ?4) ON CONFLICT (session_id) DO UPDATE SET"
                                                    + " owner_id = ?2, cap_usd = ?3,"
                                                    + " compute_usd = ?4")
                                            .setParameter(1, b.sessionId())
                                            .setParameter(2, ownerId)
                                            .setParameter(3, b.capUsd())
                                            .setParameter(4, orZero(b.computeUsd()))
                                            .executeUpdate())
                                .collect()
                                .last()))
        .replaceWithVoid();
  }

  /** Records a notice as given; true the first time for {@code key}. */
  public Uni<Boolean> firstNotice(String key) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO budget_notice (notice_key, at) VALUES (?1, now())"
                            + " ON CONFLICT (notice_key) DO NOTHING")
                    .setParameter(1, key)
                    .executeUpdate())
        .map(n -> n == 1);
  }

  private static BigDecimal orZero(BigDecimal amount) {
    return amount == null ? BigDecimal.ZERO : amount;
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
