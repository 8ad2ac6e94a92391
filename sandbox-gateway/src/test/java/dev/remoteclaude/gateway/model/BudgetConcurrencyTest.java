package dev.remoteclaude.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.BudgetChanged;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.infra.anthropic.AnthropicStub;
import dev.remoteclaude.infra.anthropic.Turn;
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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The one-answer bound under concurrency: near its cap, a session's requests asked at once are let
 * through one at a time (the others wait for the one in flight to be counted), so the cap is passed
 * by one answer at most and the waiting requests are refused 402.
 */
@QuarkusTest
class BudgetConcurrencyTest {

  private static final String PROXY = "http://127.0.0.1:" + GatewayTestResource.modelProxyPort();

  private final AnthropicStub stub = GatewayTestResource.stub();

  @Inject ModelTokenRepository tokens;

  @Inject BudgetRepository budgets;

  @Test
  void requestsAskedAtOnceNearTheCapPassItByOneAnswerAtMost() throws Exception {
    String owner = "u-" + UUID.randomUUID();
    UUID sessionId = UUID.randomUUID();
    Instant at = Instant.now();
    BigDecimal compute = new BigDecimal("0.199999");
    UserKeyTest.publish(
        owner,
        new BudgetChanged(
            null,
            null,
            ModelProxy.monthStart(at),
            compute,
            List.of(new BudgetChanged.SessionBudget(sessionId, new BigDecimal("0.2"), compute)),
            at));
    await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                OnVertx.await(
                            () ->
                                Panache.withSession(
                                    () ->
                                        budgets.limits(
                                            sessionId,
                                            owner,
                                            ModelProxy.monthStart(Instant.now()))))
                        .sessionCapUsd()
                    != null);
    String token =
        OnVertx.await(
            () ->
                Panache.withTransaction(
                    () -> tokens.mint(sessionId, owner, UUID.randomUUID(), Duration.ofMinutes(5))));
    String marker = "concurrent-" + UUID.randomUUID();
    // Answers slow enough that the four requests are in flight together.
    stub.when(
        marker,
        Turn.slowText("an answer that takes a few seconds to stream", 10, Duration.ofMillis(400)));

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<String>>> asked =
        IntStream.range(0, 4)
            .mapToObj(
                i -> http.sendAsync(request(token, marker), HttpResponse.BodyHandlers.ofString()))
            .toList();
    List<Integer> statuses = asked.stream().map(f -> f.join().statusCode()).sorted().toList();

    // One let through; the others waited for it, and its answer took the session past its cap.
    assertThat(statuses).containsExactly(200, 402, 402, 402);
    assertThat(served(marker)).isEqualTo(1);
    HttpResponse<String> again =
        http.send(request(token, marker), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).as(again.body()).isEqualTo(402);
    assertThat(again.body()).contains("billing_error");
    assertThat(served(marker)).isEqualTo(1);
  }

  private static HttpRequest request(String token, String marker) {
    return HttpRequest.newBuilder(URI.create(PROXY + "/v1/messages"))
        .header("x-api-key", token)
        .header("content-type", "application/json")
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"say it "
                    + marker
                    + "\"}]}"))
        .build();
  }

  private int served(String marker) {
    return (int)
        stub.requests().stream().filter(r -> r.conversation().prompt().contains(marker)).count();
  }
}
