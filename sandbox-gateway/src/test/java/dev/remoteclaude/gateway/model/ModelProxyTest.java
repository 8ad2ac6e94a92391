package dev.remoteclaude.gateway.model;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.infra.anthropic.AnthropicStub;
import dev.remoteclaude.infra.anthropic.Turn;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The model proxy: Claude Code in a sandbox reaches the model through it with its run's token; the
 * platform's key never enters the sandbox; a token works for its run only.
 */
@QuarkusTest
class ModelProxyTest {

  private static final String PROXY = "http://127.0.0.1:" + GatewayTestResource.modelProxyPort();

  private final AnthropicStub stub = GatewayTestResource.stub();

  @Inject ModelTokenRepository tokens;

  @Test
  void claudeReachesTheModelThroughTheProxyAndThePlatformsKeyNeverEntersTheSandbox() {
    Sessions.Ready session = Sessions.provision();
    String marker = "proxy-" + UUID.randomUUID();
    // What Claude's Bash tool sees of its environment goes back to the model as the tool result.
    stub.when(marker, Turn.bash("env"), Turn.text("Looked."));
    UUID task = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session.sessionId(), session.userId(), Sessions.task(task, "look around " + marker));
      TaskCompleted completed =
          Sessions.payload(
              Sessions.awaitTask(gateway, task, "task.completed"), TaskCompleted.class);
      assertThat(completed.result()).isEqualTo("Looked.");
      // The tokens metered at the proxy are the tokens Claude Code reports for the task.
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                List<ModelUsage> metered =
                    gateway.records().stream()
                        .map(r -> dev.remoteclaude.common.events.EventCodec.read(r.value()))
                        .filter(e -> e.type().equals("model.usage"))
                        .map(e -> Sessions.payload(e, ModelUsage.class))
                        .filter(u -> u.taskId().equals(task))
                        .toList();
                assertThat(metered).hasSize(completed.usage().turns());
                assertThat(metered.stream().mapToLong(ModelUsage::inputTokens).sum())
                    .isEqualTo(completed.usage().inputTokens());
                assertThat(metered.stream().mapToLong(ModelUsage::outputTokens).sum())
                    .isEqualTo(completed.usage().outputTokens());
              });
    }
    List<AnthropicStub.Recorded> requests =
        stub.requests().stream().filter(r -> r.conversation().prompt().contains(marker)).toList();
    assertThat(requests).hasSizeGreaterThanOrEqualTo(2);
    // Every request reached the model with the platform's key, put there by the proxy ...
    assertThat(requests).allMatch(r -> GatewayTestResource.API_KEY.equals(r.apiKey()));
    // ... while in the sandbox Claude had the proxy's URL and a run token, and no process there
    // had the platform's key.
    String seen = toolResult(requests.getLast());
    assertThat(seen).contains("ANTHROPIC_BASE_URL=" + PROXY);
    assertThat(seen).doesNotContain(GatewayTestResource.API_KEY);
    Matcher token = Pattern.compile("ANTHROPIC_API_KEY=(rc-model-[A-Za-z0-9_-]+)").matcher(seen);
    assertThat(token.find()).as("the run's token in Claude's environment").isTrue();

    // The run is over: its token no longer opens the proxy.
    message(token.group(1), "hello again " + marker)
        .then()
        .statusCode(401)
        .body("type", equalTo("error"))
        .body("error.type", equalTo("authentication_error"));
  }

  @Test
  void aValidTokenStreamsTheModelsAnswerThroughUntouched() {
    String marker = "stream-" + UUID.randomUUID();
    stub.when(marker, Turn.text("Streamed through the proxy."));
    UUID taskId = UUID.randomUUID();
    String token =
        OnVertx.await(
            () ->
                Panache.withTransaction(
                    () ->
                        tokens.mint(UUID.randomUUID(), "someone", taskId, Duration.ofMinutes(5))));
    String body;
    dev.remoteclaude.common.events.EventEnvelope metered;
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      body =
          given()
              .baseUri(PROXY)
              .header("x-api-key", token)
              .header("anthropic-version", "2023-06-01")
              .contentType("application/json")
              .body(
                  "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,"
                      + "\"messages\":[{\"role\":\"user\",\"content\":\"say it "
                      + marker
                      + "\"}]}")
              .post("/v1/messages?beta=true")
              .then()
              .statusCode(200)
              .contentType(containsString("text/event-stream"))
              .extract()
              .asString();
      // The answer's usage, read on the way through, is announced for billing.
      metered = Sessions.awaitTask(gateway, taskId, "model.usage");
    }
    assertThat(body).contains("event: message_start").contains("Streamed through the proxy.");
    AnthropicStub.Recorded recorded =
        stub.requests().stream()
            .filter(r -> r.conversation().prompt().contains(marker))
            .findFirst()
            .orElseThrow();
    assertThat(recorded.apiKey()).isEqualTo(GatewayTestResource.API_KEY);
    ModelUsage usage = Sessions.payload(metered, ModelUsage.class);
    assertThat(metered.userId()).isEqualTo("someone");
    assertThat(usage.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(usage.inputTokens()).isEqualTo(lastCount(body, "input_tokens")).isPositive();
    assertThat(usage.outputTokens()).isEqualTo(lastCount(body, "output_tokens")).isPositive();

    OnVertx.await(() -> Panache.withTransaction(() -> tokens.revoke(taskId)));
    message(token, "again " + marker).then().statusCode(401);
  }

  @Test
  void anAnswerTheClientHangsUpOnIsStillCountedAndNoCompressionIsAskedOfTheModel()
      throws Exception {
    String marker = "cut-" + UUID.randomUUID();
    // An answer of 40 chunks half a second apart: the client leaves after the first.
    stub.when(
        marker,
        Turn.slowText(
            "an answer long enough that the client does not wait for it to end, in forty parts",
            40,
            Duration.ofMillis(500)));
    UUID taskId = UUID.randomUUID();
    String token =
        OnVertx.await(
            () ->
                Panache.withTransaction(
                    () ->
                        tokens.mint(UUID.randomUUID(), "someone", taskId, Duration.ofMinutes(5))));
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(PROXY + "/v1/messages"))
              .header("x-api-key", token)
              .header("anthropic-version", "2023-06-01")
              .header("content-type", "application/json")
              .header("accept-encoding", "gzip, deflate, br")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,"
                          + "\"messages\":[{\"role\":\"user\",\"content\":\"say it "
                          + marker
                          + "\"}]}"))
              .build();
      HttpResponse<java.io.InputStream> response =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      try (java.io.BufferedReader lines =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  response.body(), java.nio.charset.StandardCharsets.UTF_8))) {
        String line;
        do {
          line = lines.readLine();
        } while (line != null && !line.contains("content_block_delta"));
        assertThat(line).as("a first part of the answer").isNotNull();
      }
      // The client hangs up mid-answer.
      client.shutdownNow();

      // What the answer used so far is still counted and announced for billing.
      ModelUsage usage =
          Sessions.payload(Sessions.awaitTask(gateway, taskId, "model.usage"), ModelUsage.class);
      assertThat(usage.model()).isEqualTo("claude-sonnet-4-5");
      assertThat(usage.inputTokens()).isPositive();
    }
    // The proxy meters what it reads: it asked the model for an uncompressed answer.
    AnthropicStub.Recorded recorded =
        stub.requests().stream()
            .filter(r -> r.conversation().prompt().contains(marker))
            .findFirst()
            .orElseThrow();
    assertThat(recorded.acceptEncoding()).isNull();
  }

  @Test
  void withoutAValidTokenOrOffItsTwoPathsTheProxyRefusesInTheApisOwnShape() {
    message(null, "no token")
        .then()
        .statusCode(401)
        .body("error.type", equalTo("authentication_error"));
    message("rc-model-" + "A".repeat(43), "forged")
        .then()
        .statusCode(401)
        .body("error.type", equalTo("authentication_error"));
    // The platform's own key is no token either.
    message(GatewayTestResource.API_KEY, "the key").then().statusCode(401);
    proxy(null)
        .get("/v1/messages")
        .then()
        .statusCode(404)
        .body("error.type", equalTo("not_found_error"));
    proxy(null).body("{}").post("/v1/models").then().statusCode(404);
    proxy(null).body("{}").post("/api/v1/sessions").then().statusCode(404);
    assertThat(stub.requests())
        .noneMatch(r -> r.conversation().prompt().matches(".*(no token|forged|the key).*"));
  }

  /** The last value of a usage count in a stream of events (the counts are cumulative). */
  private static long lastCount(String stream, String field) {
    Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(\\d+)").matcher(stream);
    long last = -1;
    while (m.find()) {
      last = Long.parseLong(m.group(1));
    }
    return last;
  }

  /** The output of the Bash tool, as Claude sent it back to the model. */
  private static String toolResult(AnthropicStub.Recorded request) {
    for (com.fasterxml.jackson.databind.JsonNode message : request.body().path("messages")) {
      for (com.fasterxml.jackson.databind.JsonNode block : message.path("content")) {
        if ("tool_result".equals(block.path("type").asText())) {
          return block.path("content").toString();
        }
      }
    }
    throw new AssertionError("no tool result in the last request");
  }

  private static RequestSpecification proxy(String token) {
    RequestSpecification spec = given().baseUri(PROXY).contentType("application/json");
    return token == null ? spec : spec.header("x-api-key", token);
  }

  private static io.restassured.response.Response message(String token, String prompt) {
    return proxy(token)
        .body(
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt
                + "\"}]}")
        .post("/v1/messages");
  }
}
