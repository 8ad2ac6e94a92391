package dev.remoteclaude.session.messaging;

import dev.remoteclaude.common.events.BudgetExceeded;
import dev.remoteclaude.common.events.SandboxActivity;
import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SandboxLost;
import dev.remoteclaude.common.events.SandboxPaused;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SandboxResumed;
import dev.remoteclaude.common.events.SandboxSnapshotted;
import dev.remoteclaude.common.events.SandboxTerminated;
import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.session.service.BudgetPauses;
import dev.remoteclaude.session.service.SessionLifecycle;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The sandbox-gateway's reports: sandbox lifecycle results, activity and task runs. Each event is
 * applied once (inbox); failures are retried (Inbox's policy), then dead-lettered to {@code
 * rc.dlq.session-service}.
 */
@ApplicationScoped
public class GatewayEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public GatewayEventsListener(Inbox inbox, SessionLifecycle lifecycle, BudgetPauses budgets) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create()
            .on(
                SandboxProvisioned.class,
                (envelope, event) -> lifecycle.provisioned(envelope.sessionId(), event))
            .on(
                SandboxFailed.class,
                (envelope, event) -> lifecycle.failed(envelope.sessionId(), event))
            .on(SandboxPaused.class, (envelope, event) -> lifecycle.paused(envelope.sessionId()))
            .on(SandboxResumed.class, (envelope, event) -> lifecycle.resumed(envelope.sessionId()))
            .on(
                SandboxTerminated.class,
                (envelope, event) -> lifecycle.terminated(envelope.sessionId()))
            .on(SandboxLost.class, (envelope, event) -> lifecycle.lost(envelope.sessionId(), event))
            .on(
                SandboxSnapshotted.class,
                (envelope, event) -> lifecycle.snapshotted(envelope.sessionId(), event))
            .on(
                SandboxActivity.class,
                (envelope, event) -> lifecycle.activity(envelope.sessionId(), event))
            .on(
                TaskStarted.class,
                (envelope, event) -> lifecycle.taskStarted(envelope.sessionId(), event.taskId()))
            .on(
                TaskCompleted.class,
                (envelope, event) -> lifecycle.taskEnded(envelope.sessionId(), event.taskId()))
            .on(
                TaskFailed.class,
                (envelope, event) -> lifecycle.taskEnded(envelope.sessionId(), event.taskId()))
            .on(
                BudgetExceeded.class,
                (envelope, event) -> budgets.exceeded(envelope.sessionId(), event));
  }

  @Incoming("gateway-events")
  public Uni<Void> onGatewayEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
