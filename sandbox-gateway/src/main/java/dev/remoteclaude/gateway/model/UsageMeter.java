package dev.remoteclaude.gateway.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.gateway.claude.LineSplitter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.quarkus.logging.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads the usage of one Messages answer as it passes through the proxy: from the {@code
 * message_start} and {@code message_delta} events of a stream (the delta's counts are cumulative),
 * or from the {@code usage} of a JSON answer.
 */
final class UsageMeter {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A JSON answer larger than this is passed on but not metered (answers are far smaller). */
  private static final int MAX_JSON_BYTES = 8 << 20;

  private final boolean stream;
  private final LineSplitter lines = new LineSplitter();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private boolean tooLarge;
  private String model;
  private long input;
  private long output;
  private long cacheRead;
  private long cacheCreation;

  UsageMeter(String contentType) {
    this.stream = contentType != null && contentType.startsWith("text/event-stream");
  }

  void accept(byte[] chunk) {
    if (stream) {
      lines.feed(chunk).forEach(this::line);
    } else if (!tooLarge) {
      if (body.size() + chunk.length > MAX_JSON_BYTES) {
        tooLarge = true;
        body.reset();
      } else {
        body.write(chunk, 0, chunk.length);
      }
    }
  }

  /**
   * The usage read, once the answer has ended; empty when it carried none. {@code userKey}: the
   * request was sent with the user's own key.
   */
  Optional<ModelUsage> finish(UUID taskId, boolean userKey) {
    if (stream) {
      lines.finish().forEach(this::line);
    } else if (tooLarge) {
      Log.warnf("task %s: a model answer too large to meter passed through", taskId);
    } else if (body.size() > 0) {
      JsonNode answer = parse(body.toString(java.nio.charset.StandardCharsets.UTF_8));
      if (answer != null) {
        model = answer.path("model").asText(null);
        usage(answer.path("usage"));
      }
    }
    if (input + output + cacheRead + cacheCreation == 0) {
      return Optional.empty();
    }
    countTokens(model == null ? "unknown" : model);
    return Optional.of(
        new ModelUsage(
            taskId,
            model == null ? "unknown" : model,
            input,
            output,
            cacheRead,
            cacheCreation,
            Instant.now(),
            userKey));
  }

  /** The tokens through the model proxy ({@code rc_model_tokens_total}, by model and kind). */
  private void countTokens(String modelName) {
    tokens(modelName, "input", input);
    tokens(modelName, "output", output);
    tokens(modelName, "cache_read", cacheRead);
    tokens(modelName, "cache_creation", cacheCreation);
  }

  private static void tokens(String modelName, String kind, long count) {
    Counter.builder("rc.model.tokens")
        .description("Model tokens metered by the model proxy")
        .tag("model", modelName)
        .tag("kind", kind)
        .register(Metrics.globalRegistry)
        .increment(count);
  }

  private void line(String line) {
    if (!line.startsWith("data:")) {
      return;
    }
    JsonNode event = parse(line.substring(5).strip());
    if (event == null) {
      return;
    }
    switch (event.path("type").asText()) {
      case "message_start" -> {
        model = event.path("message").path("model").asText(model);
        usage(event.path("message").path("usage"));
      }
      case "message_delta" -> usage(event.path("usage"));
      default -> {}
    }
  }

  /** Counts present in {@code usage} replace the earlier ones (they are cumulative). */
  private void usage(JsonNode usage) {
    if (!usage.isObject()) {
      return;
    }
    input = count(usage, "input_tokens", input);
    output = count(usage, "output_tokens", output);
    cacheRead = count(usage, "cache_read_input_tokens", cacheRead);
    cacheCreation = count(usage, "cache_creation_input_tokens", cacheCreation);
  }

  private static long count(JsonNode usage, String field, long earlier) {
    JsonNode value = usage.get(field);
    return value != null && value.canConvertToLong() && value.asLong() >= 0
        ? value.asLong()
        : earlier;
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }
}
