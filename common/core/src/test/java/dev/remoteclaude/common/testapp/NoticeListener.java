package dev.remoteclaude.common.testapp;

import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.inbox.EventHandlers;
import dev.remoteclaude.common.inbox.Inbox;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Records every SessionNotice it receives, once. A notice starting {@code fail-always} always
 * fails; one starting {@code fail-once} fails on its first try only; one starting {@code
 * fail-until-mended} fails until a test {@link #mend}s its message (a cause that went away).
 */
@ApplicationScoped
public class NoticeListener {

  private final Set<UUID> failedOnce = ConcurrentHashMap.newKeySet();
  private final Set<String> mended = ConcurrentHashMap.newKeySet();
  private final Inbox inbox;
  private final EventHandlers handlers =
      EventHandlers.create()
          .on(
              SessionNotice.class,
              (envelope, notice) -> {
                if (notice.message().startsWith("fail-always")
                    || (notice.message().startsWith("fail-once") && failedOnce.add(envelope.id()))
                    || (notice.message().startsWith("fail-until-mended")
                        && !mended.contains(notice.message()))) {
                  return Uni.createFrom().failure(new IllegalStateException("handler failure"));
                }
                Log.infof("notice %s received", envelope.id());
                ReceivedNotice received = new ReceivedNotice();
                received.eventId = envelope.id();
                received.subject = envelope.subject();
                received.message = notice.message();
                return received.persist().replaceWithVoid();
              });

  public NoticeListener(Inbox inbox) {
    this.inbox = inbox;
  }

  /** From now on, a notice with this message is handled. */
  public void mend(String message) {
    mended.add(message);
  }

  @Incoming("session-events")
  public Uni<Void> onSessionEvent(String raw) {
    return inbox.receive(raw, handlers);
  }
}
