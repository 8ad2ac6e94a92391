package dev.remoteclaude.session.service;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.SandboxActivity;
import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SandboxLost;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SandboxSnapshotted;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.session.Session;
import dev.remoteclaude.session.Times;
import dev.remoteclaude.session.config.SessionConfig;
import dev.remoteclaude.session.repository.SessionRepository;
import dev.remoteclaude.session.repository.SessionTaskRepository;
import dev.remoteclaude.session.repository.SessionTaskRepository.Stage;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * How sessions follow what happens to their sandboxes and tasks. Runs inside the inbox transaction
 * of each event, with the session row locked. An event that does not fit the session's state is
 * ignored with a log line: it changes nothing and never fails the consumer.
 */
@ApplicationScoped
public class SessionLifecycle {

  private static final Set<SessionState> LOSABLE =
      EnumSet.of(
          SessionState.PROVISIONING,
          SessionState.READY,
          SessionState.PAUSING,
          SessionState.PAUSED,
          SessionState.RESUMING,
          SessionState.RECOVERING);

  private final SessionRepository sessions;
  private final SessionTaskRepository tasks;
  private final SessionTransitions transitions;
  private final QuotaService quota;
  private final SessionConfig config;

  public SessionLifecycle(
      SessionRepository sessions,
      SessionTaskRepository tasks,
      SessionTransitions transitions,
      QuotaService quota,
      SessionConfig config) {
    this.sessions = sessions;
    this.tasks = tasks;
    this.transitions = transitions;
    this.quota = quota;
    this.config = config;
  }

  /** The sandbox is ready (first time, or re-provisioned after a loss). */
  @WithTransaction
  public Uni<Void> provisioned(UUID id, SandboxProvisioned event) {
    return withSession(
        id,
        "sandbox provisioned",
        session -> {
          if (session.state != SessionState.PROVISIONING
              && session.state != SessionState.RECOVERING) {
            return ignored(session, "sandbox provisioned");
          }
          String reason =
              session.state == SessionState.RECOVERING ? "sandbox recovered" : "sandbox ready";
          session.sandboxId = event.sandboxId();
          if (event.provider() != null && !event.provider().isBlank()) {
            session.provider = event.provider();
          }
          return transitions.move(session, SessionState.READY, reason).replaceWithVoid();
        });
  }

  @WithTransaction
  public Uni<Void> failed(UUID id, SandboxFailed event) {
    return withSession(
        id,
        "sandbox failed",
        session -> {
          if (!session.state.isLive()) {
            return ignored(session, "sandbox failed");
          }
          String reason = failureReason(event);
          return transitions
              .move(session, SessionState.FAILED, reason)
              .chain(() -> tasks.closeAll(session.id, session.stateChangedAt));
        });
  }

  @WithTransaction
  public Uni<Void> paused(UUID id) {
    return withSession(
        id,
        "sandbox paused",
        session -> {
          if (session.state != SessionState.PAUSING) {
            return ignored(session, "sandbox paused");
          }
          return transitions
              .move(session, SessionState.PAUSED, session.stateReason)
              .chain(() -> tasks.closeRunning(session.id, session.stateChangedAt))
              .chain(() -> tasks.hasQueuedTask(session.id))
              .chain(
                  queued ->
                      queued ? resumeForTask(session, "a task was queued while pausing") : done());
        });
  }

  @WithTransaction
  public Uni<Void> resumed(UUID id) {
    return withSession(
        id,
        "sandbox resumed",
        session -> {
          if (session.state != SessionState.RESUMING) {
            return ignored(session, "sandbox resumed");
          }
          return transitions.move(session, SessionState.READY, "sandbox resumed").replaceWithVoid();
        });
  }

  @WithTransaction
  public Uni<Void> terminated(UUID id) {
    return withSession(
        id,
        "sandbox terminated",
        session -> {
          if (session.state != SessionState.TERMINATING) {
            return ignored(session, "sandbox terminated");
          }
          return transitions
              .move(session, SessionState.TERMINATED, session.stateReason)
              .chain(() -> tasks.closeAll(session.id, session.stateChangedAt));
        });
  }

  /**
   * The sandbox is gone. A terminating session is then terminated; a live one is re-provisioned
   * from its last snapshot (or re-cloned) in RECOVERING, or fails once recovery is exhausted.
   */
  @WithTransaction
  public Uni<Void> lost(UUID id, SandboxLost event) {
    return withSession(
        id,
        "sandbox lost",
        session -> {
          String cause =
              event.reason() == null || event.reason().isBlank() ? "" : ": " + event.reason();
          if (session.state == SessionState.TERMINATING) {
            return transitions
                .move(session, SessionState.TERMINATED, "sandbox lost while terminating" + cause)
                .chain(() -> tasks.closeAll(session.id, session.stateChangedAt));
          }
          if (!LOSABLE.contains(session.state)) {
            return ignored(session, "sandbox lost");
          }
          Instant now = Times.now();
          if (!config.recovery().enabled()
              || session.recoveryAttempts >= config.recovery().maxAttempts()) {
            String reason =
                config.recovery().enabled()
                    ? "sandbox lost and not recovered after "
                        + session.recoveryAttempts
                        + " attempts"
                        + cause
                    : "sandbox lost" + cause;
            return transitions
                .move(session, SessionState.FAILED, reason)
                .chain(() -> tasks.closeAll(session.id, session.stateChangedAt));
          }
          session.recoveryAttempts++;
          session.sandboxId = null;
          String reason =
              "sandbox lost"
                  + cause
                  + "; recovering "
                  + (session.lastSnapshotId == null ? "by cloning again" : "from the last snapshot")
                  + " (attempt "
                  + session.recoveryAttempts
                  + " of "
                  + config.recovery().maxAttempts()
                  + ")";
          Uni<Session> recovering =
              session.state == SessionState.RECOVERING
                  ? Uni.createFrom().item(session)
                  : transitions.move(session, SessionState.RECOVERING, reason);
          return recovering
              .chain(() -> tasks.closeRunning(session.id, now))
              .chain(
                  () ->
                      transitions.emit(
                          session,
                          SessionService.sessionRequested(session, session.lastSnapshotId)));
        });
  }

  @WithTransaction
  public Uni<Void> snapshotted(UUID id, SandboxSnapshotted event) {
    return withSession(
        id,
        "sandbox snapshotted",
        session -> {
          if (session.state.isFinal()) {
            return ignored(session, "sandbox snapshotted");
          }
          session.lastSnapshotId = event.snapshotId();
          session.lastSnapshotAt = event.at() != null ? event.at() : Times.now();
          return done();
        });
  }

  /** Clients attached or left, commands started or ended: the gateway's current counts. */
  @WithTransaction
  public Uni<Void> activity(UUID id, SandboxActivity event) {
    return withSession(
        id,
        "sandbox activity",
        session -> {
          if (!session.state.isLive()) {
            return ignored(session, "sandbox activity");
          }
          session.attachedClients = Math.max(0, event.attachedClients());
          session.runningCommands = Math.max(0, event.runningCommands());
          return touched(session);
        });
  }

  /** A task joined the session's queue; a paused session is resumed to run it. */
  @WithTransaction
  public Uni<Void> taskQueued(UUID id, UUID taskId) {
    return task(id, taskId, Stage.QUEUED, "task queued")
        .chain(
            session -> {
              if (session == null || session.state != SessionState.PAUSED) {
                return done();
              }
              return resumeForTask(session, "a task was queued");
            });
  }

  @WithTransaction
  public Uni<Void> taskStarted(UUID id, UUID taskId) {
    return task(id, taskId, Stage.RUNNING, "task started").replaceWithVoid();
  }

  /** A task completed, failed or was cancelled: it keeps the session busy no longer. */
  @WithTransaction
  public Uni<Void> taskEnded(UUID id, UUID taskId) {
    return task(id, taskId, Stage.DONE, "task ended").replaceWithVoid();
  }

  private Uni<Session> task(UUID id, UUID taskId, Stage stage, String what) {
    return sessions
        .lock(id)
        .chain(
            session -> {
              if (session == null) {
                Log.infof("ignoring %s for unknown session %s", what, id);
                return Uni.createFrom().nullItem();
              }
              Uni<Void> recorded =
                  taskId == null ? done() : tasks.advance(session.id, taskId, stage, Times.now());
              return recorded
                  .chain(() -> session.state.isLive() ? touched(session) : done())
                  .replaceWith(session);
            });
  }

  /**
   * Records activity: the idle clock restarts and the expiry moves forward; an outstanding idle
   * warning is cancelled, and a lifetime warning made moot by the new expiry is answered with an
   * EXTENDED notice.
   */
  private Uni<Void> touched(Session session) {
    boolean idleWarned = session.idlePauseAt != null;
    Instant before = session.expiresAt;
    session.idlePauseAt = null;
    session.touch(Times.now(), config.lifetime().activityWindow());
    boolean lifetimeWarningMoot =
        session.lifetimeWarnedFor != null && session.expiresAt.isAfter(before);
    Uni<Void> out = done();
    if (idleWarned) {
      out =
          out.chain(
              () ->
                  transitions.notice(
                      session,
                      SessionNotice.IDLE_WARNING_CANCELLED,
                      "activity in the session; it will not be paused now",
                      null));
    }
    if (lifetimeWarningMoot) {
      session.lifetimeWarnedFor = null;
      out =
          out.chain(
              () ->
                  transitions.notice(
                      session,
                      SessionNotice.EXTENDED,
                      "activity extended the session until " + session.expiresAt,
                      session.expiresAt));
    }
    return out;
  }

  /** Resumes a paused session for a queued task, unless the user's quota forbids it. */
  private Uni<Void> resumeForTask(Session session, String reason) {
    return BudgetPauses.checkCanResume(session)
        .chain(() -> quota.checkCanActivate(session.ownerId))
        .chain(
            () ->
                transitions
                    .move(session, SessionState.RESUMING, reason)
                    .chain(() -> transitions.emit(session, new SessionResumeRequested("task"))))
        .onFailure(ProblemException.class)
        .recoverWithUni(
            quotaHit -> {
              Log.infof(
                  "session %s stays paused with a queued task: %s",
                  session.id, quotaHit.getMessage());
              // Said on the session's stream, so the user waiting on the task knows why.
              return transitions.notice(
                  session,
                  SessionNotice.RESUME_REFUSED,
                  "the session stays paused with a task queued: "
                      + quotaHit.getMessage()
                      + "; the task runs once the session is resumed",
                  null);
            });
  }

  private Uni<Void> withSession(UUID id, String what, Function<Session, Uni<Void>> action) {
    return sessions
        .lock(id)
        .chain(
            session -> {
              if (session == null) {
                Log.infof("ignoring %s for unknown session %s", what, id);
                return done();
              }
              return action.apply(session);
            });
  }

  private static Uni<Void> ignored(Session session, String what) {
    Log.infof("session %s: ignoring %s in state %s", session.id, what, session.state);
    return done();
  }

  private static String failureReason(SandboxFailed event) {
    String reason =
        event.reason() == null || event.reason().isBlank() ? "no reason given" : event.reason();
    return event.code() == null ? reason : event.code() + ": " + reason;
  }

  private static Uni<Void> done() {
    return Uni.createFrom().voidItem();
  }
}
