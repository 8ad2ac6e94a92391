package dev.remoteclaude.gateway.claude;

import static dev.remoteclaude.gateway.log.LogTypes.CLAUDE_INIT;
import static dev.remoteclaude.gateway.log.LogTypes.CLAUDE_OTHER;
import static dev.remoteclaude.gateway.log.LogTypes.CLAUDE_OUTPUT;
import static dev.remoteclaude.gateway.log.LogTypes.CLAUDE_RESULT;
import static dev.remoteclaude.gateway.log.LogTypes.CLAUDE_TEXT;
import static dev.remoteclaude.gateway.log.LogTypes.CLAUDE_THINKING;
import static dev.remoteclaude.gateway.log.LogTypes.CLAUDE_TOOL_RESULT;
import static dev.remoteclaude.gateway.log.LogTypes.CLAUDE_TOOL_USE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.Usage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses {@code claude -p --output-format stream-json --verbose} output, one line at a time, into
 * typed events, and keeps the running meter (turns, last tool, tokens) and the final result. A line
 * that is not JSON is kept as {@code claude.output}; a JSON line of an unknown type as {@code
 * claude.other}: nothing Claude prints is lost.
 */
public final class ClaudeStreamParser {

  /** Tool results longer than this are cut in the stream (the transcript keeps them whole). */
  static final int MAX_TOOL_RESULT_CHARS = 16_384;

  private final Set<String> countedMessages = new HashSet<>();
  private final Map<String, long[]> usageByMessage = new LinkedHashMap<>();
  private int turns;
  private String lastTool;
  private String initSessionId;
  private String model;
  private ClaudeResult result;

  /** Parses one line; returns the events it yields (possibly none for blank lines). */
  public List<ClaudeEvent> parse(String line) {
    if (line.isBlank()) {
      return List.of();
    }
    JsonNode node;
    try {
      node = EventCodec.mapper().readTree(line);
    } catch (JsonProcessingException e) {
      return List.of(new ClaudeEvent(CLAUDE_OUTPUT, Map.of("text", line)));
    }
    if (node == null || !node.isObject()) {
      return List.of(new ClaudeEvent(CLAUDE_OUTPUT, Map.of("text", line)));
    }
    String type = node.path("type").asText();
    return switch (type) {
      case "system" -> system(node);
      case "assistant" -> assistant(node);
      case "user" -> user(node);
      case "result" -> List.of(result(node));
      default -> List.of(new ClaudeEvent(CLAUDE_OTHER, node));
    };
  }

  private List<ClaudeEvent> system(JsonNode node) {
    if (!"init".equals(node.path("subtype").asText())) {
      return List.of(new ClaudeEvent(CLAUDE_OTHER, node));
    }
    initSessionId = text(node, "session_id");
    model = text(node, "model");
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("claudeSessionId", initSessionId);
    data.put("model", model);
    data.put("cwd", text(node, "cwd"));
    data.put("permissionMode", text(node, "permissionMode"));
    data.put("tools", node.path("tools"));
    return List.of(new ClaudeEvent(CLAUDE_INIT, data));
  }

  private List<ClaudeEvent> assistant(JsonNode node) {
    JsonNode message = node.path("message");
    String id = message.path("id").asText(null);
    if (id == null || countedMessages.add(id)) {
      turns++;
    }
    JsonNode usage = message.path("usage");
    if (id != null && usage.isObject()) {
      usageByMessage.put(
          id,
          new long[] {
            usage.path("input_tokens").asLong()
                + usage.path("cache_creation_input_tokens").asLong()
                + usage.path("cache_read_input_tokens").asLong(),
            usage.path("output_tokens").asLong()
          });
    }
    if (model == null) {
      model = message.path("model").asText(null);
    }
    List<ClaudeEvent> events = new ArrayList<>();
    for (JsonNode block : message.path("content")) {
      switch (block.path("type").asText()) {
        case "text" ->
            events.add(new ClaudeEvent(CLAUDE_TEXT, Map.of("text", block.path("text").asText())));
        case "thinking" ->
            events.add(
                new ClaudeEvent(CLAUDE_THINKING, Map.of("text", block.path("thinking").asText())));
        case "tool_use" -> {
          lastTool = block.path("name").asText();
          Map<String, Object> data = new LinkedHashMap<>();
          data.put("id", block.path("id").asText());
          data.put("name", lastTool);
          data.put("input", block.path("input"));
          events.add(new ClaudeEvent(CLAUDE_TOOL_USE, data));
        }
        default -> events.add(new ClaudeEvent(CLAUDE_OTHER, block));
      }
    }
    return events;
  }

  private List<ClaudeEvent> user(JsonNode node) {
    List<ClaudeEvent> events = new ArrayList<>();
    for (JsonNode block : node.path("message").path("content")) {
      if (!"tool_result".equals(block.path("type").asText())) {
        continue;
      }
      String content = contentText(block.path("content"));
      boolean truncated = content.length() > MAX_TOOL_RESULT_CHARS;
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("toolUseId", block.path("tool_use_id").asText());
      data.put("content", truncated ? content.substring(0, MAX_TOOL_RESULT_CHARS) : content);
      data.put("isError", block.path("is_error").asBoolean(false));
      if (truncated) {
        data.put("truncated", true);
      }
      events.add(new ClaudeEvent(CLAUDE_TOOL_RESULT, data));
    }
    return events;
  }

  private ClaudeEvent result(JsonNode node) {
    JsonNode usage = node.path("usage");
    Usage total =
        new Usage(
            node.path("total_cost_usd").isNumber()
                ? node.path("total_cost_usd").decimalValue()
                : BigDecimal.ZERO,
            usage.path("input_tokens").asLong(),
            usage.path("output_tokens").asLong(),
            usage.path("cache_read_input_tokens").asLong(),
            usage.path("cache_creation_input_tokens").asLong(),
            node.path("num_turns").asInt(turns),
            node.path("duration_ms").asLong(),
            model);
    result =
        new ClaudeResult(
            node.path("is_error").asBoolean(false),
            text(node, "subtype"),
            text(node, "result"),
            text(node, "session_id"),
            total);
    ObjectNode data = EventCodec.mapper().createObjectNode();
    data.put("isError", result.isError());
    data.put("subtype", result.subtype());
    data.put("result", result.text());
    data.put("claudeSessionId", result.claudeSessionId());
    data.set("usage", EventCodec.mapper().valueToTree(total));
    if (node.has("api_error_status")) {
      data.set("apiErrorStatus", node.get("api_error_status"));
    }
    return new ClaudeEvent(CLAUDE_RESULT, data);
  }

  private static String contentText(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder out = new StringBuilder();
    for (JsonNode part : content) {
      if (part.has("text")) {
        out.append(part.path("text").asText());
      }
    }
    return out.toString();
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  public Optional<ClaudeResult> result() {
    return Optional.ofNullable(result);
  }

  public int turns() {
    return turns;
  }

  public String lastTool() {
    return lastTool;
  }

  /** Input (incl. cache) and output tokens seen so far. */
  public long[] tokens() {
    long in = 0;
    long out = 0;
    for (long[] u : usageByMessage.values()) {
      in += u[0];
      out += u[1];
    }
    return new long[] {in, out};
  }
}
