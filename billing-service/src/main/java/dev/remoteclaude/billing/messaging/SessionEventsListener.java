package dev.remoteclaude.billing.messaging;

import dev.remoteclaude.billing.service.MeterService;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Meters sessions from their state changes (once per event, in order per session). */
@ApplicationScoped
public class SessionEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public SessionEventsListener(Inbox inbox, MeterService meter) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create()
            .on(
                SessionStateChanged.class,
                (envelope, change) ->
                    meter.record(envelope.id(), envelope.sessionId(), Owners.of(envelope), change));
  }

  @Incoming("session-events")
  public Uni<Void> onSessionEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
