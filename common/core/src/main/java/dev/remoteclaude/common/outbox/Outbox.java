package dev.remoteclaude.common.outbox;

import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.EventType;
import dev.remoteclaude.common.observability.Traces;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Writes events into the outbox table, inside the caller's transaction: the event exists if and
 * only if the state change it describes was committed. {@link OutboxRelay} publishes it.
 */
@ApplicationScoped
public class Outbox {

  private static final String INSERT =
      "INSERT INTO outbox_event (event_id, topic, message_key, event_type, payload, created_at)"
          + " VALUES ($1, $2, $3, $4, $5, $6)";

  private final String source;
  private final Pool pool;

  public Outbox(@ConfigProperty(name = "quarkus.application.name") String source, Pool pool) {
    this.source = source;
    this.pool = pool;
  }

  /**
   * Adds an event keyed by {@code subject} (the session id, or the user id for user events). Must
   * run inside a {@code @WithTransaction} (or {@code Panache.withTransaction}) chain. The envelope
   * carries the current trace context, so the event's consumers continue the trace.
   */
  public Uni<EventEnvelope> emit(Event payload, String subject, String userId) {
    EventEnvelope envelope =
        EventCodec.envelope(payload, source, subject, userId)
            .withTraceparent(Traces.currentTraceparent());
    OutboxEvent row = new OutboxEvent();
    row.eventId = envelope.id();
    row.topic = EventType.of(payload).topic();
    row.messageKey = subject;
    row.eventType = envelope.type();
    row.payload = EventCodec.write(envelope);
    row.createdAt = envelope.occurredAt();
    return Panache.currentTransaction()
        .onItem()
        .ifNull()
        .failWith(
            () ->
                new IllegalStateException("outbox write outside a transaction: " + envelope.type()))
        .chain(tx -> row.persist())
        .replaceWith(envelope);
  }

  /**
   * Adds an event in a statement of its own, outside any transaction: for a record of something
   * that already happened (committed or refused), such as the audit trail's, written from any
   * thread.
   */
  public Uni<EventEnvelope> emitOnItsOwn(Event payload, String subject, String userId) {
    EventEnvelope envelope =
        EventCodec.envelope(payload, source, subject, userId)
            .withTraceparent(Traces.currentTraceparent());
    Tuple row =
        Tuple.tuple()
            .addUUID(envelope.id())
            .addString(EventType.of(payload).topic())
            .addString(subject)
            .addString(envelope.type())
            .addString(EventCodec.write(envelope))
            .addOffsetDateTime(envelope.occurredAt().atOffset(ZoneOffset.UTC));
    return pool.preparedQuery(INSERT).execute(row).replaceWith(envelope);
  }
}
