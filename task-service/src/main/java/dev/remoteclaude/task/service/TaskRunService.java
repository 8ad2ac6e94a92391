package dev.remoteclaude.task.service;

import dev.remoteclaude.api.TaskState;
import dev.remoteclaude.common.events.TaskCancelled;
import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.TaskProgress;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.task.KnownSession;
import dev.remoteclaude.task.Task;
import dev.remoteclaude.task.repository.TaskRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Follows a dispatched task's run from the gateway's reports: started, progress, completed, failed.
 * Reports about a task that is not in the gateway's hands (unknown, queued, already finished: a
 * late or stray report) change nothing. When a run ends, the session's next task is dispatched.
 */
@ApplicationScoped
public class TaskRunService {

  private final TaskRepository tasks;
  private final TaskQueue queue;
  private final Outbox outbox;
  private final TaskMetrics metrics;

  public TaskRunService(TaskRepository tasks, TaskQueue queue, Outbox outbox, TaskMetrics metrics) {
    this.tasks = tasks;
    this.queue = queue;
    this.outbox = outbox;
    this.metrics = metrics;
  }

  @WithTransaction
  public Uni<Void> started(UUID sessionId, TaskStarted started) {
    return withActiveTask(
        sessionId,
        started.taskId(),
        (session, task) -> {
          task.start(at(started.at()));
          return Uni.createFrom().voidItem();
        });
  }

  /** Records the progress summary; a progress report also means the run has started. */
  @WithTransaction
  public Uni<Void> progressed(UUID sessionId, TaskProgress progress) {
    return withActiveTask(
        sessionId,
        progress.taskId(),
        (session, task) -> {
          Instant at = at(progress.at());
          task.start(at);
          task.progress(progress, at);
          return Uni.createFrom().voidItem();
        });
  }

  @WithTransaction
  public Uni<Void> completed(UUID sessionId, TaskCompleted completed) {
    return withActiveTask(
        sessionId,
        completed.taskId(),
        (session, task) -> {
          task.succeed(
              completed.result(),
              completed.usage(),
              completed.claudeSessionId(),
              at(completed.at()));
          metrics.ended(task, TaskState.SUCCEEDED, at(completed.at()));
          return queue.dispatchNext(session).replaceWithVoid();
        });
  }

  /**
   * Ends the run: CANCELLED (and {@code TaskCancelled}) when the gateway killed it on request,
   * INTERRUPTED when it was cut short, FAILED otherwise, with the gateway's code and reason.
   */
  @WithTransaction
  public Uni<Void> failed(UUID sessionId, TaskFailed failed) {
    return withActiveTask(
        sessionId,
        failed.taskId(),
        (session, task) -> {
          Instant at = at(failed.at());
          TaskState end =
              switch (failed.code() == null ? "" : failed.code()) {
                case TaskFailed.CANCELLED -> TaskState.CANCELLED;
                case TaskFailed.INTERRUPTED -> TaskState.INTERRUPTED;
                default -> TaskState.FAILED;
              };
          String reason = reasonOf(end, task, failed);
          task.end(end, failed.code(), reason, failed.exitCode(), failed.usage(), at);
          metrics.ended(task, end, at);
          Uni<?> announced =
              end == TaskState.CANCELLED
                  ? outbox.emit(
                      new TaskCancelled(task.id, reason, at),
                      session.id.toString(),
                      session.ownerId)
                  : Uni.createFrom().voidItem();
          return announced.chain(() -> queue.dispatchNext(session)).replaceWithVoid();
        });
  }

  /**
   * Locks the session, then applies the change to the task if it belongs to that session and is
   * dispatched or running.
   */
  private Uni<Void> withActiveTask(
      UUID sessionId, UUID taskId, BiFunction<KnownSession, Task, Uni<Void>> change) {
    return queue
        .lock(sessionId)
        .chain(
            session ->
                session == null
                    ? ignored("report about task %s of an unknown session", taskId)
                    : tasks.findById(taskId).chain(task -> apply(session, task, taskId, change)));
  }

  private static Uni<Void> apply(
      KnownSession session,
      Task task,
      UUID taskId,
      BiFunction<KnownSession, Task, Uni<Void>> change) {
    if (task == null || !task.sessionId.equals(session.id)) {
      return ignored("report about task %s, unknown in its session", taskId);
    }
    if (!task.state.isActive()) {
      return ignored("report about task %s, which is not in the gateway's hands", taskId);
    }
    return change.apply(session, task);
  }

  private static Uni<Void> ignored(String why, UUID taskId) {
    Log.infof(why + ": ignored", taskId);
    return Uni.createFrom().voidItem();
  }

  private static String reasonOf(TaskState end, Task task, TaskFailed failed) {
    if (end == TaskState.CANCELLED && task.cancelRequestedAt != null) {
      return TaskService.CANCELLED_BY_USER;
    }
    if (failed.reason() != null && !failed.reason().isBlank()) {
      return failed.reason();
    }
    return failed.code() == null ? "the run failed" : failed.code().toLowerCase();
  }

  private static Instant at(Instant reported) {
    return reported == null ? Instant.now() : reported;
  }
}
