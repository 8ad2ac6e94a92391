package dev.remoteclaude.task.messaging;

import dev.remoteclaude.common.events.PoisonMessageException;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.task.service.SessionTracker;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Session state changes: the sessions' read-model, and when their queues run, hold or end. */
@ApplicationScoped
public class SessionEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public SessionEventsListener(Inbox inbox, SessionTracker tracker) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create()
            .on(
                SessionStateChanged.class,
                (envelope, change) -> {
                  if (change.to() == null || change.to().isBlank()) {
                    throw new PoisonMessageException(
                        "session state change " + envelope.id() + " names no state");
                  }
                  return tracker.onStateChanged(
                      envelope.sessionId(), Envelopes.userId(envelope), change);
                });
  }

  @Incoming("session-events")
  public Uni<Void> onSessionEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
