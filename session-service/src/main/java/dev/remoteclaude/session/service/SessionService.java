package dev.remoteclaude.session.service;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.events.SessionTerminateRequested;
import dev.remoteclaude.common.git.GitConfig;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.session.Session;
import dev.remoteclaude.session.Times;
import dev.remoteclaude.session.config.SessionConfig;
import dev.remoteclaude.session.repository.SessionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What users do with their sessions: create, look, pause, resume, extend, terminate. Each change
 * locks the session's row, checks the state machine (an illegal request is a 409) and emits its
 * events through the outbox in the same transaction.
 */
@ApplicationScoped
public class SessionService {

  /** One page of a user's sessions. */
  public record SessionPage(List<Session> items, int page, int size, long total) {}

  private final SessionRepository sessions;
  private final SessionTransitions transitions;
  private final QuotaService quota;
  private final SecretBox secrets;
  private final SessionConfig config;
  private final GitConfig git;
  private final RegisteredRepositories registered;

  public SessionService(
      SessionRepository sessions,
      SessionTransitions transitions,
      QuotaService quota,
      SecretBox secrets,
      SessionConfig config,
      GitConfig git,
      RegisteredRepositories registered) {
    this.sessions = sessions;
    this.transitions = transitions;
    this.quota = quota;
    this.secrets = secrets;
    this.config = config;
    this.git = git;
    this.registered = registered;
  }

  /**
   * Stores a new session in PROVISIONING and asks the gateway for its sandbox. A repository the
   * owner registered under the session's URL lends it its credential, sealed for the session.
   */
  @WithTransaction
  public Uni<Session> create(String ownerId, NewSession request) {
    return quota
        .checkCanCreate(ownerId)
        .chain(() -> checkBranchIsNotAnothersWorkingBranch(ownerId, request.branch()))
        .chain(
            () -> {
              Session session = newSession(ownerId, request);
              return registered
                  .credentialFor(ownerId, session.repositoryUrl, session.id)
                  .invoke(credential -> session.gitCredential = credential.orElse(null))
                  .chain(() -> sessions.persist(session))
                  .chain(() -> transitions.begin(session, "created"))
                  .call(
                      () ->
                          transitions.emit(
                              session, sessionRequested(session, null, request.region())));
            });
  }

  private static final java.util.regex.Pattern WORKING_BRANCH_ID =
      java.util.regex.Pattern.compile("([0-9a-f]{8})(?:/.*)?");

  /**
   * A branch {@code <prefix><8 hex>} (or under it) is the working branch of the session whose id
   * begins so, which the gateway lets a session created on it push to: it is refused unless that
   * session is the caller's own (continuing one's own work is fine). The answer does not say
   * whether such a session exists for someone else.
   */
  private Uni<Void> checkBranchIsNotAnothersWorkingBranch(String ownerId, String branch) {
    String prefix = git.branchPrefix();
    if (branch == null || !branch.startsWith(prefix)) {
      return Uni.createFrom().voidItem();
    }
    java.util.regex.Matcher id = WORKING_BRANCH_ID.matcher(branch.substring(prefix.length()));
    if (!id.matches()) {
      return Uni.createFrom().voidItem();
    }
    return sessions
        .ownsIdStartingWith(ownerId, id.group(1))
        .invoke(
            own -> {
              if (!own) {
                throw ProblemException.badRequest(
                    "branch",
                    "is the working branch of a session that is not yours ("
                        + prefix
                        + "<first 8 characters of a session id>); continue one of your own"
                        + " sessions' branches or name a new one");
              }
            })
        .replaceWithVoid();
  }

  @WithSession
  public Uni<Session> get(String ownerId, UUID id) {
    return sessions.findOwned(ownerId, id).onItem().ifNull().failWith(() -> notFound(id));
  }

  @WithSession
  public Uni<SessionPage> list(
      String ownerId, Collection<SessionState> states, int page, int size) {
    return sessions
        .page(ownerId, states, page, size)
        .chain(
            items ->
                sessions
                    .countOwned(ownerId, states)
                    .map(total -> new SessionPage(items, page, size, total)));
  }

  @WithTransaction
  public Uni<Session> pause(String ownerId, UUID id) {
    return locked(ownerId, id)
        .chain(
            session -> {
              requireTransition(session, SessionState.PAUSING, "paused");
              return quota
                  .checkCanPause(ownerId)
                  .chain(
                      () -> transitions.move(session, SessionState.PAUSING, "paused by the user"))
                  .call(() -> transitions.emit(session, new SessionPauseRequested("user")));
            });
  }

  @WithTransaction
  public Uni<Session> resume(String ownerId, UUID id) {
    return locked(ownerId, id)
        .chain(
            session -> {
              requireTransition(session, SessionState.RESUMING, "resumed");
              return BudgetPauses.checkCanResume(session)
                  .chain(() -> quota.checkCanActivate(ownerId))
                  .chain(
                      () -> transitions.move(session, SessionState.RESUMING, "resumed by the user"))
                  .call(() -> transitions.emit(session, new SessionResumeRequested("user")));
            });
  }

  /**
   * Moves the expiry forward by {@code duration} (from now or from the current expiry, whichever is
   * later), never past the maximum lifetime. Restarts the idle clock: an idle warning is cancelled.
   */
  @WithTransaction
  public Uni<Session> extend(String ownerId, UUID id, Duration duration) {
    return locked(ownerId, id)
        .chain(
            session -> {
              if (!session.state.isLive()) {
                throw ProblemException.conflict(
                    "a session in state " + session.state + " cannot be extended");
              }
              if (session.reachedMaxLifetime()) {
                throw ProblemException.conflict(
                    "the session already runs until the end of its maximum lifetime of "
                        + session.maxLifetime());
              }
              Instant now = Times.now();
              boolean idleWarned = session.idlePauseAt != null;
              session.idlePauseAt = null;
              session.lastActivityAt = Times.max(session.lastActivityAt, now);
              session.extend(now, duration);
              session.lifetimeWarnedFor = null;
              Uni<Void> cancel =
                  idleWarned
                      ? transitions.notice(
                          session,
                          SessionNotice.IDLE_WARNING_CANCELLED,
                          "the session was extended; it will not be paused now",
                          null)
                      : Uni.createFrom().voidItem();
              return cancel
                  .chain(
                      () ->
                          transitions.notice(
                              session,
                              SessionNotice.EXTENDED,
                              "the session was extended until " + session.expiresAt,
                              session.expiresAt))
                  .replaceWith(session);
            });
  }

  @WithTransaction
  public Uni<Session> terminate(String ownerId, UUID id) {
    return locked(ownerId, id)
        .chain(
            session -> {
              requireTransition(session, SessionState.TERMINATING, "terminated");
              return transitions
                  .move(session, SessionState.TERMINATING, "terminated by the user")
                  .call(() -> transitions.emit(session, new SessionTerminateRequested("user")));
            });
  }

  /**
   * The gateway's order for a sandbox; environment values and the git credential travel sealed, as
   * they are stored.
   */
  static SessionRequested sessionRequested(Session session, String restoreSnapshotId) {
    return sessionRequested(session, restoreSnapshotId, null);
  }

  /**
   * The order with the region the create request named: it is not stored with the session, only in
   * this event (and the gateway's copy of it); a re-provisioning goes to the provider already in
   * use.
   */
  static SessionRequested sessionRequested(
      Session session, String restoreSnapshotId, String region) {
    return new SessionRequested(
        session.repositoryUrl,
        session.branch,
        session.provider,
        session.setupCommands,
        session.environment,
        session.gitCredential,
        session.idleTimeout(),
        session.expiresAt,
        restoreSnapshotId,
        region);
  }

  private Session newSession(String ownerId, NewSession request) {
    Instant now = Times.now();
    Session session = new Session();
    session.id = UUID.randomUUID();
    session.ownerId = ownerId;
    session.state = SessionState.PROVISIONING;
    session.stateReason = "created";
    session.stateChangedAt = now;
    session.repositoryUrl = request.repositoryUrl();
    session.branch = request.branch();
    session.provider = request.provider();
    session.idleTimeoutSeconds = request.idleTimeout().toSeconds();
    session.maxLifetimeSeconds = request.maxLifetime().toSeconds();
    session.setupCommands = request.setupCommands();
    Map<String, String> sealed = new LinkedHashMap<>();
    request
        .environment()
        .forEach(
            (name, value) ->
                sealed.put(
                    name,
                    secrets.seal(value, SecretContexts.sessionEnvironment(session.id, name))));
    session.environment = sealed;
    session.createdAt = now;
    session.lifetimeEndsAt = now.plus(request.maxLifetime());
    session.touch(now, config.lifetime().activityWindow());
    return session;
  }

  private Uni<Session> locked(String ownerId, UUID id) {
    return sessions.lockOwned(ownerId, id).onItem().ifNull().failWith(() -> notFound(id));
  }

  private static void requireTransition(Session session, SessionState target, String verb) {
    if (!session.state.canMoveTo(target)) {
      throw ProblemException.conflict("a session in state " + session.state + " cannot be " + verb);
    }
  }

  private static ProblemException notFound(UUID id) {
    return ProblemException.notFound("session " + id);
  }
}
