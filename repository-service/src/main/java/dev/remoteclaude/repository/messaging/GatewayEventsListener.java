package dev.remoteclaude.repository.messaging;

import dev.remoteclaude.common.events.GitPushed;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.repository.service.PullRequestService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * The gateway's events: a branch pushed from a session ({@code git.pushed}), which opens or updates
 * the pull request a task asked for.
 */
@ApplicationScoped
public class GatewayEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public GatewayEventsListener(Inbox inbox, PullRequestService pullRequests) {
    this.inbox = inbox;
    this.handlers = EventHandlers.create().on(GitPushed.class, pullRequests::pushed);
  }

  @Incoming("gateway-events")
  public Uni<Void> onGatewayEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
