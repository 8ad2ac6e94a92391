package dev.remoteclaude.session.messaging;

import dev.remoteclaude.common.events.BudgetChanged;
import dev.remoteclaude.common.events.QuotaChanged;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.session.service.BudgetPauses;
import dev.remoteclaude.session.service.QuotaService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Billing's quota changes (subject = the user id) feed the quota read-model; its budget changes
 * release sessions paused by a cap that was raised.
 */
@ApplicationScoped
public class BillingEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public BillingEventsListener(Inbox inbox, QuotaService quota, BudgetPauses budgets) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create()
            .on(
                QuotaChanged.class,
                (envelope, event) -> quota.apply(envelope.subject(), event, envelope.occurredAt()))
            .on(
                BudgetChanged.class,
                (envelope, event) -> budgets.changed(envelope.subject(), event));
  }

  @Incoming("billing-events")
  public Uni<Void> onBillingEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
