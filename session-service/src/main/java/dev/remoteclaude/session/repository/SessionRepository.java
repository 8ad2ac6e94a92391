package dev.remoteclaude.session.repository;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.session.Session;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

/**
 * Sessions. Every change to a session happens with its row locked ({@code FOR UPDATE}); the timers
 * take due rows with {@code FOR UPDATE SKIP LOCKED}, so replicas never act on one session twice.
 */
@ApplicationScoped
@WithSession
public class SessionRepository implements PanacheRepositoryBase<Session, UUID> {

  /** A session is busy while a client is attached, a command runs or a task is queued or runs. */
  private static final String NOT_BUSY =
      " AND s.attached_clients = 0 AND s.running_commands = 0"
          + " AND NOT EXISTS (SELECT 1 FROM session_task t"
          + " WHERE t.session_id = s.id AND t.stage < 3)";

  private static final String IDLE_WARNING_DUE =
      "SELECT s.* FROM session s WHERE s.state = 'READY' AND s.idle_pause_at IS NULL"
          + " AND s.last_activity_at + make_interval(secs => (s.idle_timeout_seconds"
          + " - LEAST(?2, s.idle_timeout_seconds / 2.0))::float8) <= ?1"
          + NOT_BUSY
          + " ORDER BY s.last_activity_at LIMIT ?3 FOR UPDATE OF s SKIP LOCKED";

  private static final String IDLE_PAUSE_DUE =
      "SELECT s.* FROM session s WHERE s.state = 'READY' AND s.idle_pause_at <= ?1"
          + NOT_BUSY
          + " ORDER BY s.idle_pause_at LIMIT ?2 FOR UPDATE OF s SKIP LOCKED";

  private static final String LIFETIME_DUE =
      "SELECT s.* FROM session s WHERE s.state IN"
          + " ('PROVISIONING', 'READY', 'PAUSING', 'PAUSED', 'RESUMING', 'RECOVERING')"
          + " AND s.expires_at - make_interval(secs => ?2) <= ?1"
          + " AND (s.expires_at <= ?1 OR s.lifetime_warned_for IS DISTINCT FROM s.expires_at)"
          + " ORDER BY s.expires_at LIMIT ?3 FOR UPDATE OF s SKIP LOCKED";

  private static final String TRANSITION_STUCK =
      "SELECT s.* FROM session s WHERE s.state IN ('PAUSING', 'RESUMING', 'TERMINATING')"
          + " AND COALESCE(s.transition_retry_at, s.state_changed_at + make_interval(secs => ?2))"
          + " <= ?1 ORDER BY s.state_changed_at LIMIT ?3 FOR UPDATE OF s SKIP LOCKED";

  private static final String SNAPSHOT_DUE =
      "SELECT s.* FROM session s WHERE s.state = 'READY' AND s.next_snapshot_at <= ?1"
          + " ORDER BY s.next_snapshot_at LIMIT ?2 FOR UPDATE OF s SKIP LOCKED";

  /** How many sessions are in each state (states without sessions are absent). */
  public Uni<java.util.Map<SessionState, Long>> countByState() {
    return getSession()
        .chain(
            session ->
                session
                    .createSelectionQuery(
                        "select s.state, count(s) from Session s group by s.state", Object[].class)
                    .getResultList())
        .map(
            rows -> {
              java.util.Map<SessionState, Long> counts =
                  new java.util.EnumMap<>(SessionState.class);
              rows.forEach(row -> counts.put((SessionState) row[0], (Long) row[1]));
              return counts;
            });
  }

  /** How many users have at least one session that is not over. */
  public Uni<Long> countActiveOwners() {
    return getSession()
        .chain(
            session ->
                session
                    .createSelectionQuery(
                        "select count(distinct s.ownerId) from Session s where s.state not in"
                            + " (:over)",
                        Long.class)
                    .setParameter("over", EnumSet.of(SessionState.TERMINATED, SessionState.FAILED))
                    .getSingleResult());
  }

  /** Whether one of the owner's sessions (in any state) has an id beginning with {@code prefix}. */
  public Uni<Boolean> ownsIdStartingWith(String ownerId, String prefix) {
    return getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT count(*) FROM session WHERE owner_id = ?1"
                            + " AND CAST(id AS text) LIKE ?2",
                        Long.class)
                    .setParameter(1, ownerId)
                    .setParameter(2, prefix + "%")
                    .getSingleResult())
        .map(count -> count > 0);
  }

  public Uni<Session> findOwned(String ownerId, UUID id) {
    return find("id = ?1 and ownerId = ?2", id, ownerId).firstResult();
  }

  /** The caller's session, locked for a change; null if it is not theirs or does not exist. */
  public Uni<Session> lockOwned(String ownerId, UUID id) {
    return find("id = ?1 and ownerId = ?2", id, ownerId)
        .withLock(LockModeType.PESSIMISTIC_WRITE)
        .firstResult();
  }

  /** A user's sessions paused by a spent budget, locked. */
  public Uni<List<Session>> lockBudgetBlocked(String ownerId) {
    return find("ownerId = ?1 and budgetScope is not null", ownerId)
        .withLock(LockModeType.PESSIMISTIC_WRITE)
        .list();
  }

  /** The owner of a session, read without loading it; null if it does not exist. */
  public Uni<String> ownerOf(UUID id) {
    return getSession()
        .chain(
            session ->
                session
                    .createNativeQuery("SELECT owner_id FROM session WHERE id = ?1", String.class)
                    .setParameter(1, id)
                    .getResultList())
        .map(rows -> rows.isEmpty() ? null : rows.getFirst());
  }

  /** A session locked for a change; null if it does not exist. */
  public Uni<Session> lock(UUID id) {
    return findById(id, LockModeType.PESSIMISTIC_WRITE);
  }

  /** A page of a user's sessions, newest first, optionally only in some states. */
  public Uni<List<Session>> page(
      String ownerId, Collection<SessionState> states, int pageIndex, int pageSize) {
    Sort newestFirst = Sort.descending("createdAt").and("id", Sort.Direction.Descending);
    var query =
        states.isEmpty()
            ? find("ownerId = ?1", newestFirst, ownerId)
            : find("ownerId = ?1 and state in ?2", newestFirst, ownerId, states);
    return query.page(Page.of(pageIndex, pageSize)).list();
  }

  public Uni<Long> countOwned(String ownerId, Collection<SessionState> states) {
    return states.isEmpty()
        ? count("ownerId", ownerId)
        : count("ownerId = ?1 and state in ?2", ownerId, states);
  }

  /** The user's sessions that are PAUSING or PAUSED. */
  public Uni<Long> countPaused(String ownerId) {
    return count(
        "ownerId = ?1 and state in ?2",
        ownerId,
        EnumSet.of(SessionState.PAUSING, SessionState.PAUSED));
  }

  public Uni<Long> countActive(String ownerId) {
    return count("ownerId = ?1 and state in ?2", ownerId, SessionState.active());
  }

  /** READY sessions, not busy, whose idle warning is due; locked, skipping rows others hold. */
  public Uni<List<Session>> lockDueForIdleWarning(Instant now, Duration lead, int limit) {
    return lockDue(IDLE_WARNING_DUE, now, seconds(lead), limit);
  }

  /** Warned READY sessions, still not busy, whose pause time has come. */
  public Uni<List<Session>> lockDueForIdlePause(Instant now, int limit) {
    return lockDue(IDLE_PAUSE_DUE, now, null, limit);
  }

  /** Live sessions whose lifetime ended, or that are within {@code lead} of it and not warned. */
  public Uni<List<Session>> lockDueForLifetime(Instant now, Duration lead, int limit) {
    return lockDue(LIFETIME_DUE, now, seconds(lead), limit);
  }

  /** Sessions whose transitional state has waited for the gateway's answer past its retry time. */
  public Uni<List<Session>> lockStuckInTransition(Instant now, Duration after, int limit) {
    return lockDue(TRANSITION_STUCK, now, seconds(after), limit);
  }

  public Uni<List<Session>> lockDueForSnapshot(Instant now, int limit) {
    return lockDue(SNAPSHOT_DUE, now, null, limit);
  }

  private Uni<List<Session>> lockDue(String sql, Instant now, Double seconds, int limit) {
    return getSession()
        .chain(
            session -> {
              var query = session.createNativeQuery(sql, Session.class).setParameter(1, now);
              if (seconds == null) {
                query.setParameter(2, limit);
              } else {
                query.setParameter(2, seconds).setParameter(3, limit);
              }
              return query.getResultList();
            });
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }
}
