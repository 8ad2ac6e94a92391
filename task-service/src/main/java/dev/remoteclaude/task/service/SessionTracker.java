package dev.remoteclaude.task.service;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.api.TaskState;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.TaskCancelled;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.task.KnownSession;
import dev.remoteclaude.task.Task;
import dev.remoteclaude.task.repository.KnownSessionRepository;
import dev.remoteclaude.task.repository.TaskRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * Keeps the sessions' read-model from session-service's state changes and moves their queues: READY
 * dispatches the next task, an ended session (terminating, terminated, failed) cancels its queue
 * and interrupts its running task, every other state holds the queue.
 */
@ApplicationScoped
public class SessionTracker {

  static final String TERMINATED_REASON = "session terminated";
  static final String FAILED_REASON = "session failed";

  private final KnownSessionRepository sessions;
  private final TaskRepository tasks;
  private final TaskQueue queue;
  private final Outbox outbox;

  public SessionTracker(
      KnownSessionRepository sessions, TaskRepository tasks, TaskQueue queue, Outbox outbox) {
    this.sessions = sessions;
    this.tasks = tasks;
    this.queue = queue;
    this.outbox = outbox;
  }

  /**
   * Applies one state change (joins the inbox's transaction). A session first heard of is recorded
   * with the event's user as its owner; later events never change the owner.
   */
  @WithTransaction
  public Uni<Void> onStateChanged(UUID sessionId, String ownerId, SessionStateChanged change) {
    Instant at = change.at() == null ? Instant.now() : change.at();
    return queue
        .lock(sessionId)
        .chain(
            known -> {
              KnownSession session = known != null ? known : KnownSession.of(sessionId, ownerId);
              session.state = change.to();
              session.reason = change.reason();
              session.changedAt = at;
              return known != null ? Uni.createFrom().item(session) : sessions.persist(session);
            })
        .chain(
            session -> {
              if (session.canRunTasks()) {
                return queue.dispatchNext(session).replaceWithVoid();
              }
              if (session.hasEnded()) {
                return endQueue(session, endReason(change), at);
              }
              return Uni.createFrom().voidItem();
            });
  }

  /** Queued tasks end CANCELLED with the reason, the dispatched or running one INTERRUPTED. */
  private Uni<Void> endQueue(KnownSession session, String reason, Instant at) {
    return tasks
        .listQueued(session.id)
        .onItem()
        .transformToMulti(list -> Multi.createFrom().iterable(list))
        .onItem()
        .transformToUniAndConcatenate(task -> cancelQueued(session, task, reason, at))
        .collect()
        .last()
        .chain(() -> tasks.findActive(session.id))
        .onItem()
        .ifNotNull()
        .invoke(
            task -> {
              Log.infof("task %s interrupted: %s", task.id, reason);
              task.end(TaskState.INTERRUPTED, null, reason, null, null, at);
            })
        .replaceWithVoid();
  }

  private Uni<?> cancelQueued(KnownSession session, Task task, String reason, Instant at) {
    task.end(TaskState.CANCELLED, null, reason, null, null, at);
    return outbox.emit(
        new TaskCancelled(task.id, reason, at), session.id.toString(), session.ownerId);
  }

  private static String endReason(SessionStateChanged change) {
    if (SessionState.FAILED.name().equals(change.to())) {
      return change.reason() == null || change.reason().isBlank() ? FAILED_REASON : change.reason();
    }
    return TERMINATED_REASON;
  }
}
