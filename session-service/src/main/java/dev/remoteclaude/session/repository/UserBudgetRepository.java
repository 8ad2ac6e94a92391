package dev.remoteclaude.session.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.remoteclaude.common.events.BudgetChanged;
import dev.remoteclaude.common.events.EventCodec;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * billing's newest budget of each user ({@code user_budget}), and a per-user lock that orders
 * budget holds against budget changes. Every method runs in the caller's transaction.
 */
@ApplicationScoped
public class UserBudgetRepository {

  /** Namespace of the per-user advisory locks (first key of pg_advisory_xact_lock). */
  private static final int BUDGET_LOCK_SPACE = 0x5e56;

  /**
   * Serialises budget holds and budget changes of one user until the transaction ends, so a hold
   * never misses a change committed beside it.
   */
  public Uni<Void> lockUser(String userId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(?1, hashtext(?2)))"
                            + " AS locked",
                        Long.class)
                    .setParameter(1, BUDGET_LOCK_SPACE)
                    .setParameter(2, userId)
                    .getSingleResult())
        .replaceWithVoid();
  }

  /** Keeps the newer of the stored budget and {@code budget} (by its {@code at}). */
  public Uni<Void> store(String userId, BudgetChanged budget) {
    String json;
    try {
      json = EventCodec.mapper().writeValueAsString(budget);
    } catch (JsonProcessingException e) {
      return Uni.createFrom().failure(new IllegalStateException("budget not writable", e));
    }
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO user_budget (user_id, budget, as_of) VALUES (?1, ?2, ?3)"
                            + " ON CONFLICT (user_id) DO UPDATE SET budget = ?2, as_of = ?3"
                            + " WHERE user_budget.as_of < ?3")
                    .setParameter(1, userId)
                    .setParameter(2, json)
                    .setParameter(3, OffsetDateTime.ofInstant(budget.at(), ZoneOffset.UTC))
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** The newest budget billing published for the user, if any. */
  public Uni<Optional<BudgetChanged>> find(String userId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT budget FROM user_budget WHERE user_id = ?1", String.class)
                    .setParameter(1, userId)
                    .getResultList())
        .map(
            rows -> {
              if (rows.isEmpty()) {
                return Optional.empty();
              }
              try {
                return Optional.of(
                    EventCodec.mapper().readValue(rows.getFirst(), BudgetChanged.class));
              } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored budget is unreadable", e);
              }
            });
  }
}
