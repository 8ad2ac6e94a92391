package dev.remoteclaude.common.inbox;

import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventEnvelope;
import io.smallrye.mutiny.Uni;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/** Which payload types a consumer handles, and how. Types not listed are skipped. */
public final class EventHandlers {

  /** Handles one event; runs inside the transaction that records it in the inbox. */
  @FunctionalInterface
  public interface Handler<E extends Event> extends BiFunction<EventEnvelope, E, Uni<Void>> {}

  private final Map<Class<?>, Handler<Event>> handlers = new HashMap<>();

  public static EventHandlers create() {
    return new EventHandlers();
  }

  @SuppressWarnings("unchecked")
  public <E extends Event> EventHandlers on(Class<E> type, Handler<E> handler) {
    handlers.put(type, (Handler<Event>) handler);
    return this;
  }

  Optional<Handler<Event>> forPayload(Event payload) {
    return Optional.ofNullable(handlers.get(payload.getClass()));
  }
}
