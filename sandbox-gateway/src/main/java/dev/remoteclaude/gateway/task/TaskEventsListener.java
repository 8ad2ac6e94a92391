package dev.remoteclaude.gateway.task;

import dev.remoteclaude.common.events.PoisonMessageException;
import dev.remoteclaude.common.events.TaskCancelRequested;
import dev.remoteclaude.common.events.TaskCancelled;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskQueued;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.log.SessionLog;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Dispatched tasks to run, cancellations, and queue changes for the session's stream. */
@ApplicationScoped
public class TaskEventsListener {

  private final Inbox inbox;
  private final TaskRunner runner;
  private final EventHandlers handlers;

  public TaskEventsListener(Inbox inbox, TaskRunner runner, SessionLog sessionLog) {
    this.inbox = inbox;
    this.runner = runner;
    this.handlers =
        EventHandlers.create()
            .on(TaskDispatched.class, runner::dispatched)
            .on(TaskCancelRequested.class, runner::cancelRequested)
            .on(
                TaskQueued.class,
                (e, queued) -> {
                  Map<String, Object> data = new LinkedHashMap<>();
                  data.put("position", queued.position());
                  data.put("prompt", queued.promptPreview());
                  return sessionLog
                      .append(
                          UUID.fromString(e.subject()), LogTypes.TASK_QUEUED, queued.taskId(), data)
                      .replaceWithVoid();
                })
            .on(
                TaskCancelled.class,
                (e, cancelled) ->
                    sessionLog
                        .append(
                            UUID.fromString(e.subject()),
                            LogTypes.TASK_CANCELLED,
                            cancelled.taskId(),
                            Map.of("reason", cancelled.reason() == null ? "" : cancelled.reason()))
                        .replaceWithVoid());
  }

  @Incoming("task-events")
  @Retry(maxRetries = 3, delay = 200, jitter = 100, abortOn = PoisonMessageException.class)
  public Uni<Void> onTaskEvent(String raw) {
    return inbox.consume(raw, handlers).invoke(runner::kick);
  }
}
