package dev.remoteclaude.gateway.task;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class TaskRunRepository implements PanacheRepositoryBase<TaskRun, UUID> {

  /** The run, locked for the rest of the transaction. */
  public Uni<TaskRun> lock(UUID taskId) {
    return findById(taskId, LockModeType.PESSIMISTIC_WRITE);
  }

  /** Runs of a session that have not finished. */
  public Uni<List<TaskRun>> activeOf(UUID sessionId) {
    return list("sessionId = ?1 and state <> ?2", sessionId, TaskRunState.FINISHED);
  }
}
