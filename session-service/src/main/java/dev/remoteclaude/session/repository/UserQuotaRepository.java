package dev.remoteclaude.session.repository;

import dev.remoteclaude.session.UserQuota;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

@ApplicationScoped
@WithSession
public class UserQuotaRepository implements PanacheRepositoryBase<UserQuota, String> {

  /** Namespace of the per-user advisory locks (first key of pg_advisory_xact_lock). */
  private static final int QUOTA_LOCK_SPACE = 0x5e55;

  private static final String LOCK_USER =
      "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(?1, hashtext(?2))) AS locked";

  private static final String UPSERT =
      "INSERT INTO user_quota (user_id, max_active_sessions, session_seconds_per_month,"
          + " used_session_seconds, as_of, payment_overdue) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
          + " ON CONFLICT (user_id) DO UPDATE SET"
          + " max_active_sessions = EXCLUDED.max_active_sessions,"
          + " session_seconds_per_month = EXCLUDED.session_seconds_per_month,"
          + " used_session_seconds = EXCLUDED.used_session_seconds, as_of = EXCLUDED.as_of,"
          + " payment_overdue = EXCLUDED.payment_overdue"
          + " WHERE user_quota.as_of <= EXCLUDED.as_of";

  /**
   * Serialises quota decisions of one user until the transaction ends, so two concurrent creates
   * cannot both take the last free slot.
   */
  public Uni<Void> lockUser(String userId) {
    return getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(LOCK_USER, Long.class)
                    .setParameter(1, QUOTA_LOCK_SPACE)
                    .setParameter(2, userId)
                    .getSingleResult())
        .replaceWithVoid();
  }

  /** Stores a user's limits unless newer ones are already stored. */
  public Uni<Void> store(
      String userId,
      int maxActive,
      long secondsPerMonth,
      long usedSeconds,
      Instant asOf,
      boolean paymentOverdue) {
    return getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(UPSERT)
                    .setParameter(1, userId)
                    .setParameter(2, maxActive)
                    .setParameter(3, secondsPerMonth)
                    .setParameter(4, usedSeconds)
                    .setParameter(5, asOf)
                    .setParameter(6, paymentOverdue)
                    .executeUpdate())
        .replaceWithVoid();
  }
}
