package dev.remoteclaude.task.messaging;

import dev.remoteclaude.common.events.PullRequestFailed;
import dev.remoteclaude.common.events.PullRequestOpened;
import dev.remoteclaude.common.events.PullRequestUpdated;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import dev.remoteclaude.task.service.TaskPullRequestService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** repository-service's pull request events: a task's pull request link, state or failure. */
@ApplicationScoped
public class RepositoryEventsListener {

  private final Inbox inbox;
  private final EventHandlers handlers;

  public RepositoryEventsListener(Inbox inbox, TaskPullRequestService pullRequests) {
    this.inbox = inbox;
    this.handlers =
        EventHandlers.create()
            .on(
                PullRequestOpened.class,
                (envelope, opened) -> pullRequests.opened(envelope.sessionId(), opened))
            .on(
                PullRequestUpdated.class,
                (envelope, updated) -> pullRequests.updated(envelope.sessionId(), updated))
            .on(
                PullRequestFailed.class,
                (envelope, failed) -> pullRequests.failed(envelope.sessionId(), failed));
  }

  @Incoming("repository-events")
  public Uni<Void> onRepositoryEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
