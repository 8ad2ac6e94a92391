package dev.remoteclaude.common.testapp;

import dev.remoteclaude.common.events.PoisonMessageException;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Records every SessionNotice it receives, once. */
@ApplicationScoped
public class NoticeListener {

  private final Inbox inbox;
  private final EventHandlers handlers =
      EventHandlers.create()
          .on(
              SessionNotice.class,
              (envelope, notice) -> {
                if (notice.message().startsWith("fail-always")) {
                  return Uni.createFrom().failure(new IllegalStateException("handler failure"));
                }
                ReceivedNotice received = new ReceivedNotice();
                received.eventId = envelope.id();
                received.subject = envelope.subject();
                received.message = notice.message();
                return received.persist().replaceWithVoid();
              });

  public NoticeListener(Inbox inbox) {
    this.inbox = inbox;
  }

  @Incoming("session-events")
  @Retry(maxRetries = 2, delay = 50, abortOn = PoisonMessageException.class)
  public Uni<Void> onSessionEvent(String raw) {
    return inbox.consume(raw, handlers);
  }
}
