package dev.remoteclaude.task.repository;

import dev.remoteclaude.api.TaskState;
import dev.remoteclaude.task.Task;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class TaskRepository implements PanacheRepositoryBase<Task, UUID> {

  /** The task if it exists and belongs to the user, else null (the two look alike). */
  public Uni<Task> findOwned(UUID id, String ownerId) {
    return find("id = ?1 and ownerId = ?2", id, ownerId).firstResult();
  }

  /**
   * The session of a user's task, without loading the task (so that it is read fresh once the
   * session is locked); null if there is no such task of this user.
   */
  public Uni<UUID> sessionOf(UUID taskId, String ownerId) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createSelectionQuery(
                        "select t.sessionId from Task t where t.id = :id and t.ownerId = :owner",
                        UUID.class)
                    .setParameter("id", taskId)
                    .setParameter("owner", ownerId)
                    .getSingleResultOrNull());
  }

  public Uni<Long> countQueued(UUID sessionId) {
    return count("sessionId = ?1 and state = ?2", sessionId, TaskState.QUEUED);
  }

  /** Tasks queued before this one (by submission order). */
  public Uni<Long> countQueuedBefore(Task task) {
    return count(
        "sessionId = ?1 and state = ?2 and seq < ?3", task.sessionId, TaskState.QUEUED, task.seq);
  }

  /** The session's dispatched or running task, if any. */
  public Uni<Task> findActive(UUID sessionId) {
    return find("sessionId = ?1 and state in ?2", sessionId, TaskState.ACTIVE).firstResult();
  }

  /** The session's oldest queued task: the next to run. */
  public Uni<Task> findNextQueued(UUID sessionId) {
    return find("sessionId = ?1 and state = ?2", Sort.by("seq"), sessionId, TaskState.QUEUED)
        .firstResult();
  }

  /** The session's queue, in submission order. */
  public Uni<List<Task>> listQueued(UUID sessionId) {
    return list("sessionId = ?1 and state = ?2", Sort.by("seq"), sessionId, TaskState.QUEUED);
  }

  /** One page of the session's tasks, newest first. */
  public Uni<List<Task>> history(UUID sessionId, int page, int size) {
    return find("sessionId = ?1", Sort.descending("seq"), sessionId)
        .page(Page.of(page, size))
        .list();
  }
}
