package dev.remoteclaude.task.service;

import dev.remoteclaude.api.TaskState;
import dev.remoteclaude.common.events.PullRequestOption;
import dev.remoteclaude.common.events.TaskCancelRequested;
import dev.remoteclaude.common.events.TaskCancelled;
import dev.remoteclaude.common.events.TaskQueued;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.task.KnownSession;
import dev.remoteclaude.task.Task;
import dev.remoteclaude.task.config.TaskConfig;
import dev.remoteclaude.task.repository.KnownSessionRepository;
import dev.remoteclaude.task.repository.TaskRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What a user does with tasks: submit, cancel, look at them. Owner-only throughout. */
@ApplicationScoped
public class TaskService {

  /** The reason recorded when the owner cancels a task. */
  public static final String CANCELLED_BY_USER = "cancelled by the user";

  /** A prompt and how Claude should run it. */
  public record Submission(
      String prompt,
      String model,
      Integer maxTurns,
      List<String> allowedTools,
      String permissionMode,
      PullRequestOption pullRequest,
      BigDecimal maxCostUsd) {}

  /**
   * A task as it was accepted: QUEUED at {@code position} (1 = next to run). The task is a detached
   * copy; it may have been dispatched in the same transaction.
   */
  public record Accepted(Task task, int position) {}

  /** The outcome of a cancel: ended at once (a queued task), or asked of the gateway. */
  public record Cancellation(Task task, boolean pending) {}

  private final TaskRepository tasks;
  private final KnownSessionRepository sessions;
  private final TaskQueue queue;
  private final Outbox outbox;
  private final TaskConfig config;

  public TaskService(
      TaskRepository tasks,
      KnownSessionRepository sessions,
      TaskQueue queue,
      Outbox outbox,
      TaskConfig config) {
    this.tasks = tasks;
    this.sessions = sessions;
    this.queue = queue;
    this.outbox = outbox;
    this.config = config;
  }

  /**
   * Queues a task at the end of the session's queue ({@code TaskQueued}) and dispatches it at once
   * if the session is READY and idle. A paused session just queues it: session-service resumes the
   * session when it sees the TaskQueued, and the task is dispatched when READY arrives.
   */
  @WithTransaction
  public Uni<Accepted> submit(String userId, UUID sessionId, Submission submission) {
    return queue
        .lock(sessionId)
        .map(session -> ownedOrNotFound(session, userId, sessionId))
        .invoke(TaskService::refuseIfEnded)
        .chain(session -> tasks.countQueued(sessionId).chain(n -> enqueue(session, n, submission)));
  }

  private Uni<Accepted> enqueue(KnownSession session, long queued, Submission submission) {
    int limit = config.maxQueuedPerSession();
    if (queued >= limit) {
      throw ProblemException.tooManyRequests(
          "the session's queue is full: " + queued + " tasks are waiting (limit " + limit + ")",
          Map.of("limit", limit, "queued", queued));
    }
    Instant now = Instant.now();
    Task task =
        Task.queued(
            session.id,
            session.ownerId,
            submission.prompt(),
            submission.model(),
            submission.maxTurns(),
            submission.allowedTools(),
            submission.permissionMode(),
            submission.maxCostUsd(),
            now);
    task.requestPullRequest(submission.pullRequest());
    int position = (int) queued + 1;
    Accepted accepted = new Accepted(copyOf(task), position);
    return tasks
        .persist(task)
        .chain(
            () ->
                outbox.emit(
                    new TaskQueued(task.id, task.promptPreview(), position, now),
                    session.id.toString(),
                    session.ownerId))
        .chain(() -> queue.dispatchNext(session))
        .replaceWith(accepted);
  }

  /**
   * Cancels a task. A queued one ends CANCELLED at once ({@code TaskCancelled}); for a dispatched
   * or running one the gateway is asked to kill the run ({@code TaskCancelRequested}, once) and the
   * task ends CANCELLED when it confirms. A finished task cannot be cancelled (409).
   */
  @WithTransaction
  public Uni<Cancellation> cancel(String userId, UUID taskId) {
    return tasks
        .sessionOf(taskId, userId)
        .onItem()
        .ifNull()
        .failWith(() -> ProblemException.notFound("task " + taskId))
        .chain(queue::lock)
        .chain(() -> tasks.findById(taskId))
        .chain(task -> cancel(task, Instant.now()));
  }

  private Uni<Cancellation> cancel(Task task, Instant now) {
    if (task.state.isFinished()) {
      throw ProblemException.conflict(
          "task " + task.id + " has already finished (" + task.state + ")");
    }
    if (task.state == TaskState.QUEUED) {
      task.end(TaskState.CANCELLED, null, CANCELLED_BY_USER, null, null, now);
      return outbox
          .emit(
              new TaskCancelled(task.id, CANCELLED_BY_USER, now),
              task.sessionId.toString(),
              task.ownerId)
          .replaceWith(new Cancellation(task, false));
    }
    if (task.cancelRequestedAt != null) {
      return Uni.createFrom().item(new Cancellation(task, true));
    }
    task.requestCancel(now);
    return outbox
        .emit(
            new TaskCancelRequested(task.id, CANCELLED_BY_USER, now),
            task.sessionId.toString(),
            task.ownerId)
        .replaceWith(new Cancellation(task, true));
  }

  /** A user's task with, while it waits, its place in the queue (1 = next to run). */
  @WithSession
  public Uni<Accepted> find(String userId, UUID taskId) {
    return tasks
        .findOwned(taskId, userId)
        .onItem()
        .ifNull()
        .failWith(() -> ProblemException.notFound("task " + taskId))
        .chain(
            task ->
                task.state != TaskState.QUEUED
                    ? Uni.createFrom().item(new Accepted(task, 0))
                    : tasks
                        .countQueuedBefore(task)
                        .map(before -> new Accepted(task, before.intValue() + 1)));
  }

  /**
   * Like {@link #find}, but while the task has not finished it looks again, for at most {@code
   * wait} (clamped to {@code task.max-read-wait}), and answers as soon as it has. A client that saw
   * the task end on the session's stream reads the final task this way although this service
   * applies the gateway's report a moment later; after the wait it answers the task as it is.
   */
  public Uni<Accepted> findWhenFinished(String userId, UUID taskId, Duration wait) {
    Duration bounded = wait.compareTo(config.maxReadWait()) > 0 ? config.maxReadWait() : wait;
    long deadline = System.nanoTime() + bounded.toNanos();
    return findUntil(userId, taskId, deadline, Vertx.currentContext());
  }

  private Uni<Accepted> findUntil(String userId, UUID taskId, long deadline, Context context) {
    return find(userId, taskId)
        .chain(
            found -> {
              long left = deadline - System.nanoTime();
              if (found.task().state.isFinished() || left <= 0) {
                return Uni.createFrom().item(found);
              }
              // Whole milliseconds, at least one: Vert.x refuses a timer under 1 ms.
              Duration pause =
                  Duration.ofMillis(
                      Math.max(
                          1,
                          Duration.ofNanos(Math.min(left, config.readWaitPoll().toNanos()))
                              .toMillis()));
              Uni<Void> delay = Uni.createFrom().voidItem().onItem().delayIt().by(pause);
              if (context != null) {
                // Back on the request's context, where the reactive session may be opened.
                delay = delay.emitOn(work -> context.runOnContext(ignored -> work.run()));
              }
              return delay.chain(() -> findUntil(userId, taskId, deadline, context));
            });
  }

  /** One page of a user's session's tasks, newest first; the page size is clamped. */
  @WithSession
  public Uni<List<Task>> history(String userId, UUID sessionId, int page, Integer size) {
    int clamped =
        Math.clamp(size == null ? config.defaultPageSize() : size, 1, config.maxPageSize());
    return sessions
        .findOwned(sessionId, userId)
        .onItem()
        .ifNull()
        .failWith(() -> ProblemException.notFound("session " + sessionId))
        .chain(() -> tasks.history(sessionId, page, clamped));
  }

  private static KnownSession ownedOrNotFound(KnownSession session, String userId, UUID sessionId) {
    if (session == null || !session.isOwnedBy(userId)) {
      throw ProblemException.notFound("session " + sessionId);
    }
    return session;
  }

  private static void refuseIfEnded(KnownSession session) {
    if (session.hasEnded()) {
      throw ProblemException.conflict(
          "session " + session.id + " is " + session.state + " and takes no more tasks");
    }
  }

  /** A detached copy of a task just queued (the persisted one may be dispatched right after). */
  private static Task copyOf(Task task) {
    Task copy =
        Task.queued(
            task.sessionId,
            task.ownerId,
            task.prompt,
            task.model,
            task.maxTurns,
            task.allowedTools,
            task.permissionMode,
            task.maxCostUsd,
            task.queuedAt);
    copy.id = task.id;
    copy.requestPullRequest(task.pullRequest());
    return copy;
  }
}
