package dev.remoteclaude.billing.service;

import static dev.remoteclaude.billing.BillingFixtures.as;
import static dev.remoteclaude.billing.BillingFixtures.change;
import static dev.remoteclaude.billing.BillingFixtures.newUser;
import static dev.remoteclaude.billing.BillingFixtures.provisioned;
import static dev.remoteclaude.billing.BillingFixtures.send;
import static dev.remoteclaude.billing.BillingFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.comparesEqualTo;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.billing.repository.SessionProviderRepository;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The usage ledger: lines priced from the rate card, written once per event. */
@QuarkusTest
class LedgerTest {

  @Inject SessionProviderRepository providers;
  @Inject LedgerService ledger;

  /** Two days ago, so nothing here depends on the month or runs into the future. */
  private static final Instant T0 =
      Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofDays(2));

  private static final String RANGE =
      "?from=" + T0.minus(Duration.ofHours(1)) + "&to=" + T0.plus(Duration.ofDays(1));

  @Test
  void chargesComputePerSecondByProviderAndState() {
    String user = newUser();
    UUID onKubernetes = UUID.randomUUID();
    UUID unknownProvider = UUID.randomUUID();
    send(provisioned(onKubernetes, user, "kubernetes"));
    awaitProvider(onKubernetes, "kubernetes");

    // kubernetes: 30 min running at $0.12/h, 1 h paused at $0.01/h.
    send(change(onKubernetes, user, "PROVISIONING", "READY", T0));
    send(change(onKubernetes, user, "READY", "PAUSED", T0.plusSeconds(1800)));
    send(change(onKubernetes, user, "PAUSED", "TERMINATED", T0.plusSeconds(5400)));
    // No sandbox.provisioned seen: the default provider's rate, 1 h running at $0.10/h.
    send(change(unknownProvider, user, "PROVISIONING", "READY", T0));
    send(change(unknownProvider, user, "READY", "TERMINATED", T0.plusSeconds(3600)));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                usage(user, "&groupBy=session")
                    .body("totalUsd", comparesEqualTo(new BigDecimal("0.17")))
                    .body(group(onKubernetes), comparesEqualTo(new BigDecimal("0.07")))
                    .body(group(unknownProvider), comparesEqualTo(new BigDecimal("0.10"))));

    usage(user, "&groupBy=kind")
        .body("groupBy", equalTo("kind"))
        .body("groups.size()", equalTo(1))
        .body("groups[0].key", equalTo("COMPUTE"))
        .body("groups[0].seconds", equalTo(9000))
        .body("sessionSeconds.READY", equalTo(5400))
        .body("sessionSeconds.PAUSED", equalTo(3600));
  }

  @Test
  void chargesModelTokensPerMillionByModelAndKind() {
    String user = newUser();
    UUID session = UUID.randomUUID();
    UUID task = UUID.randomUUID();
    UUID otherTask = UUID.randomUUID();
    // Sonnet 4.5 ($3 in, $15 out, $0.30 cache read, $3.75 cache write per million):
    // 0.006 + 0.0075 + 0.0015 + 0.00015 = 0.01515
    send(tokens(session, user, task, "claude-sonnet-4-5-20250929", 2000, 500, 5000, 40, T0));
    // Opus 4.5 ($5 in, $25 out), not Opus 4's $15/$75: 0.005 + 0.0025 = 0.0075
    send(tokens(session, user, task, "claude-opus-4-5", 1000, 100, 0, 0, T0));
    // Opus 4.1 ($15 in): 0.015
    send(tokens(session, user, otherTask, "claude-opus-4-1", 1000, 0, 0, 0, T0));
    // An unknown model: the default model price ($15 out): 0.015
    send(tokens(session, user, otherTask, "a-model-from-the-future", 0, 1000, 0, 0, T0));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                usage(user, "&groupBy=task")
                    .body("totalUsd", comparesEqualTo(new BigDecimal("0.05265")))
                    .body(group(task), comparesEqualTo(new BigDecimal("0.02265")))
                    .body(group(otherTask), comparesEqualTo(new BigDecimal("0.03"))));

    usage(user, "")
        .body("groups[0].key", equalTo("MODEL"))
        .body("groups[0].inputTokens", equalTo(4000))
        .body("groups[0].cacheWriteTokens", equalTo(40))
        .body("modelTokens.'claude-sonnet-4-5-20250929'.cacheRead", equalTo(5000));
  }

  @Test
  void redeliveredEventsChangeNoTotal() {
    String user = newUser();
    UUID session = UUID.randomUUID();
    UUID task = UUID.randomUUID();
    EventEnvelope ready = change(session, user, "PROVISIONING", "READY", T0);
    EventEnvelope ended = change(session, user, "READY", "TERMINATED", T0.plusSeconds(3600));
    EventEnvelope answer =
        tokens(session, user, task, "claude-haiku-4-5", 1_000_000, 0, 0, 0, T0.plusSeconds(60));
    for (EventEnvelope event : List.of(ready, ended, answer, ready, ended, answer)) {
      send(event);
    }
    // 1 h at $0.10 + 1M Haiku 4.5 input tokens at $1.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> usage(user, "").body("totalUsd", comparesEqualTo(new BigDecimal("1.10"))));

    // Delivered again after a restart (the consumer starts over from an older offset), then a
    // marker whose effect shows the redeliveries were consumed before it.
    send(ended);
    send(answer);
    send(tokens(session, user, task, "claude-haiku-4-5", 0, 1_000_000, 0, 0, T0));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> usage(user, "").body("totalUsd", comparesEqualTo(new BigDecimal("6.10"))));

    // The ledger itself refuses a second line of one event, inbox or not.
    ModelUsage usage =
        new ModelUsage(task, "claude-haiku-4-5", 1_000_000, 0, 0, 0, T0.plusSeconds(120));
    UUID eventId = UUID.randomUUID();
    for (int i = 0; i < 2; i++) {
      OnVertx.await(
          () ->
              Panache.withTransaction(
                  () -> ledger.recordModelUsage(eventId, user, session, usage)));
    }
    usage(user, "").body("totalUsd", comparesEqualTo(new BigDecimal("7.10")));
    assertThat(
            OnVertx.await(
                () -> ledger.userSpendSince(user, T0.minus(Duration.ofHours(1)), Instant.now())))
        .isEqualByComparingTo("7.10");
  }

  private static ValidatableResponse usage(String user, String query) {
    return as(user).get("/api/v1/billing/usage" + RANGE + query).then().statusCode(200);
  }

  private static String group(UUID key) {
    return "groups.find { it.key == '" + key + "' }.amountUsd";
  }

  private void awaitProvider(UUID session, String provider) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> OnVertx.await(() -> Panache.withSession(() -> providers.find(session))),
            equalTo(Optional.of(provider)));
  }
}
