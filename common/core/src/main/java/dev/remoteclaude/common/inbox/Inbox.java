package dev.remoteclaude.common.inbox;

import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.PoisonMessageException;
import dev.remoteclaude.common.observability.Traces;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Applies each event at most once. The handler's effect and the record of the event id commit in
 * one transaction, so a redelivered event (a relay retry, a consumer rebalance) changes nothing.
 *
 * <p>An inbox consumer is one {@code @Incoming} method that hands the raw record to {@link
 * #receive}:
 *
 * <pre>{@code
 * @Incoming("gateway-events")
 * public Uni<Void> onGatewayEvent(String raw) {
 *   return inbox.receive(raw, handlers);
 * }
 * }</pre>
 *
 * The retry policy lives here ({@link #RETRY}); where a record goes once it is used up is the
 * channel's configuration: {@code failure-strategy=dead-letter-queue} and {@code
 * dead-letter-queue.topic=rc.dlq.<service>} for each incoming channel in the service's
 * application.properties.
 */
@ApplicationScoped
public class Inbox {

  /**
   * The one retry policy of every inbox consumer: a failing record is tried again three times, 200
   * ms (± 100 ms) apart; a poison message is not retried at all. Then the record is nacked and the
   * channel's failure strategy takes it (the dead-letter topic), so it does not block its
   * partition.
   */
  private static final TypedGuard<Uni<Void>> RETRY =
      TypedGuard.create(new TypeLiteral<Uni<Void>>() {})
          .withDescription("inbox consumer")
          .withRetry()
          .maxRetries(3)
          .delay(200, ChronoUnit.MILLIS)
          .jitter(100, ChronoUnit.MILLIS)
          .abortOn(PoisonMessageException.class)
          .done()
          .build();

  private final MeterRegistry registry;
  private final Tracer tracer;

  public Inbox(MeterRegistry registry, Tracer tracer) {
    this.registry = registry;
    this.tracer = tracer;
  }

  /**
   * Receives a raw record of an {@code @Incoming} channel: {@link #consume} it, retried by the
   * platform's one policy. The returned failure (poison, or retries used up) is the channel's to
   * dead-letter; each one counts in {@code rc_inbox_dead_letters_total}.
   */
  public Uni<Void> receive(String raw, EventHandlers handlers) {
    return RETRY
        .get(() -> consume(raw, handlers))
        .onFailure()
        .invoke(
            failure ->
                Counter.builder("rc.inbox.dead.letters")
                    .description(
                        "Records this service's consumers gave up on (poison, or retries used up),"
                            + " sent to its dead-letter topic")
                    .tag("reason", failure instanceof PoisonMessageException ? "poison" : "failed")
                    .register(registry)
                    .increment());
  }

  private static final String RECORD =
      "INSERT INTO inbox_event (event_id, event_type, source) VALUES (?1, ?2, ?3)"
          + " ON CONFLICT (event_id) DO NOTHING";

  /**
   * Decodes a raw record and runs its handler once, without retries (an {@code @Incoming} method
   * calls {@link #receive} instead). A record that is not a valid envelope fails with {@link
   * dev.remoteclaude.common.events.PoisonMessageException}; a type without a handler (or unknown to
   * this code) is skipped.
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

  /**
   * Handles the event in a span that continues the trace of the request that emitted it (the
   * envelope's {@code traceparent}); the span is current while the handler runs, so what the
   * handler emits in turn carries the same trace on.
   */
  private Uni<Void> once(
      EventEnvelope envelope, Event payload, EventHandlers.Handler<Event> handler) {
    return Uni.createFrom()
        .deferred(
            () -> {
              Span span =
                  tracer
                      .spanBuilder(envelope.type() + " process")
                      .setParent(Traces.parent(envelope.traceparent()))
                      .setSpanKind(SpanKind.CONSUMER)
                      .setAttribute("messaging.system", "kafka")
                      .setAttribute("messaging.operation.type", "process")
                      .setAttribute("rc.event.type", envelope.type())
                      .setAttribute("rc.event.source", String.valueOf(envelope.source()))
                      .startSpan();
              Scope scope = span.makeCurrent();
              return handleOnce(envelope, payload, handler)
                  .onFailure()
                  .invoke(failure -> span.setStatus(StatusCode.ERROR, failure.getMessage()))
                  .onTermination()
                  .invoke(
                      () -> {
                        scope.close();
                        span.end();
                      });
            });
  }

  private Uni<Void> handleOnce(
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
                        Counter.builder("rc.inbox.duplicates")
                            .description(
                                "Events received again after they were handled (redeliveries),"
                                    + " skipped by the inbox")
                            .tag("type", envelope.type())
                            .register(registry)
                            .increment();
                        return Uni.createFrom().voidItem();
                      }
                      return handler.apply(envelope, payload);
                    }));
  }
}
