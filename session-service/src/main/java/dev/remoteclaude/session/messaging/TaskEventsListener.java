package dev.remoteclaude.session.messaging;

import dev.remoteclaude.common.events.TaskCancelled;
import dev.remoteclaude.common.events.TaskQueued;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.session.service.SessionLifecycle;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * task-service's queue: a queued task keeps its session from idling (and resumes a paused one); a
 * cancelled one no longer does.
 */
@ApplicationScoped
public class TaskEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public TaskEventsListener(Inbox inbox, SessionLifecycle lifecycle) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create()
            .on(
                TaskQueued.class,
                (envelope, event) -> lifecycle.taskQueued(envelope.sessionId(), event.taskId()))
            .on(
                TaskCancelled.class,
                (envelope, event) -> lifecycle.taskEnded(envelope.sessionId(), event.taskId()));
  }

  @Incoming("task-events")
  public Uni<Void> onTaskEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
