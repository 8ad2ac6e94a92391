package dev.remoteclaude.infra.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * A scripted stand-in for the Anthropic Messages API ({@code POST /v1/messages}, streaming SSE as
 * the real API does), so the real Claude Code CLI runs offline: in tests, and in the local platform
 * when no {@code ANTHROPIC_API_KEY} is set. Every request is recorded for assertions.
 */
public final class AnthropicStub implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(AnthropicStub.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern WORKING_DIRECTORY =
      Pattern.compile("Primary working directory: (\\S+)");

  /**
   * A Messages request as it arrived, with the API key and the accept-encoding header it carried
   * (null when none).
   */
  public record Recorded(
      String path,
      JsonNode body,
      Script.Conversation conversation,
      String apiKey,
      String acceptEncoding) {}

  private final HttpServer server;
  private final AtomicReference<Script> script;
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();

  private AnthropicStub(HttpServer server, Script script) {
    this.server = server;
    this.script = new AtomicReference<>(script);
  }

  /** Starts on a loopback port (0 = any free one). */
  public static AnthropicStub start(int port, Script script) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
      AnthropicStub stub = new AnthropicStub(server, script);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/", stub::handle);
      server.start();
      return stub;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the Anthropic stub", e);
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public void script(Script next) {
    script.set(next);
  }

  /** Adds a rule in front of the current ones (tests key rules by a marker in their prompt). */
  public void when(
      java.util.function.Predicate<Script.Conversation> when,
      java.util.function.Function<Script.Conversation, List<Turn>> turns) {
    script.updateAndGet(
        current -> {
          List<Script.Rule> rules = new ArrayList<>();
          rules.add(new Script.Rule(when, turns));
          rules.addAll(current.rules());
          return new Script(List.copyOf(rules), current.fallback());
        });
  }

  /** Adds a rule for prompts containing {@code marker}. */
  public void when(String marker, Turn... turns) {
    when(c -> c.prompt().contains(marker), c -> List.of(turns));
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!"POST".equals(exchange.getRequestMethod())) {
        respond(exchange, 404, error("not_found_error", "not found"));
        return;
      }
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      if (path.endsWith("/count_tokens")) {
        respond(exchange, 200, JSON.createObjectNode().put("input_tokens", estimateTokens(body)));
        return;
      }
      if (!path.endsWith("/v1/messages")) {
        respond(exchange, 404, error("not_found_error", "no such endpoint: " + path));
        return;
      }
      Script.Conversation conversation = conversation(body);
      requests.add(
          new Recorded(
              path,
              body,
              conversation,
              exchange.getRequestHeaders().getFirst("x-api-key"),
              exchange.getRequestHeaders().getFirst("Accept-Encoding")));
      Turn turn = choose(conversation);
      if (turn instanceof Turn.Error e) {
        respond(exchange, e.status(), error(e.type(), e.message()));
        return;
      }
      String model = body.path("model").asText("claude-stub");
      int inputTokens = estimateTokens(body);
      if (body.path("stream").asBoolean(false)) {
        stream(exchange, model, inputTokens, turn);
      } else {
        respond(exchange, 200, message(model, inputTokens, turn));
      }
    } catch (RuntimeException e) {
      LOG.warnf("stub failed: %s", e.getMessage());
      respond(exchange, 500, error("api_error", "stub failure"));
    }
  }

  private Turn choose(Script.Conversation conversation) {
    Script current = script.get();
    List<Turn> turns = null;
    for (Script.Rule rule : current.rules()) {
      if (rule.when().test(conversation)) {
        turns = rule.turns().apply(conversation);
        break;
      }
    }
    if (turns == null) {
      turns = current.fallback().apply(conversation);
    }
    int index = conversation.toolResults();
    return index < turns.size() ? turns.get(index) : Turn.text("Done.");
  }

  /** The task's prompt, earlier prompts of the conversation, and tool results since the prompt. */
  static Script.Conversation conversation(JsonNode body) {
    List<String> prompts = new ArrayList<>();
    int toolResultsSincePrompt = 0;
    for (JsonNode message : body.path("messages")) {
      if (!"user".equals(message.path("role").asText())) {
        continue;
      }
      JsonNode content = message.path("content");
      StringBuilder text = new StringBuilder();
      boolean toolResult = false;
      if (content.isTextual()) {
        text.append(content.asText());
      } else {
        for (JsonNode block : content) {
          String type = block.path("type").asText();
          if ("tool_result".equals(type)) {
            toolResult = true;
          } else if ("text".equals(type)) {
            String t = block.path("text").asText();
            if (!t.startsWith("<system-reminder>")) {
              text.append(t);
            }
          }
        }
      }
      if (toolResult) {
        toolResultsSincePrompt++;
      } else if (!text.isEmpty()) {
        prompts.add(text.toString().strip());
        toolResultsSincePrompt = 0;
      }
    }
    String prompt = prompts.isEmpty() ? "" : prompts.get(prompts.size() - 1);
    List<String> earlier = prompts.isEmpty() ? List.of() : prompts.subList(0, prompts.size() - 1);
    String cwd = "/workspace";
    for (JsonNode text : body.findValues("text")) {
      Matcher dir = WORKING_DIRECTORY.matcher(text.asText());
      if (dir.find()) {
        cwd = dir.group(1);
        break;
      }
    }
    return new Script.Conversation(prompt, List.copyOf(earlier), cwd, toolResultsSincePrompt);
  }

  private void stream(HttpExchange exchange, String model, int inputTokens, Turn turn)
      throws IOException {
    exchange.getResponseHeaders().set("content-type", "text/event-stream");
    exchange.getResponseHeaders().set("cache-control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
    ObjectNode start = JSON.createObjectNode().put("type", "message_start");
    ObjectNode message = start.putObject("message");
    message.put("id", id).put("type", "message").put("role", "assistant").put("model", model);
    message.putArray("content");
    message.putNull("stop_reason");
    message.putNull("stop_sequence");
    message.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", 1);
    event(out, "message_start", start);
    String stopReason;
    int outputTokens;
    if (turn instanceof Turn.ToolUse tool) {
      ObjectNode blockStart =
          JSON.createObjectNode().put("type", "content_block_start").put("index", 0);
      blockStart
          .putObject("content_block")
          .put("type", "tool_use")
          .put("id", "toolu_" + UUID.randomUUID().toString().replace("-", ""))
          .put("name", tool.name())
          .putObject("input");
      event(out, "content_block_start", blockStart);
      ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
      String input = JSON.writeValueAsString(tool.input());
      delta.putObject("delta").put("type", "input_json_delta").put("partial_json", input);
      event(out, "content_block_delta", delta);
      stopReason = "tool_use";
      outputTokens = Math.max(1, input.length() / 4);
    } else {
      Turn.Text text = (Turn.Text) turn;
      ObjectNode blockStart =
          JSON.createObjectNode().put("type", "content_block_start").put("index", 0);
      blockStart.putObject("content_block").put("type", "text").put("text", "");
      event(out, "content_block_start", blockStart);
      for (String chunk : split(text.text(), text.chunks())) {
        ObjectNode delta =
            JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
        delta.putObject("delta").put("type", "text_delta").put("text", chunk);
        event(out, "content_block_delta", delta);
        pause(text);
      }
      stopReason = "end_turn";
      outputTokens = Math.max(1, text.text().length() / 4);
    }
    event(
        out,
        "content_block_stop",
        JSON.createObjectNode().put("type", "content_block_stop").put("index", 0));
    ObjectNode end = JSON.createObjectNode().put("type", "message_delta");
    end.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
    end.putObject("usage").put("output_tokens", outputTokens);
    event(out, "message_delta", end);
    event(out, "message_stop", JSON.createObjectNode().put("type", "message_stop"));
  }

  private static void pause(Turn.Text text) {
    if (!text.delay().isZero()) {
      try {
        Thread.sleep(text.delay());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static List<String> split(String text, int chunks) {
    List<String> out = new ArrayList<>();
    int n = Math.max(1, Math.min(chunks, text.length()));
    int size = (int) Math.ceil(text.length() / (double) n);
    for (int i = 0; i < text.length(); i += size) {
      out.add(text.substring(i, Math.min(text.length(), i + size)));
    }
    if (out.isEmpty()) {
      out.add("");
    }
    return out;
  }

  private static ObjectNode message(String model, int inputTokens, Turn turn) {
    ObjectNode message = JSON.createObjectNode();
    message.put("id", "msg_" + UUID.randomUUID().toString().replace("-", ""));
    message.put("type", "message").put("role", "assistant").put("model", model);
    ArrayNode content = message.putArray("content");
    String text = turn instanceof Turn.Text t ? t.text() : "Done.";
    content.addObject().put("type", "text").put("text", text);
    message.put("stop_reason", "end_turn").putNull("stop_sequence");
    message
        .putObject("usage")
        .put("input_tokens", inputTokens)
        .put("output_tokens", Math.max(1, text.length() / 4));
    return message;
  }

  private static void event(OutputStream out, String name, JsonNode data) throws IOException {
    out.write(
        ("event: " + name + "\ndata: " + JSON.writeValueAsString(data) + "\n\n")
            .getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static ObjectNode error(String type, String message) {
    ObjectNode error = JSON.createObjectNode().put("type", "error");
    error.putObject("error").put("type", type).put("message", message);
    return error;
  }

  private static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("content-type", "application/json");
    if (status == 429) {
      exchange.getResponseHeaders().set("retry-after", "0");
    }
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static int estimateTokens(JsonNode body) {
    return Math.max(1, body.path("messages").toString().length() / 4);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
