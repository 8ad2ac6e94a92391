package dev.remoteclaude.cli.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.remoteclaude.cli.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * One message of a session's stream: {@code {seq, type, taskId, at, data}}. Heartbeats have no seq
 * ({@link #seq()} is 0 for them). {@link #raw()} is the message as received, for {@code --output
 * json}.
 */
public record StreamEvent(
    long seq, String type, UUID taskId, Instant at, JsonNode data, JsonNode raw) {

  public static final String HEARTBEAT = "heartbeat";

  /** Parses a wire message; null when it is not a JSON object with a type. */
  public static StreamEvent parse(String text) {
    JsonNode node = Json.parseOrNull(text);
    return node == null ? null : of(node);
  }

  public static StreamEvent of(JsonNode node) {
    if (node == null || !node.isObject() || !node.hasNonNull("type")) {
      return null;
    }
    long seq = node.path("seq").asLong(0);
    UUID taskId = null;
    String task = Json.text(node, "taskId");
    if (task != null && !task.isBlank()) {
      try {
        taskId = UUID.fromString(task);
      } catch (IllegalArgumentException e) {
        taskId = null;
      }
    }
    Instant at = null;
    String when = Json.text(node, "at");
    if (when != null) {
      try {
        at = Instant.parse(when);
      } catch (DateTimeParseException e) {
        at = null;
      }
    }
    JsonNode data = node.has("data") ? node.get("data") : NullNode.getInstance();
    return new StreamEvent(seq, node.get("type").asText(), taskId, at, data, node);
  }

  public boolean isHeartbeat() {
    return HEARTBEAT.equals(type);
  }

  /** A text member of the data, or null. */
  public String text(String field) {
    return Json.text(data, field);
  }
}
