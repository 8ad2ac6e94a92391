package dev.remoteclaude.billing.messaging;

import dev.remoteclaude.billing.service.MeterService;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Charges model tokens from the gateway's model proxy, and learns which provider runs each
 * session's sandbox (once per event).
 */
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
                        envelope.id(), Owners.of(envelope), envelope.sessionId(), usage))
            .on(
                SandboxProvisioned.class,
                (envelope, provisioned) ->
                    meter.recordProvisioned(envelope.sessionId(), provisioned));
  }

  @Incoming("gateway-events")
  public Uni<Void> onGatewayEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
