package dev.remoteclaude.repository.messaging;

import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.repository.service.PullRequestService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** session-service's events: which sessions exist, whose they are and on which repository. */
@ApplicationScoped
public class SessionEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public SessionEventsListener(Inbox inbox, PullRequestService pullRequests) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create().on(SessionRequested.class, pullRequests::sessionRequested);
  }

  @Incoming("session-events")
  public Uni<Void> onSessionEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
