package dev.remoteclaude.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.AnthropicKeyChanged;
import dev.remoteclaude.common.events.BudgetChanged;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.Topics;
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
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The user's own Anthropic key, as billing sends it (sealed): the model proxy sends the user's
 * requests with it instead of the platform's, meters their tokens at no cost (so no budget counts
 * them), uses the platform's key again once it is removed, and a task whose key Anthropic refuses
 * fails naming the user's key.
 */
@QuarkusTest
class UserKeyTest {

  private static final String PROXY = "http://127.0.0.1:" + GatewayTestResource.modelProxyPort();

  private final AnthropicStub stub = GatewayTestResource.stub();

  @Inject ModelTokenRepository tokens;

  @Inject BudgetRepository budgets;

  @Inject UserKeyRepository keys;

  @Inject SecretBox secrets;

  @Test
  void theUsersOwnKeyIsSentInPlaceOfThePlatformsAndItsTokensAreMeteredAtNoCost() throws Exception {
    String owner = "u-" + UUID.randomUUID();
    UUID sessionId = UUID.randomUUID();
    String userKey = "sk-ant-api03-" + UUID.randomUUID().toString().replace("-", "") + "Zq9w";
    Instant at = Instant.now();
    // The session's cap is all but spent on compute: any answer priced would cross it.
    publish(
        owner,
        new BudgetChanged(
            null,
            null,
            ModelProxy.monthStart(at),
            new BigDecimal("0.199999"),
            List.of(
                new BudgetChanged.SessionBudget(
                    sessionId, new BigDecimal("0.2"), new BigDecimal("0.199999"))),
            at));
    publish(
        owner,
        new AnthropicKeyChanged(
            secrets.seal(userKey, SecretContexts.userAnthropicKey(owner)), "Zq9w", at));
    await().atMost(Duration.ofSeconds(120)).until(() -> key(owner).isPresent());
    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> limits(sessionId, owner).sessionCapUsd() != null);
    UUID taskId = UUID.randomUUID();
    String token = mint(sessionId, owner, taskId);
    String marker = "own-key-" + UUID.randomUUID();
    stub.when(marker, Turn.text("Answered on your key."));

    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> answer = ask(token, marker);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      }
      assertThat(requests(marker)).hasSize(3).allMatch(r -> userKey.equals(r.apiKey()));
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(usages(gateway, taskId))
                      .hasSize(3)
                      .allMatch(ModelUsage::userKey)
                      .allMatch(u -> u.outputTokens() > 0));
      assertThat(gateway.records()).noneMatch(r -> r.value().contains(userKey));
    }

    // Removed: the platform's key again, and its answers count against the budget.
    publish(owner, new AnthropicKeyChanged(null, null, at.plusSeconds(1)));
    await().atMost(Duration.ofSeconds(120)).until(() -> key(owner).isEmpty());
    HttpResponse<String> platform = ask(token, marker);
    assertThat(platform.statusCode()).as(platform.body()).isEqualTo(200);
    assertThat(requests(marker).getLast().apiKey()).isEqualTo(GatewayTestResource.API_KEY);
    HttpResponse<String> refused = ask(token, marker);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(402);
    assertThat(requests(marker)).hasSize(4);
  }

  @Test
  void aTaskWhoseOwnKeyAnthropicRefusesFailsNamingTheUsersKey() {
    Sessions.Ready session = Sessions.provision();
    String userKey = "sk-ant-api03-" + UUID.randomUUID().toString().replace("-", "") + "Bad7";
    publish(
        session.userId(),
        new AnthropicKeyChanged(
            secrets.seal(userKey, SecretContexts.userAnthropicKey(session.userId())),
            "Bad7",
            Instant.now()));
    await().atMost(Duration.ofSeconds(120)).until(() -> key(session.userId()).isPresent());
    String marker = "refused-key-" + UUID.randomUUID();
    stub.when(marker, Turn.error(401, "invalid x-api-key"));
    UUID task = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(session.sessionId(), session.userId(), Sessions.task(task, "go " + marker));
      TaskFailed failed =
          Sessions.payload(Sessions.awaitTask(gateway, task, "task.failed"), TaskFailed.class);
      assertThat(failed.code()).isEqualTo(TaskFailed.ERROR);
      assertThat(failed.reason())
          .contains("your own API key (ending Bad7)")
          .contains("not the platform's")
          .doesNotContain(userKey);
    }
    assertThat(requests(marker)).isNotEmpty().allMatch(r -> userKey.equals(r.apiKey()));
  }

  private List<AnthropicStub.Recorded> requests(String marker) {
    return stub.requests().stream()
        .filter(r -> r.conversation().prompt().contains(marker))
        .toList();
  }

  private static List<ModelUsage> usages(KafkaProbe gateway, UUID taskId) {
    return gateway.records().stream()
        .map(r -> EventCodec.read(r.value()))
        .filter(e -> e.type().equals("model.usage"))
        .map(e -> Sessions.payload(e, ModelUsage.class))
        .filter(u -> u.taskId().equals(taskId))
        .toList();
  }

  private Optional<UserKeyRepository.SealedKey> key(String owner) {
    return OnVertx.await(() -> Panache.withSession(() -> keys.find(owner)));
  }

  private BudgetRepository.Limits limits(UUID sessionId, String owner) {
    return OnVertx.await(
        () ->
            Panache.withSession(
                () -> budgets.limits(sessionId, owner, ModelProxy.monthStart(Instant.now()))));
  }

  private String mint(UUID sessionId, String owner, UUID taskId) {
    return OnVertx.await(
        () ->
            Panache.withTransaction(
                () -> tokens.mint(sessionId, owner, taskId, Duration.ofMinutes(5))));
  }

  static HttpResponse<String> ask(String token, String marker) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return http.send(
        HttpRequest.newBuilder(URI.create(PROXY + "/v1/messages"))
            .header("x-api-key", token)
            .header("content-type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"say it "
                        + marker
                        + "\"}]}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void publish(String user, dev.remoteclaude.common.events.Event event) {
    EventEnvelope envelope = EventCodec.envelope(event, "billing-service", user, user);
    KafkaProbe.send(Topics.BILLING, user, EventCodec.write(envelope));
  }
}
