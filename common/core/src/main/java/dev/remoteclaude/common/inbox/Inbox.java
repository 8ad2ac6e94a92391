package dev.remoteclaude.common.inbox;

import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Applies each event at most once. The handler's effect and the record of the event id commit in
 * one transaction, so a redelivered event (a relay retry, a consumer rebalance) changes nothing.
 */
@ApplicationScoped
public class Inbox {

  private static final String RECORD =
      "INSERT INTO inbox_event (event_id, event_type, source) VALUES (?1, ?2, ?3)"
          + " ON CONFLICT (event_id) DO NOTHING";

  /**
   * Decodes a raw record and runs its handler once. A record that is not a valid envelope fails
   * with {@link dev.remoteclaude.common.events.PoisonMessageException}; a type without a handler
   * (or unknown to this code) is skipped.
   */
  public Uni<Void> consume(String raw, EventHandlers handlers) {
    return Uni.createFrom()
        .deferred(
            () -> {
              EventEnvelope envelope = EventCodec.read(raw);
              Optional<Event> payload = EventCodec.payload(envelope);
              if (payload.isEmpty()) {
                Log.debugf("skipping event of unknown type %s", envelope.type());
                return Uni.createFrom().voidItem();
              }
              return handlers
                  .forPayload(payload.get())
                  .map(handler -> once(envelope, payload.get(), handler))
                  .orElseGet(() -> Uni.createFrom().voidItem());
            });
  }

  private Uni<Void> once(
      EventEnvelope envelope, Event payload, EventHandlers.Handler<Event> handler) {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    session ->
                        session
                            .createNativeQuery(RECORD)
                            .setParameter(1, envelope.id())
                            .setParameter(2, envelope.type())
                            .setParameter(3, envelope.source())
                            .executeUpdate())
                .chain(
                    inserted -> {
                      if (inserted == 0) {
                        Log.debugf("event %s already handled", envelope.id());
                        return Uni.createFrom().voidItem();
                      }
                      return handler.apply(envelope, payload);
                    }));
  }
}
