package dev.remoteclaude.billing.repository;

import dev.remoteclaude.billing.BillingAccount;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

@ApplicationScoped
@WithSession
public class BillingAccountRepository implements PanacheRepositoryBase<BillingAccount, String> {

  /**
   * Users whose quota is due: never published, last published in an earlier month, or last
   * published before {@code staleBefore} while one of their sessions holds a running sandbox.
   * Locked (skipping rows another replica holds), oldest publication first, at most {@code limit}.
   * Only those two sets are read (the index on quota_published_at, the open intervals), never every
   * account.
   */
  private static final String DUE =
      "SELECT a.user_id FROM billing_account a WHERE a.user_id IN ("
          + " SELECT user_id FROM billing_account"
          + " WHERE quota_published_at IS NULL OR quota_published_at < ?1"
          + " UNION SELECT owner_id FROM session_interval"
          + " WHERE ended_at IS NULL AND state <> 'PAUSED')"
          + " AND (a.quota_published_at IS NULL OR a.quota_published_at < ?1"
          + " OR a.quota_published_at < ?2)"
          + " ORDER BY a.quota_published_at NULLS FIRST LIMIT ?3 FOR UPDATE OF a SKIP LOCKED";

  /** Creates the user's account with {@code plan} unless it exists; true if it was created. */
  public Uni<Boolean> createIfAbsent(String userId, String plan, Instant now) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO billing_account (user_id, plan, created_at, plan_changed_at)"
                            + " VALUES (?1, ?2, ?3, ?3) ON CONFLICT (user_id) DO NOTHING")
                    .setParameter(1, userId)
                    .setParameter(2, plan)
                    .setParameter(3, utc(now))
                    .executeUpdate())
        .map(inserted -> inserted > 0);
  }

  /** The account, locked until the transaction ends (publications of one user are serialised). */
  public Uni<BillingAccount> lock(String userId) {
    return findById(userId, LockModeType.PESSIMISTIC_WRITE);
  }

  /** Users whose quota is due, locked; see {@link #DUE}. */
  public Uni<List<String>> claimDue(Instant monthStart, Instant staleBefore, int limit) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(DUE, String.class)
                    .setParameter(1, utc(monthStart))
                    .setParameter(2, utc(staleBefore))
                    .setParameter(3, limit)
                    .getResultList());
  }

  /**
   * The account of a Stripe customer (null if billing linked none), locked like {@link #lock}: it
   * is loaded with the lock, as locking an account the session already holds unlocked fails.
   */
  public Uni<BillingAccount> lockByCustomer(String customerId) {
    return find("stripeCustomerId", customerId)
        .withLock(LockModeType.PESSIMISTIC_WRITE)
        .firstResult();
  }

  /**
   * Links the user's account to a Stripe customer unless it has one already; true if it did. Runs
   * in the caller's transaction; the account must exist.
   */
  public Uni<Boolean> linkCustomer(String userId, String customerId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "UPDATE billing_account SET stripe_customer_id = ?2"
                            + " WHERE user_id = ?1 AND stripe_customer_id IS NULL")
                    .setParameter(1, userId)
                    .setParameter(2, customerId)
                    .executeUpdate())
        .map(updated -> updated > 0);
  }

  /**
   * Users whose grace period after a failed payment ended before {@code now} and who are not
   * blocked yet, locked (skipping rows another replica holds), at most {@code limit}.
   */
  public Uni<List<String>> claimPaymentOverdue(Instant now, int limit) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT user_id FROM billing_account WHERE payment_due_by IS NOT NULL"
                            + " AND NOT payment_blocked AND payment_due_by <= ?1"
                            + " ORDER BY payment_due_by LIMIT ?2 FOR UPDATE SKIP LOCKED",
                        String.class)
                    .setParameter(1, utc(now))
                    .setParameter(2, limit)
                    .getResultList());
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
