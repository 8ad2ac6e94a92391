package dev.remoteclaude.common.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The W3C trace context an event carries from its producer to its consumers ({@code
 * EventEnvelope#traceparent}): written by the outbox when an event is emitted, read back by the
 * relay (its Kafka send joins the trace) and by the inbox (the consumer's work continues it).
 */
public final class Traces {

  private static final String TRACEPARENT = "traceparent";

  private static final TextMapGetter<String> ONE_HEADER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
          return List.of(TRACEPARENT);
        }

        @Override
        public String get(String carrier, String key) {
          return TRACEPARENT.equals(key) ? carrier : null;
        }
      };

  private Traces() {}

  /** The current span's context as a {@code traceparent} value, or null outside a trace. */
  public static String currentTraceparent() {
    if (!Span.current().getSpanContext().isValid()) {
      return null;
    }
    Map<String, String> carrier = new HashMap<>();
    W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
    return carrier.get(TRACEPARENT);
  }

  /**
   * The context a {@code traceparent} value describes (a remote parent), or the root context when
   * the value is absent or malformed: a consumer then starts a trace of its own.
   */
  public static Context parent(String traceparent) {
    if (traceparent == null || traceparent.isBlank()) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, ONE_HEADER);
  }
}
