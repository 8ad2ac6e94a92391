package dev.remoteclaude.session.service;

import dev.remoteclaude.common.events.QuotaChanged;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.session.config.SessionConfig;
import dev.remoteclaude.session.repository.SessionRepository;
import dev.remoteclaude.session.repository.UserQuotaRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The seed's "Check User Quota": each user's limits, kept from billing's quota-changed events, with
 * configured defaults until billing has published any.
 */
@ApplicationScoped
public class QuotaService {

  /** A user's limits and what billing last counted as used this month. */
  public record Limits(
      int maxActiveSessions,
      long sessionSecondsPerMonth,
      long usedSessionSeconds,
      boolean paymentOverdue) {}

  private final UserQuotaRepository quotas;
  private final SessionRepository sessions;
  private final SessionConfig config;

  public QuotaService(
      UserQuotaRepository quotas, SessionRepository sessions, SessionConfig config) {
    this.quotas = quotas;
    this.sessions = sessions;
    this.config = config;
  }

  public Uni<Limits> limits(String userId) {
    return quotas
        .findById(userId)
        .map(
            quota ->
                quota == null
                    ? new Limits(
                        config.quota().defaultMaxActiveSessions(),
                        config.quota().defaultSessionSecondsPerMonth(),
                        0,
                        false)
                    : new Limits(
                        quota.maxActiveSessions,
                        quota.sessionSecondsPerMonth,
                        quota.usedSessionSeconds,
                        quota.paymentOverdue));
  }

  /**
   * Fails with 402 (a payment overdue past its grace period, or session-hours used up) or 429 (too
   * many active sessions) unless the user may start one more session. Holds the user's quota lock
   * until the transaction ends, so the caller's state change is counted by the next check.
   */
  public Uni<Void> checkCanActivate(String userId) {
    return quotas
        .lockUser(userId)
        .chain(() -> limits(userId))
        .chain(
            limits -> {
              if (limits.paymentOverdue()) {
                return Uni.createFrom()
                    .failure(
                        new ProblemException(
                            402,
                            "payment-overdue",
                            "Payment overdue",
                            "a payment of your subscription failed and its grace period is over;"
                                + " update your payment method in the billing portal"
                                + " (POST /api/v1/billing/portal) to start or resume sessions",
                            null));
              }
              if (limits.usedSessionSeconds() >= limits.sessionSecondsPerMonth()) {
                return Uni.createFrom()
                    .failure(
                        ProblemException.quotaExceeded(
                            402,
                            "sessionSecondsPerMonth",
                            limits.sessionSecondsPerMonth(),
                            limits.usedSessionSeconds(),
                            "your session-hours for this month are used up ("
                                + hours(limits.usedSessionSeconds())
                                + " of "
                                + hours(limits.sessionSecondsPerMonth())
                                + " hours)"));
              }
              return sessions
                  .countActive(userId)
                  .chain(
                      active -> {
                        if (active >= limits.maxActiveSessions()) {
                          return Uni.createFrom()
                              .failure(
                                  ProblemException.quotaExceeded(
                                      429,
                                      "maxActiveSessions",
                                      limits.maxActiveSessions(),
                                      active,
                                      "you have "
                                          + active
                                          + " active sessions and your plan allows "
                                          + limits.maxActiveSessions()
                                          + "; pause or terminate one first"));
                        }
                        return Uni.createFrom().voidItem();
                      });
            });
  }

  /**
   * Like {@link #checkCanActivate}, and fails with 429 while the user keeps as many paused sessions
   * as {@code session.quota.max-paused-sessions} allows: a new session is not created while old
   * ones are hoarded.
   */
  public Uni<Void> checkCanCreate(String userId) {
    return checkCanActivate(userId).chain(() -> checkPausedBelowLimit(userId, "create one"));
  }

  /**
   * Fails with 429 unless the user may pause one more session. Holds the user's quota lock until
   * the transaction ends, so the caller's state change is counted by the next check.
   */
  public Uni<Void> checkCanPause(String userId) {
    return quotas.lockUser(userId).chain(() -> checkPausedBelowLimit(userId, "pause another"));
  }

  private Uni<Void> checkPausedBelowLimit(String userId, String action) {
    int allowed = config.quota().maxPausedSessions();
    return sessions
        .countPaused(userId)
        .chain(
            paused -> {
              if (paused >= allowed) {
                return Uni.createFrom()
                    .failure(
                        ProblemException.quotaExceeded(
                            429,
                            "maxPausedSessions",
                            allowed,
                            paused,
                            "you have "
                                + paused
                                + " paused sessions and at most "
                                + allowed
                                + " are allowed; resume or terminate one before you "
                                + action));
              }
              return Uni.createFrom().voidItem();
            });
  }

  /** Applies billing's new numbers for a user (older updates than the stored ones are dropped). */
  @WithTransaction
  public Uni<Void> apply(String userId, QuotaChanged change, Instant occurredAt) {
    Instant asOf = change.at() != null ? change.at() : occurredAt;
    Log.debugf("quota of user %s changed", userId);
    return quotas.store(
        userId,
        change.maxActiveSessions(),
        change.sessionSecondsPerMonth(),
        change.usedSessionSeconds(),
        asOf,
        change.paymentOverdue());
  }

  private static String hours(long seconds) {
    return String.format(java.util.Locale.ROOT, "%.1f", seconds / 3600.0);
  }
}
