package dev.remoteclaude.task.messaging;

import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.TaskProgress;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.task.service.TaskRunService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** The gateway's reports on the runs of dispatched tasks; its sandbox events are not ours. */
@ApplicationScoped
public class GatewayEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public GatewayEventsListener(Inbox inbox, TaskRunService runs) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create()
            .on(
                TaskStarted.class,
                (envelope, started) -> {
                  Envelopes.taskId(envelope, started.taskId());
                  return runs.started(envelope.sessionId(), started);
                })
            .on(
                TaskProgress.class,
                (envelope, progress) -> {
                  Envelopes.taskId(envelope, progress.taskId());
                  return runs.progressed(envelope.sessionId(), progress);
                })
            .on(
                TaskCompleted.class,
                (envelope, completed) -> {
                  Envelopes.taskId(envelope, completed.taskId());
                  return runs.completed(envelope.sessionId(), completed);
                })
            .on(
                TaskFailed.class,
                (envelope, failed) -> {
                  Envelopes.taskId(envelope, failed.taskId());
                  return runs.failed(envelope.sessionId(), failed);
                });
  }

  @Incoming("gateway-events")
  public Uni<Void> onGatewayEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
