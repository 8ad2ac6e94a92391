package dev.remoteclaude.task.service;

import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.task.KnownSession;
import dev.remoteclaude.task.Task;
import dev.remoteclaude.task.repository.KnownSessionRepository;
import dev.remoteclaude.task.repository.TaskRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * A session's queue: FIFO by submission, one task in the gateway's hands at a time.
 *
 * <p>Every transaction that changes a session's tasks first locks the session's row ({@link
 * #lock}); dispatch then reads the queue under that lock, so concurrent submissions, gateway
 * results and several replicas take turns and a task is never dispatched twice nor two at once.
 * Everything is in PostgreSQL: a restarted service carries on where the last one stopped.
 */
@ApplicationScoped
public class TaskQueue {

  private final KnownSessionRepository sessions;
  private final TaskRepository tasks;
  private final Outbox outbox;

  public TaskQueue(KnownSessionRepository sessions, TaskRepository tasks, Outbox outbox) {
    this.sessions = sessions;
    this.tasks = tasks;
    this.outbox = outbox;
  }

  /** Locks the session's row for the rest of the transaction; null if the session is unknown. */
  public Uni<KnownSession> lock(UUID sessionId) {
    return sessions.lock(sessionId);
  }

  /** Locks the session and dispatches its next task if it may run one now. */
  @WithTransaction
  public Uni<Task> dispatchNext(UUID sessionId) {
    return lock(sessionId).onItem().ifNotNull().transformToUni(this::dispatchNext);
  }

  /**
   * Hands the session's oldest queued task to the gateway ({@code TaskDispatched}) when the session
   * is READY and none of its tasks is dispatched or running. The caller holds the session's lock.
   *
   * @return the dispatched task, or null when nothing was dispatched
   */
  public Uni<Task> dispatchNext(KnownSession session) {
    if (!session.canRunTasks()) {
      return Uni.createFrom().nullItem();
    }
    return Panache.flush()
        .chain(() -> tasks.findActive(session.id))
        .chain(active -> active != null ? Uni.createFrom().nullItem() : next(session));
  }

  private Uni<Task> next(KnownSession session) {
    return tasks
        .findNextQueued(session.id)
        .onItem()
        .ifNotNull()
        .call(task -> dispatch(session, task));
  }

  private Uni<?> dispatch(KnownSession session, Task task) {
    Instant now = Instant.now();
    task.dispatch(now);
    Log.debugf("dispatching task %s of session %s", task.id, session.id);
    return outbox.emit(
        new TaskDispatched(
            task.id,
            task.prompt,
            task.model,
            task.maxTurns,
            task.allowedTools,
            task.permissionMode,
            task.pullRequest(),
            task.maxCostUsd,
            now),
        session.id.toString(),
        session.ownerId);
  }
}
