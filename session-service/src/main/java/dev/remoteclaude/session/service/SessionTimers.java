package dev.remoteclaude.session.service;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.events.SessionSnapshotRequested;
import dev.remoteclaude.common.events.SessionTerminateRequested;
import dev.remoteclaude.session.Session;
import dev.remoteclaude.session.Times;
import dev.remoteclaude.session.config.SessionConfig;
import dev.remoteclaude.session.repository.SessionRepository;
import dev.remoteclaude.session.repository.SessionTaskRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The session clocks: idle warning and pause, lifetime warning and end, periodic snapshots. Each
 * round takes the due sessions with {@code FOR UPDATE SKIP LOCKED} in one transaction and acts on
 * them, so several replicas share the work and never act on a session twice; everything a round
 * needs is in the database, so nothing is lost when a replica restarts.
 */
@ApplicationScoped
public class SessionTimers {

  private final SessionRepository sessions;
  private final SessionTaskRepository tasks;
  private final SessionTransitions transitions;
  private final SessionConfig config;

  public SessionTimers(
      SessionRepository sessions,
      SessionTaskRepository tasks,
      SessionTransitions transitions,
      SessionConfig config) {
    this.sessions = sessions;
    this.tasks = tasks;
    this.transitions = transitions;
    this.config = config;
  }

  /** Warns READY sessions that have been idle almost their idle timeout; returns how many. */
  @WithTransaction
  public Uni<Integer> warnIdle(Instant now) {
    Duration lead = config.idle().warningLead();
    return each(
        sessions.lockDueForIdleWarning(now, lead, batch()),
        session -> {
          Duration effectiveLead = min(lead, session.idleTimeout().dividedBy(2));
          Instant pauseAt =
              Times.max(
                  session.lastActivityAt.plus(session.idleTimeout()), now.plus(effectiveLead));
          session.idlePauseAt = pauseAt;
          return transitions.notice(
              session,
              SessionNotice.IDLE_WARNING,
              "nothing has happened in this session for a while; it will be paused at "
                  + pauseAt
                  + " unless there is activity or it is extended",
              pauseAt);
        });
  }

  /** Pauses warned READY sessions that stayed idle until their pause time; returns how many. */
  @WithTransaction
  public Uni<Integer> pauseIdle(Instant now) {
    return each(
        sessions.lockDueForIdlePause(now, batch()),
        session -> {
          String reason = "idle for " + session.idleTimeout() + " with nothing running";
          return transitions
              .move(session, SessionState.PAUSING, reason)
              .chain(() -> transitions.emit(session, new SessionPauseRequested("idle")));
        });
  }

  /**
   * Warns live sessions near their expiry and terminates those past it. A session that is busy
   * (task queued or running, command running, client attached) is not ended by its expiry but
   * extended, as activity would; only the maximum lifetime ends a busy session.
   */
  @WithTransaction
  public Uni<Integer> enforceLifetime(Instant now) {
    Duration lead = config.lifetime().warningLead();
    return each(
        sessions.lockDueForLifetime(now, lead, batch()),
        session ->
            busy(session)
                .chain(
                    busy -> {
                      if (busy && !session.reachedMaxLifetime()) {
                        return keepBusySessionAlive(session, now);
                      }
                      if (!now.isBefore(session.expiresAt)) {
                        return end(session);
                      }
                      session.lifetimeWarnedFor = session.expiresAt;
                      return transitions.notice(
                          session,
                          SessionNotice.LIFETIME_WARNING,
                          "the session ends at "
                              + session.expiresAt
                              + (session.reachedMaxLifetime()
                                  ? " (its maximum lifetime)"
                                  : " unless there is activity or it is extended"),
                          session.expiresAt);
                    }));
  }

  /** Asks for a snapshot of READY sessions whose last one is older than the interval. */
  @WithTransaction
  public Uni<Integer> requestSnapshots(Instant now) {
    return each(
        sessions.lockDueForSnapshot(now, batch()),
        session -> {
          session.nextSnapshotAt = now.plus(config.snapshot().interval());
          return transitions.emit(session, new SessionSnapshotRequested());
        });
  }

  /**
   * Asks the gateway again for sessions stuck in PAUSING, RESUMING or TERMINATING: their request or
   * the gateway's answer was lost. Each retry waits twice as long as the one before, at most an
   * hour; returns how many were asked again.
   */
  @WithTransaction
  public Uni<Integer> retryStuckTransitions(Instant now) {
    Duration after = config.timers().transitionRetryAfter();
    return each(
        sessions.lockStuckInTransition(now, after, batch()),
        session -> {
          Event request =
              switch (session.state) {
                case PAUSING -> new SessionPauseRequested("retry");
                case RESUMING -> new SessionResumeRequested("retry");
                default -> new SessionTerminateRequested("retry");
              };
          session.transitionRetries++;
          Duration wait = after.multipliedBy(1L << Math.min(session.transitionRetries, 10));
          session.transitionRetryAt = now.plus(min(wait, Duration.ofHours(1)));
          Log.infof(
              "session %s: still %s after %s; asking the gateway again (retry %d)",
              session.id,
              session.state,
              Duration.between(session.stateChangedAt, now).withNanos(0),
              session.transitionRetries);
          return transitions.emit(session, request);
        });
  }

  /** Forgets finished tasks after a day (a late "queued" of a task that old is not expected). */
  public Uni<Integer> pruneTasks(Instant now) {
    return tasks.pruneDone(now.minus(Duration.ofDays(1)));
  }

  private Uni<Void> keepBusySessionAlive(Session session, Instant now) {
    Instant before = session.expiresAt;
    session.autoExtend(now, config.lifetime().activityWindow());
    if (!session.expiresAt.isAfter(before)) {
      return Uni.createFrom().voidItem();
    }
    session.lifetimeWarnedFor = null;
    return transitions.notice(
        session,
        SessionNotice.EXTENDED,
        "the session is busy; it was extended until " + session.expiresAt,
        session.expiresAt);
  }

  private Uni<Void> end(Session session) {
    String reason =
        session.reachedMaxLifetime()
            ? "reached its maximum lifetime of " + session.maxLifetime()
            : "expired after a period without activity";
    return transitions
        .move(session, SessionState.TERMINATING, reason)
        .chain(() -> transitions.emit(session, new SessionTerminateRequested("lifetime")))
        .chain(
            () ->
                transitions.notice(
                    session,
                    SessionNotice.LIFETIME_ENDED,
                    "the session " + reason + " and is being terminated",
                    session.expiresAt));
  }

  private Uni<Boolean> busy(Session session) {
    if (session.attachedClients > 0 || session.runningCommands > 0) {
      return Uni.createFrom().item(true);
    }
    return tasks.hasOpenTask(session.id);
  }

  /** Acts on each due session in turn (one reactive session: never concurrently). */
  private static Uni<Integer> each(Uni<List<Session>> due, Function<Session, Uni<Void>> action) {
    return due.chain(
        list ->
            Multi.createFrom()
                .iterable(list)
                .onItem()
                .call(session -> action.apply(session))
                .collect()
                .asList()
                .replaceWith(list.size()));
  }

  private int batch() {
    return config.timers().batchSize();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
