package dev.remoteclaude.billing.messaging;

import dev.remoteclaude.billing.service.MeterService;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Meters model tokens from the gateway's model proxy (once per event). */
@ApplicationScoped
public class GatewayEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public GatewayEventsListener(Inbox inbox, MeterService meter) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create()
            .on(
                ModelUsage.class,
                (envelope, usage) ->
                    meter.recordModelUsage(
                        envelope.id(), envelope.userId(), envelope.sessionId(), usage));
  }

  @Incoming("gateway-events")
  public Uni<Void> onGatewayEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
