package dev.remoteclaude.gateway.task;

import dev.remoteclaude.common.events.TaskCancelRequested;
import dev.remoteclaude.common.events.TaskCancelled;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskQueued;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.gateway.announce.Announcer;
import dev.remoteclaude.gateway.announce.Announcer.Entry;
import dev.remoteclaude.gateway.log.LogTypes;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Dispatched tasks to run, cancellations, and queue changes for the session's stream. */
@ApplicationScoped
public class TaskEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public TaskEventsListener(Inbox inbox, TaskRunner runner, Announcer announcer) {
    this.inbox = inbox;
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
                  return announcer.log(
                      e.sessionId(), Entry.ofTask(LogTypes.TASK_QUEUED, queued.taskId(), data));
                })
            .on(
                TaskCancelled.class,
                (e, cancelled) ->
                    announcer.log(
                        e.sessionId(),
                        Entry.ofTask(
                            LogTypes.TASK_CANCELLED,
                            cancelled.taskId(),
                            Map.of(
                                "reason", cancelled.reason() == null ? "" : cancelled.reason()))));
  }

  @Incoming("task-events")
  public Uni<Void> onTaskEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
