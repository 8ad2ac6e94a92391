package dev.remoteclaude.billing.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Users' budgets ({@code budget}) and sessions' own caps ({@code session_budget}); every method
 * runs in the caller's session or transaction.
 */
@ApplicationScoped
public class BudgetRepository {

  /** A user's caps (null: none) and when they last changed. */
  public record Caps(
      BigDecimal monthlyCapUsd, BigDecimal sessionDefaultCapUsd, Instant updatedAt) {}

  public Uni<Optional<Caps>> find(String userId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT monthly_cap_usd, session_default_cap_usd, updated_at FROM budget"
                            + " WHERE user_id = ?1",
                        Object[].class)
                    .setParameter(1, userId)
                    .getResultList())
        .map(
            rows ->
                rows.stream()
                    .findFirst()
                    .map(
                        r ->
                            new Caps(
                                (BigDecimal) r[0],
                                (BigDecimal) r[1],
                                UsageLineRepository.instant(r[2]))));
  }

  public Uni<Void> store(
      String userId, BigDecimal monthly, BigDecimal sessionDefault, Instant now) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO budget (user_id, monthly_cap_usd, session_default_cap_usd,"
                            + " updated_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id) DO UPDATE"
                            + " SET monthly_cap_usd = ?2, session_default_cap_usd = ?3,"
                            + " updated_at = ?4")
                    .setParameter(1, userId)
                    .setParameter(2, monthly)
                    .setParameter(3, sessionDefault)
                    .setParameter(4, OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Sets (or, with a null cap, removes) a session's own cap. */
  public Uni<Void> storeSession(String userId, UUID sessionId, BigDecimal cap, Instant now) {
    return Panache.getSession()
        .chain(
            s ->
                cap == null
                    ? s.createNativeQuery(
                            "DELETE FROM session_budget WHERE session_id = ?1 AND user_id = ?2")
                        .setParameter(1, sessionId)
                        .setParameter(2, userId)
                        .executeUpdate()
                    : s.createNativeQuery(
                            "INSERT INTO session_budget (session_id, user_id, cap_usd, updated_at)"
                                + " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (session_id) DO UPDATE"
                                + " SET cap_usd = ?3, updated_at = ?4"
                                + " WHERE session_budget.user_id = ?2")
                        .setParameter(1, sessionId)
                        .setParameter(2, userId)
                        .setParameter(3, cap)
                        .setParameter(4, OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                        .executeUpdate())
        .replaceWithVoid();
  }

  /** The user's sessions with a cap of their own, in the order they were capped. */
  public Uni<Map<UUID, BigDecimal>> sessionCaps(String userId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT session_id, cap_usd FROM session_budget WHERE user_id = ?1"
                            + " ORDER BY updated_at, session_id",
                        Object[].class)
                    .setParameter(1, userId)
                    .getResultList())
        .map(BudgetRepository::toMap);
  }

  /** True if the user's ledger knows the session (one of its intervals is theirs). */
  public Uni<Boolean> ownsSession(String userId, UUID sessionId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT count(*) FROM session_interval WHERE session_id = ?1"
                            + " AND owner_id = ?2",
                        Long.class)
                    .setParameter(1, sessionId)
                    .setParameter(2, userId)
                    .getSingleResult())
        .map(n -> n > 0);
  }

  static Map<UUID, BigDecimal> toMap(List<Object[]> rows) {
    Map<UUID, BigDecimal> out = new LinkedHashMap<>();
    rows.forEach(r -> out.put((UUID) r[0], (BigDecimal) r[1]));
    return out;
  }
}
