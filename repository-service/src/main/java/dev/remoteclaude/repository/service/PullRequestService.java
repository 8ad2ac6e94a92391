package dev.remoteclaude.repository.service;

import dev.remoteclaude.api.CreatePullRequestRequest;
import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.GitPushed;
import dev.remoteclaude.common.events.PullRequestFailed;
import dev.remoteclaude.common.events.PullRequestOpened;
import dev.remoteclaude.common.events.PullRequestOption;
import dev.remoteclaude.common.events.PullRequestUpdated;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.net.RepositoryUrls;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.repository.KnownSession;
import dev.remoteclaude.repository.PullRequest;
import dev.remoteclaude.repository.PullRequestIntent;
import dev.remoteclaude.repository.Repository;
import dev.remoteclaude.repository.repository.KnownSessionRepository;
import dev.remoteclaude.repository.repository.PullRequestIntentRepository;
import dev.remoteclaude.repository.repository.PullRequestRepository;
import dev.remoteclaude.repository.repository.RepositoryRepository;
import dev.remoteclaude.repository.service.forge.ForgeFailure;
import dev.remoteclaude.repository.service.forge.ForgePullRequest;
import dev.remoteclaude.repository.service.forge.ForgeTarget;
import dev.remoteclaude.repository.service.forge.Forges;
import dev.remoteclaude.repository.service.forge.NewForgePullRequest;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.logging.Log;
import io.quarkus.vertx.SafeVertxContext;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A session's pull requests: opened on the repository's forge by the session's owner or after a
 * task that asked for one pushed its branch, stored, and announced through the outbox ({@code
 * pr.opened}, {@code pr.updated}, {@code pr.failed}, keyed by the session). Sessions are known from
 * their events ({@code session.requested}, {@code git.pushed}); a session's repository is the
 * owner's registered repository with the same normalized URL.
 */
@ApplicationScoped
public class PullRequestService {

  static final int MAX_TITLE = 256;

  private final KnownSessionRepository sessions;
  private final RepositoryRepository repositories;
  private final PullRequestRepository pullRequests;
  private final Forges forges;
  private final SecretBox secrets;
  private final Outbox outbox;
  private final PullRequestIntentRepository intents;

  public PullRequestService(
      KnownSessionRepository sessions,
      RepositoryRepository repositories,
      PullRequestRepository pullRequests,
      Forges forges,
      SecretBox secrets,
      Outbox outbox,
      PullRequestIntentRepository intents) {
    this.intents = intents;
    this.sessions = sessions;
    this.repositories = repositories;
    this.pullRequests = pullRequests;
    this.forges = forges;
    this.secrets = secrets;
    this.outbox = outbox;
  }

  // --- The read model of sessions (inbox handlers: they run in the inbox's transaction) ---------

  /** A session was requested: remember its owner and repository (a repeat changes nothing). */
  public Uni<Void> sessionRequested(EventEnvelope envelope, SessionRequested event) {
    UUID sessionId = envelope.sessionId();
    return sessions
        .findById(sessionId)
        .chain(
            known ->
                known != null || event.repositoryUrl() == null || envelope.userId() == null
                    ? Uni.createFrom().voidItem()
                    : sessions
                        .persist(newSession(sessionId, envelope.userId(), event.repositoryUrl()))
                        .replaceWithVoid());
  }

  /**
   * A branch was pushed from a session: remember it; when a task asked for a pull request, open it
   * (or announce the push on the open one), and announce a failure with its reason.
   */
  public Uni<Void> pushed(EventEnvelope envelope, GitPushed event) {
    UUID sessionId = envelope.sessionId();
    String owner = envelope.userId();
    return sessions
        .findById(sessionId)
        .chain(
            known -> {
              KnownSession session = known;
              if (session == null) {
                if (owner == null || event.repositoryUrl() == null) {
                  return Uni.createFrom().voidItem();
                }
                session = newSession(sessionId, owner, event.repositoryUrl());
              }
              session.lastPushedBranch = event.branch();
              session.updatedAt = now();
              KnownSession saved = session;
              return sessions
                  .persist(saved)
                  .chain(
                      () ->
                          event.pullRequest() == null
                              ? Uni.createFrom().voidItem()
                              : recordIntent(saved, event));
            });
  }

  /**
   * Records the pull request a task asked for, inside the caller's (the inbox's) transaction: the
   * forge is called after it commits ({@link #attempt}), so no connection or transaction waits on a
   * forge.
   */
  private Uni<Void> recordIntent(KnownSession session, GitPushed event) {
    PullRequestOption option = event.pullRequest();
    PullRequestIntent intent = new PullRequestIntent();
    intent.id = UUID.randomUUID();
    intent.sessionId = session.sessionId;
    intent.ownerId = session.ownerId;
    intent.taskId = event.taskId();
    intent.branch = event.branch();
    intent.base = option.base();
    intent.title = option.title();
    intent.body = option.body();
    intent.draft = option.draft();
    intent.attempts = 0;
    intent.createdAt = now();
    intent.nextAttemptAt = intent.createdAt;
    return intents.persist(intent).replaceWithVoid();
  }

  /**
   * The intents due now, oldest first (those another replica holds are skipped), each moved on by
   * {@code lease} so that no one else takes it meanwhile; inside a transaction.
   */
  public Uni<List<PullRequestIntent>> claimDue(int limit, Duration lease) {
    Instant now = now();
    return intents
        .lockDue(now, limit)
        .invoke(due -> due.forEach(intent -> intent.nextAttemptAt = now.plus(lease)));
  }

  /**
   * Opens the intent's pull request, or announces the push on the one open for its branch (looked
   * up first, so that a second try never opens a second one): the forge is called outside any
   * transaction, then the outcome is stored and announced and the intent deleted in one. A forge
   * that is down is tried again later, up to {@code attempts} times.
   */
  @SafeVertxContext
  public Uni<Void> attempt(PullRequestIntent intent, int attempts, Duration retryDelay) {
    return Panache.withSession(
            () ->
                sessions
                    .findById(intent.sessionId)
                    .chain(
                        session ->
                            session == null
                                ? Uni.createFrom().<Found>nullItem()
                                : repositories
                                    .findByNormalizedUrl(session.ownerId, session.normalizedUrl)
                                    .map(repository -> new Found(session, repository))))
        .chain(
            found -> {
              if (found == null) {
                return finish(intent, () -> Uni.createFrom().voidItem());
              }
              KnownSession session = found.session;
              Repository repository = found.repository;
              Plan plan;
              try {
                plan = plan(session, repository);
              } catch (ForgeFailure failure) {
                return finish(intent, () -> failed(session, intent, failure));
              }
              String head = intent.branch;
              String base =
                  intent.base == null || intent.base.isBlank()
                      ? repository.defaultBranch
                      : intent.base;
              String title =
                  intent.title == null || intent.title.isBlank()
                      ? "Changes by Claude"
                          + (intent.taskId == null ? "" : " (task " + intent.taskId + ")")
                      : cut(intent.title, MAX_TITLE);
              String body =
                  intent.body != null
                      ? intent.body
                      : "Opened by Remote Claude for session "
                          + session.sessionId
                          + (intent.taskId == null ? "" : ", task " + intent.taskId)
                          + ".";
              boolean draft = Boolean.TRUE.equals(intent.draft);
              return forges
                  .listByHead(plan.target, plan.token, head)
                  .chain(
                      existing -> {
                        ForgePullRequest open =
                            existing.stream()
                                .filter(ForgePullRequest::isOpen)
                                .findFirst()
                                .orElse(null);
                        if (open != null) {
                          return finish(
                              intent,
                              () -> adoptOrUpdate(session, repository, open, intent.taskId));
                        }
                        return forges
                            .create(
                                plan.target,
                                plan.token,
                                new NewForgePullRequest(title, body, head, base, draft))
                            .chain(
                                created ->
                                    finish(
                                        intent,
                                        () ->
                                            store(
                                                session,
                                                repository,
                                                created,
                                                draft,
                                                intent.taskId)));
                      })
                  .onFailure(ForgeFailure.class)
                  .recoverWithUni(
                      f -> {
                        ForgeFailure failure = (ForgeFailure) f;
                        // ALREADY_EXISTS: opened since the lookup (a lost answer, a race); the
                        // next try's lookup finds it.
                        if ((failure.code() == ForgeFailure.Code.FORGE_UNAVAILABLE
                                || failure.code() == ForgeFailure.Code.ALREADY_EXISTS)
                            && intent.attempts + 1 < attempts) {
                          return later(intent, retryDelay);
                        }
                        return finish(intent, () -> failed(session, intent, failure));
                      });
            });
  }

  /**
   * Records an intent's outcome and deletes it, in one transaction; only the first to delete it
   * records anything (a try whose lease ran out may end after the next one).
   */
  private Uni<Void> finish(PullRequestIntent intent, Supplier<Uni<Void>> outcome) {
    return Panache.withTransaction(
        () ->
            intents
                .deleteById(intent.id)
                .chain(deleted -> deleted ? outcome.get() : Uni.createFrom().voidItem()));
  }

  /** The forge is down: the intent is tried again after a wait doubled at each try. */
  private Uni<Void> later(PullRequestIntent intent, Duration retryDelay) {
    long factor = 1L << Math.min(intent.attempts, 16);
    Instant next = now().plus(retryDelay.multipliedBy(factor));
    Log.infof(
        "Session %s: the forge is unavailable, its pull request is tried again at %s",
        intent.sessionId, next);
    return Panache.withTransaction(
            () ->
                intents.update(
                    "attempts = attempts + 1, nextAttemptAt = ?1 where id = ?2", next, intent.id))
        .replaceWithVoid();
  }

  /**
   * The branch's open pull request: one this service has announced is updated ({@code pr.updated});
   * one it has not (the forge created it on a try whose answer was lost to a timeout, or someone
   * opened it by hand) is announced as opened ({@code pr.opened}) for this task.
   */
  private Uni<Void> adoptOrUpdate(
      KnownSession session, Repository repository, ForgePullRequest open, UUID taskId) {
    return pullRequests
        .findByNumber(repository.id, open.number())
        .chain(
            stored ->
                stored == null
                    ? store(session, repository, open, open.draft(), taskId)
                    : updatedByPush(session, repository, open, taskId));
  }

  private Uni<Void> updatedByPush(
      KnownSession session, Repository repository, ForgePullRequest open, UUID taskId) {
    return pullRequests
        .findByNumber(repository.id, open.number())
        .chain(
            stored -> {
              PullRequest pr = stored;
              if (pr == null) {
                pr = newPullRequest(session, repository, open, open.draft(), taskId);
              }
              pr.state = open.state();
              pr.updatedAt = now();
              PullRequest saved = pr;
              return pullRequests
                  .persist(saved)
                  .chain(
                      () ->
                          emit(
                              session,
                              new PullRequestUpdated(
                                  saved.id,
                                  saved.number,
                                  saved.url,
                                  saved.state.name(),
                                  "pushed",
                                  taskId,
                                  saved.updatedAt)));
            });
  }

  private Uni<Void> failed(KnownSession session, PullRequestIntent intent, ForgeFailure failure) {
    Log.infof(
        "Session %s: the pull request its task asked for failed: %s",
        session.sessionId, failure.code());
    String code =
        switch (failure.code()) {
          case FORGE_UNAVAILABLE -> "FORGE_UNAVAILABLE";
          case AUTH_FAILED -> "AUTH_FAILED";
          case NO_CREDENTIAL -> "NO_CREDENTIAL";
          case NOT_SUPPORTED -> "NOT_SUPPORTED";
          case NOT_FOUND, ALREADY_EXISTS, REJECTED -> "REJECTED";
        };
    return emit(
        session,
        new PullRequestFailed(intent.taskId, intent.branch, code, failure.getMessage(), now()));
  }

  // --- The API --------------------------------------------------------------------------------

  /** The owner's session's pull requests, newest first; another user's session is a 404. */
  @WithSession
  public Uni<List<PullRequest>> list(String ownerId, UUID sessionId) {
    return owned(ownerId, sessionId).chain(session -> pullRequests.listOfSession(sessionId));
  }

  /**
   * Opens a pull request on the forge from {@code head} (the branch last pushed from the session
   * when absent) into {@code base} (the repository's default branch when absent), stores it and
   * emits {@code pr.opened}.
   */
  public Uni<PullRequest> open(String ownerId, UUID sessionId, CreatePullRequestRequest request) {
    return Panache.withSession(
            () ->
                owned(ownerId, sessionId)
                    .chain(
                        session ->
                            repositories
                                .findByNormalizedUrl(ownerId, session.normalizedUrl)
                                .map(repository -> new Found(session, repository))))
        .chain(
            found -> {
              KnownSession session = found.session;
              Repository repository = found.repository;
              Plan plan;
              try {
                plan = plan(session, repository);
              } catch (ForgeFailure failure) {
                return Uni.createFrom().failure(problem(failure));
              }
              String head = request.head() != null ? request.head() : session.lastPushedBranch;
              if (head == null) {
                return Uni.createFrom()
                    .failure(
                        ProblemException.conflict(
                            "nothing was pushed from this session yet; push a branch first or"
                                + " name one in head"));
              }
              String base = request.base() != null ? request.base() : repository.defaultBranch;
              if (base.equals(head)) {
                return Uni.createFrom()
                    .failure(ProblemException.badRequest("base", "must differ from head " + head));
              }
              boolean draft = Boolean.TRUE.equals(request.draft());
              return forges
                  .create(
                      plan.target,
                      plan.token,
                      new NewForgePullRequest(
                          request.title().strip(), request.body(), head, base, draft))
                  .onFailure(ForgeFailure.class)
                  .transform(failure -> problem((ForgeFailure) failure))
                  .chain(
                      created ->
                          Panache.withTransaction(
                              () -> storeAndReturn(session, repository, created, draft, null)));
            });
  }

  private Uni<KnownSession> owned(String ownerId, UUID sessionId) {
    return sessions
        .findOwned(ownerId, sessionId)
        .onItem()
        .ifNull()
        .failWith(() -> ProblemException.notFound("session " + sessionId));
  }

  /** The forge API and the opened credential of a session's repository; fails with the reason. */
  private Plan plan(KnownSession session, Repository repository) {
    if (repository == null) {
      throw new ForgeFailure(
          ForgeFailure.Code.NOT_SUPPORTED,
          "the session's repository "
              + session.repositoryUrl
              + " is not registered; register it with a token (rclaude repo add "
              + session.repositoryUrl
              + " --token-stdin) to open pull requests");
    }
    if (repository.sealedCredential == null) {
      throw new ForgeFailure(
          ForgeFailure.Code.NO_CREDENTIAL,
          "the repository "
              + repository.url
              + " has no credential; give it a token that may open pull requests"
              + " (PATCH /api/v1/repositories/"
              + repository.id
              + " with a credential)");
    }
    ForgeTarget target = forges.target(repository.forge, repository.url);
    String token =
        secrets.open(
            repository.sealedCredential, SecretContexts.repositoryCredential(repository.id));
    return new Plan(target, token);
  }

  private Uni<Void> store(
      KnownSession session,
      Repository repository,
      ForgePullRequest created,
      boolean draft,
      UUID taskId) {
    return storeAndReturn(session, repository, created, draft, taskId).replaceWithVoid();
  }

  private Uni<PullRequest> storeAndReturn(
      KnownSession session,
      Repository repository,
      ForgePullRequest created,
      boolean draft,
      UUID taskId) {
    PullRequest pr = newPullRequest(session, repository, created, draft, taskId);
    return pullRequests
        .persist(pr)
        .chain(
            () ->
                emit(
                    session,
                    new PullRequestOpened(
                        pr.id,
                        repository.id,
                        repository.forge.name(),
                        pr.number,
                        pr.url,
                        pr.title,
                        pr.head,
                        pr.base,
                        pr.draft,
                        taskId,
                        pr.createdAt)))
        .replaceWith(pr);
  }

  private static PullRequest newPullRequest(
      KnownSession session,
      Repository repository,
      ForgePullRequest created,
      boolean draft,
      UUID taskId) {
    Instant now = now();
    PullRequest pr = new PullRequest();
    pr.id = UUID.randomUUID();
    pr.sessionId = session.sessionId;
    pr.repositoryId = repository.id;
    pr.ownerId = session.ownerId;
    pr.forge = repository.forge;
    pr.number = created.number();
    pr.url = created.url() == null ? repository.url : created.url();
    pr.title = created.title() == null ? "" : cut(created.title(), MAX_TITLE);
    pr.head = created.head();
    pr.base = created.base();
    pr.draft = draft || created.draft();
    pr.state =
        created.state() == PullRequest.State.OPEN && pr.draft
            ? PullRequest.State.DRAFT
            : created.state();
    pr.taskId = taskId;
    pr.createdAt = now;
    pr.updatedAt = now;
    return pr;
  }

  private Uni<Void> emit(KnownSession session, Event event) {
    return outbox.emit(event, session.sessionId.toString(), session.ownerId).replaceWithVoid();
  }

  /** A forge failure as the problem the user sees. */
  static ProblemException problem(ForgeFailure failure) {
    String reason = failure.getMessage();
    return switch (failure.code()) {
      case FORGE_UNAVAILABLE -> ProblemException.unavailable(reason);
      case ALREADY_EXISTS, NO_CREDENTIAL, NOT_SUPPORTED -> ProblemException.conflict(reason);
      case AUTH_FAILED ->
          new ProblemException(
              422, "forge-credential-refused", "The forge refused the credential", reason, null);
      case NOT_FOUND ->
          new ProblemException(
              422, "forge-not-found", "The forge has no such repository or branch", reason, null);
      case REJECTED ->
          new ProblemException(
              422, "forge-rejected", "The forge refused the pull request", reason, null);
    };
  }

  private static KnownSession newSession(UUID sessionId, String ownerId, String url) {
    KnownSession session = new KnownSession();
    session.sessionId = sessionId;
    session.ownerId = ownerId;
    session.repositoryUrl = url;
    session.normalizedUrl = RepositoryUrls.normalize(url);
    session.updatedAt = now();
    return session;
  }

  private static String cut(String value, int max) {
    return value.length() > max ? value.substring(0, max) : value;
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  private record Found(KnownSession session, Repository repository) {}

  private record Plan(ForgeTarget target, String token) {}
}
