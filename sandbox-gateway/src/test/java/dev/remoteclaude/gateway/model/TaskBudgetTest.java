package dev.remoteclaude.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.pricing.ModelPrices;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.infra.anthropic.AnthropicStub;
import dev.remoteclaude.infra.anthropic.Turn;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A task's cost cap, enforced by the model proxy: a runaway agent is stopped one answer past its
 * cap at most, the task fails BUDGET_EXCEEDED, and the session's next task continues its
 * conversation. And the proxy's cap on requests in flight per token.
 */
@QuarkusTest
class TaskBudgetTest {

  private static final String PROXY = "http://127.0.0.1:" + GatewayTestResource.modelProxyPort();

  private final AnthropicStub stub = GatewayTestResource.stub();

  @Inject ModelPrices prices;

  @Inject ModelTokenRepository tokens;

  @Test
  void aRunawayTaskIsStoppedOneAnswerPastItsCapAndTheNextTaskContinuesItsConversation() {
    Sessions.Ready session = Sessions.provision();
    String runaway = "runaway-" + UUID.randomUUID();
    String next = "next-" + UUID.randomUUID();
    // Without a cap the agent would call a tool 60 times in a row.
    AtomicBoolean stopped = new AtomicBoolean();
    stub.when(
        c -> c.prompt().contains(runaway) && !stopped.get(),
        c -> IntStream.range(0, 60).mapToObj(i -> Turn.bash("echo step " + i)).toList());
    // Once it is stopped, the model answers the conversation that holds the runaway's prompt.
    // (Claude
    // Code sends the next prompt along with the last tool result when it resumes a conversation
    // stopped mid-loop, which the stub counts as a tool result of the earlier prompt.)
    String resumed = "Continuing where the budget stopped me.";
    stub.when(
        c -> stopped.get() && (c.prompt().contains(runaway) || c.prompt().contains(next)),
        c ->
            Collections.nCopies(
                c.toolResults() + 1,
                Turn.text(
                    c.prompt().contains(runaway)
                            || c.earlierPrompts().stream().anyMatch(p -> p.contains(runaway))
                        ? resumed
                        : "No earlier conversation.")));
    BigDecimal cap = new BigDecimal("0.20");
    UUID task = UUID.randomUUID();
    UUID task2 = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session.sessionId(),
          session.userId(),
          new TaskDispatched(
              task,
              "loop forever " + runaway,
              null,
              null,
              null,
              "bypassPermissions",
              null,
              cap,
              Instant.now()));
      TaskFailed failed =
          await()
              .atMost(Duration.ofMinutes(3))
              .until(
                  () ->
                      gateway.records().stream()
                          .map(r -> EventCodec.read(r.value()))
                          .filter(e -> e.type().equals("task.failed"))
                          .map(e -> Sessions.payload(e, TaskFailed.class))
                          .filter(f -> f.taskId().equals(task))
                          .findFirst(),
                  Optional::isPresent)
              .orElseThrow();
      assertThat(failed.code()).isEqualTo(TaskFailed.BUDGET_EXCEEDED);
      assertThat(failed.reason()).contains("budget of 0.2 USD");

      // Every answer the model gave was metered; all but the last cost less than the cap, so the
      // model served one answer past the cap at most, and none after the refusal.
      List<BigDecimal> costs = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                costs.clear();
                gateway.records().stream()
                    .map(r -> EventCodec.read(r.value()))
                    .filter(e -> e.type().equals("model.usage"))
                    .map(e -> Sessions.payload(e, ModelUsage.class))
                    .filter(u -> u.taskId().equals(task))
                    .forEach(u -> costs.add(price(u)));
                assertThat(costs).hasSize(served(runaway));
              });
      BigDecimal total = costs.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
      BigDecimal beforeLast = total.subtract(costs.getLast());
      assertThat(total).isGreaterThanOrEqualTo(cap);
      assertThat(beforeLast).isLessThan(cap);
      assertThat(served(runaway)).isLessThan(60);
      stopped.set(true);

      // The next task of the session resumes the stopped one's conversation.
      Sessions.send(session.sessionId(), session.userId(), Sessions.task(task2, "go on " + next));
      EventEnvelope end =
          await()
              .atMost(Duration.ofMinutes(3))
              .until(
                  () ->
                      gateway.records().stream()
                          .map(r -> EventCodec.read(r.value()))
                          .filter(e -> task2.toString().equals(e.data().path("taskId").asText()))
                          .filter(e -> e.type().matches("task\\.(completed|failed)"))
                          .findFirst(),
                  Optional::isPresent)
              .orElseThrow();
      assertThat(end.type()).as("task 2 ended: %s", end.data()).isEqualTo("task.completed");
      TaskCompleted two = Sessions.payload(end, TaskCompleted.class);
      assertThat(two.result()).isEqualTo(resumed);
      // The model saw the new prompt in the stopped task's conversation.
      assertThat(stub.requests())
          .anySatisfy(
              r ->
                  assertThat(r.body().path("messages").toString())
                      .contains(runaway)
                      .contains(next));
    }
  }

  @Test
  void aTokenWithTooManyRequestsInFlightIsAnswered429WithRetryAfter() {
    String marker = "busy-" + UUID.randomUUID();
    stub.when(marker, Turn.slowText("Slowly.", 20, Duration.ofMillis(250)));
    UUID taskId = UUID.randomUUID();
    String token =
        OnVertx.await(
            () ->
                Panache.withTransaction(
                    () ->
                        tokens.mint(UUID.randomUUID(), "someone", taskId, Duration.ofMinutes(5))));
    // HTTP/1.1, as Claude Code speaks it: one connection per request in flight.
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(PROXY + "/v1/messages"))
            .header("x-api-key", token)
            .header("content-type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"say it "
                        + marker
                        + "\"}]}"))
            .build();
    List<CompletableFuture<HttpResponse<String>>> calls =
        IntStream.range(0, 6)
            .mapToObj(i -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
            .toList();
    List<HttpResponse<String>> responses = calls.stream().map(CompletableFuture::join).toList();
    List<HttpResponse<String>> refused =
        responses.stream().filter(r -> r.statusCode() == 429).toList();
    assertThat(responses.stream().filter(r -> r.statusCode() == 200)).hasSize(4);
    assertThat(refused).hasSize(2);
    assertThat(refused)
        .allSatisfy(
            r -> {
              assertThat(r.headers().firstValue("retry-after")).contains("1");
              assertThat(r.body()).contains("\"rate_limit_error\"");
            });
    // Once they are done, the token may send again.
    assertThat(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).join().statusCode())
        .isEqualTo(200);
  }

  private BigDecimal price(ModelUsage u) {
    return prices.price(
        u.model(), u.inputTokens(), u.outputTokens(), u.cacheReadTokens(), u.cacheCreationTokens());
  }

  /** How many answers the stub gave the task (its requests, the refused ones never reached it). */
  private int served(String marker) {
    return (int)
        stub.requests().stream().filter(r -> r.conversation().prompt().contains(marker)).count();
  }
}
