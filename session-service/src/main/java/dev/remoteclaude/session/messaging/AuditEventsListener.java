package dev.remoteclaude.session.messaging;

import dev.remoteclaude.common.events.AuditRecorded;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.session.service.AuditTrail;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Every service's audit records (subject = the user id) feed the users' audit trail. */
@ApplicationScoped
public class AuditEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public AuditEventsListener(Inbox inbox, AuditTrail trail) {
    this.inbox = inbox;
    this.handlers = EventHandlers.create().on(AuditRecorded.class, trail::record);
  }

  @Incoming("audit-events")
  public Uni<Void> onAuditEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
