package dev.remoteclaude.task.service;

import dev.remoteclaude.common.events.PullRequestFailed;
import dev.remoteclaude.common.events.PullRequestOpened;
import dev.remoteclaude.common.events.PullRequestUpdated;
import dev.remoteclaude.task.Task;
import dev.remoteclaude.task.repository.TaskRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The pull request a task asked for, from repository-service's events: its link and state on the
 * task, or why it could not be opened. Events of another session's task change nothing. Runs inside
 * the inbox's transaction.
 */
@ApplicationScoped
public class TaskPullRequestService {

  private final TaskRepository tasks;

  public TaskPullRequestService(TaskRepository tasks) {
    this.tasks = tasks;
  }

  public Uni<Void> opened(UUID sessionId, PullRequestOpened opened) {
    return withTask(
        sessionId,
        opened.taskId(),
        task -> task.pullRequest(opened.url(), opened.number(), opened.draft() ? "DRAFT" : "OPEN"));
  }

  public Uni<Void> updated(UUID sessionId, PullRequestUpdated updated) {
    return withTask(
        sessionId,
        updated.taskId(),
        task -> task.pullRequest(updated.url(), updated.number(), updated.state()));
  }

  public Uni<Void> failed(UUID sessionId, PullRequestFailed failed) {
    return withTask(
        sessionId, failed.taskId(), task -> task.pullRequestFailed(failed.code(), failed.reason()));
  }

  private Uni<Void> withTask(UUID sessionId, UUID taskId, Consumer<Task> change) {
    if (taskId == null) {
      return Uni.createFrom().voidItem();
    }
    return tasks
        .findById(taskId)
        .invoke(
            task -> {
              if (task != null && task.sessionId.equals(sessionId)) {
                change.accept(task);
              }
            })
        .replaceWithVoid();
  }
}
