package dev.remoteclaude.cli.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.api.Api;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A session's log over REST ({@code GET /api/v1/sessions/{id}/events?after=&limit=}). */
public final class EventLog {

  /** The largest page the gateway serves. */
  public static final int MAX_PAGE = 1000;

  private final Api api;

  public EventLog(Api api) {
    this.api = api;
  }

  /** The events after {@code after}, at most {@code limit}, in order. */
  public List<StreamEvent> page(UUID sessionId, long after, int limit) {
    JsonNode body =
        api.get("/api/v1/sessions/" + sessionId + "/events?after=" + after + "&limit=" + limit);
    List<StreamEvent> events = new ArrayList<>();
    for (JsonNode node : body.path("events")) {
      StreamEvent event = StreamEvent.of(node);
      if (event != null) {
        events.add(event);
      }
    }
    return events;
  }

  /**
   * The seq of the newest event (0 for an empty log), found with a few one-event probes: doubling
   * the cursor until nothing follows it, then bisecting. Used to follow only what happens after an
   * action (a task submitted now) without replaying the whole history.
   */
  public long head(UUID sessionId) {
    List<StreamEvent> first = page(sessionId, 0, 1);
    if (first.isEmpty()) {
      return 0;
    }
    long low = first.get(0).seq(); // an event with this seq exists: head >= low
    long high = Math.max(1, low) * 2;
    while (true) {
      List<StreamEvent> probe = page(sessionId, high, 1);
      if (probe.isEmpty()) {
        break;
      }
      low = probe.get(0).seq();
      high = low * 2;
    }
    // head in [low, high]: nothing after high, something at low
    while (high - low > 1) {
      long middle = low + (high - low) / 2;
      List<StreamEvent> probe = page(sessionId, middle, 1);
      if (probe.isEmpty()) {
        high = middle;
      } else {
        low = probe.get(0).seq();
      }
    }
    if (high == low) {
      return low;
    }
    return page(sessionId, low, 1).isEmpty() ? low : high;
  }
}
