package dev.remoteclaude.session.messaging;

import dev.remoteclaude.common.events.RepositoryRegistered;
import dev.remoteclaude.common.events.RepositoryRemoved;
import dev.remoteclaude.common.events.RepositoryUpdated;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.session.service.RegisteredRepositories;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** repository-service's events (userId = the owner) feed the registered-repositories read-model. */
@ApplicationScoped
public class RepositoryEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public RepositoryEventsListener(Inbox inbox, RegisteredRepositories repositories) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create()
            .on(
                RepositoryRegistered.class,
                (envelope, event) ->
                    repositories.registered(envelope.userId(), event, envelope.occurredAt()))
            .on(
                RepositoryUpdated.class,
                (envelope, event) ->
                    repositories.updated(envelope.userId(), event, envelope.occurredAt()))
            .on(
                RepositoryRemoved.class,
                (envelope, event) -> repositories.removed(envelope.userId(), event));
  }

  @Incoming("repository-events")
  public Uni<Void> onRepositoryEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
