package dev.remoteclaude.gateway.announce;

import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.gateway.log.SessionLog;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Makes a state change known, inside the transaction that makes it: the event for the other
 * services (through the outbox) and the entry on the session's stream (the session log) commit
 * together with the change, or not at all.
 */
@ApplicationScoped
public class Announcer {

  /** What the session's stream shows of a change. */
  public record Entry(String type, UUID taskId, Object data) {

    public static Entry of(String type, Object data) {
      return new Entry(type, null, data);
    }

    public static Entry ofTask(String type, UUID taskId, Object data) {
      return new Entry(type, taskId, data);
    }
  }

  private final Outbox outbox;
  private final SessionLog sessionLog;

  public Announcer(Outbox outbox, SessionLog sessionLog) {
    this.outbox = outbox;
    this.sessionLog = sessionLog;
  }

  /** The event for the other services and the stream's entry; inside a transaction. */
  public Uni<Void> announce(UUID sessionId, String ownerId, Event event, Entry entry) {
    return emit(sessionId, ownerId, event).chain(() -> log(sessionId, entry));
  }

  /** Only the event (an answer that changes nothing on the stream); inside a transaction. */
  public Uni<Void> emit(UUID sessionId, String ownerId, Event event) {
    return outbox.emit(event, sessionId.toString(), ownerId).replaceWithVoid();
  }

  /** Only the stream's entry (news from other services); inside a transaction. */
  public Uni<Void> log(UUID sessionId, Entry entry) {
    return sessionLog
        .append(sessionId, entry.type(), entry.taskId(), entry.data())
        .replaceWithVoid();
  }
}
