package dev.remoteclaude.gateway.model;

import dev.remoteclaude.common.events.AnthropicKeyChanged;
import dev.remoteclaude.common.events.BudgetChanged;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * billing's budget-changed events (subject = the user id): the caps and compute spend the model
 * proxy enforces; and its anthropic-key-changed events: the user's own key (sealed), which the
 * proxy sends their requests with. Each event is applied once (inbox), and an older one than the
 * kept never replaces it.
 */
@ApplicationScoped
public class BudgetEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public BudgetEventsListener(Inbox inbox, BudgetRepository budgets, UserKeyRepository keys) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create()
            .on(BudgetChanged.class, (envelope, event) -> budgets.apply(envelope.subject(), event))
            .on(
                AnthropicKeyChanged.class,
                (envelope, event) -> keys.apply(envelope.subject(), event));
  }

  @Incoming("billing-events")
  public Uni<Void> onBillingEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
