package dev.remoteclaude.session.service;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.session.Session;
import dev.remoteclaude.session.SessionTransition;
import dev.remoteclaude.session.Times;
import dev.remoteclaude.session.config.SessionConfig;
import dev.remoteclaude.session.repository.SessionTransitionRepository;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The one place a session changes state. Each move is checked against {@link SessionState#next()},
 * stored with its exact time and announced with a {@link SessionStateChanged} carrying that same
 * time, through the outbox, in the caller's transaction (with the session row locked). So every
 * transition is emitted exactly once, and only if it was committed.
 */
@ApplicationScoped
public class SessionTransitions {

  private final Outbox outbox;
  private final SessionTransitionRepository history;
  private final SessionConfig config;
  private final SessionMetrics metrics;

  public SessionTransitions(
      Outbox outbox,
      SessionTransitionRepository history,
      SessionConfig config,
      SessionMetrics metrics) {
    this.outbox = outbox;
    this.history = history;
    this.config = config;
    this.metrics = metrics;
  }

  /** Records a new session's first state. */
  public Uni<Session> begin(Session session, String reason) {
    onEnter(session, session.state, session.stateChangedAt);
    return record(session, null, session.state, reason, session.stateChangedAt);
  }

  /**
   * Moves a session to {@code to}. An illegal move is a programming error here: callers decide what
   * an illegal request means (409, an ignored event) before calling.
   */
  public Uni<Session> move(Session session, SessionState to, String reason) {
    SessionState from = session.state;
    if (!from.canMoveTo(to)) {
      return Uni.createFrom()
          .failure(new IllegalStateException("no transition from " + from + " to " + to));
    }
    Instant at = Times.nowAfter(session.stateChangedAt);
    session.state = to;
    session.stateReason = reason;
    session.stateChangedAt = at;
    onEnter(session, to, at);
    Log.infof("session %s: %s -> %s (%s)", session.id, from, to, reason);
    return record(session, from, to, reason, at).invoke(() -> metrics.moved(session, from, to, at));
  }

  /** Emits an event about the session (keyed by it, so it stays in order with its other events). */
  public Uni<Void> emit(Session session, Event payload) {
    return outbox.emit(payload, session.id.toString(), session.ownerId).replaceWithVoid();
  }

  public Uni<Void> notice(Session session, String kind, String message, Instant deadline) {
    return emit(session, new SessionNotice(kind, message, Times.now(), deadline));
  }

  private void onEnter(Session session, SessionState state, Instant at) {
    session.idlePauseAt = null;
    session.transitionRetryAt = null;
    session.transitionRetries = 0;
    if (state == SessionState.READY) {
      session.recoveryAttempts = 0;
      session.touch(at, config.lifetime().activityWindow());
      session.nextSnapshotAt =
          config.snapshot().providers().contains(session.provider)
              ? at.plus(config.snapshot().interval())
              : null;
    } else {
      session.nextSnapshotAt = null;
    }
    if (state.isFinal()) {
      session.attachedClients = 0;
      session.runningCommands = 0;
    }
  }

  private Uni<Session> record(
      Session session, SessionState from, SessionState to, String reason, Instant at) {
    SessionTransition row = new SessionTransition();
    row.sessionId = session.id;
    row.fromState = from;
    row.toState = to;
    row.reason = reason;
    row.at = at;
    return history
        .persist(row)
        .chain(
            () ->
                emit(
                    session,
                    new SessionStateChanged(
                        from == null ? null : from.name(),
                        to.name(),
                        reason,
                        at,
                        session.expiresAt)))
        .replaceWith(session);
  }
}
