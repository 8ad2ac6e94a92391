package dev.remoteclaude.billing.rest;

import static dev.remoteclaude.billing.BillingFixtures.as;
import static dev.remoteclaude.billing.BillingFixtures.change;
import static dev.remoteclaude.billing.BillingFixtures.newUser;
import static dev.remoteclaude.billing.BillingFixtures.send;
import static dev.remoteclaude.billing.BillingFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.comparesEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasToString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.remoteclaude.billing.service.LedgerService;
import dev.remoteclaude.common.events.BudgetChanged;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Budgets: caps set and shown with their spend, published for the gateway, and bad input. */
@QuarkusTest
class BudgetResourceTest {

  private static final String PROBLEM = "application/problem+json";

  @Test
  void capsAreShownWithTheirSpendAndPublishedForTheGatewayAndARedeliveredEventChangesNoTotal() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    assumeTrue(
        now.minus(Duration.ofHours(3)).isAfter(LedgerService.monthStart(now)),
        "the usage must lie in this month");
    String user = newUser();
    UUID session = UUID.randomUUID();
    try (KafkaProbe billing = KafkaProbe.watch(Topics.BILLING)) {
      // 200k Haiku 4.5 output tokens ($1), delivered twice (a redelivery), then one hour
      // running ($0.10): the same key, so the duplicate is handled before the compute.
      EventEnvelope answer =
          tokens(session, user, UUID.randomUUID(), "claude-haiku-4-5", 0, 200_000, 0, 0, now);
      send(answer);
      send(answer);
      send(change(session, user, "PROVISIONING", "READY", now.minusSeconds(7200)));
      send(change(session, user, "READY", "TERMINATED", now.minusSeconds(3600)));

      await()
          .atMost(Duration.ofSeconds(120))
          .untilAsserted(
              () -> {
                String body = as(user).get("/api/v1/billing/budget").then().extract().asString();
                assertThat(body).contains("\"spentUsd\"");
                assertThat(JsonPath.from(body).getString("month.spentUsd"))
                    .as(body)
                    .satisfies(v -> assertThat(new BigDecimal(v)).isEqualByComparingTo("1.1"));
                assertThat(JsonPath.from(body).getString("monthlyCapUsd")).as(body).isNull();
                assertThat(JsonPath.from(body).getString("month.percent")).as(body).isNull();
              });

      as(user)
          .contentType("application/json")
          .body("{\"monthlyCapUsd\": 4, \"sessionDefaultCapUsd\": 2.5}")
          .put("/api/v1/billing/budget")
          .then()
          .statusCode(200)
          .body("monthlyCapUsd", hasToString("4"))
          .body("sessionDefaultCapUsd", hasToString("2.5"))
          .body("month.spentUsd", comparesEqualTo(new BigDecimal("1.1")))
          .body("month.percent", comparesEqualTo(new BigDecimal("27.5")));

      as(user)
          .contentType("application/json")
          .body("{\"capUsd\": 1.5}")
          .put("/api/v1/billing/budget/sessions/" + session)
          .then()
          .statusCode(200)
          .body("sessions.size()", equalTo(1))
          .body("sessions[0].sessionId", equalTo(session.toString()))
          .body("sessions[0].capUsd", hasToString("1.5"))
          .body("sessions[0].ownCap", equalTo(true))
          .body("sessions[0].spentUsd", comparesEqualTo(new BigDecimal("1.1")))
          .body("sessions[0].percent", comparesEqualTo(new BigDecimal("73.3")));

      // The gateway is told the caps and the compute spend (it adds the tokens it metered).
      BudgetChanged published =
          awaitBudget(
              billing,
              user,
              b -> !b.sessions().isEmpty() && b.sessions().getFirst().capUsd() != null);
      assertThat(published.monthlyCapUsd()).isEqualByComparingTo("4");
      assertThat(published.sessionDefaultCapUsd()).isEqualByComparingTo("2.5");
      assertThat(published.monthStart()).isEqualTo(LedgerService.monthStart(now));
      assertThat(published.monthComputeUsd()).isEqualByComparingTo("0.1");
      assertThat(published.sessions())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.sessionId()).isEqualTo(session);
                assertThat(s.capUsd()).isEqualByComparingTo("1.5");
                assertThat(s.computeUsd()).isEqualByComparingTo("0.1");
              });

      // Back to the default cap, and no monthly cap: published too.
      as(user)
          .contentType("application/json")
          .body("{\"capUsd\": null}")
          .put("/api/v1/billing/budget/sessions/" + session)
          .then()
          .statusCode(200);
      as(user)
          .contentType("application/json")
          .body("{\"sessionDefaultCapUsd\": 2.5}")
          .put("/api/v1/billing/budget")
          .then()
          .statusCode(200)
          .body("monthlyCapUsd", nullValue());
      BudgetChanged cleared =
          awaitBudget(
              billing,
              user,
              b ->
                  b.monthlyCapUsd() == null
                      && b.sessions().stream().allMatch(s -> s.capUsd() == null));
      assertThat(cleared.sessionDefaultCapUsd()).isEqualByComparingTo("2.5");
      // The redelivered answer was charged once.
      as(user)
          .get("/api/v1/billing/budget")
          .then()
          .body("month.spentUsd", comparesEqualTo(new BigDecimal("1.1")));
    }
  }

  @Test
  void badCapsAre400AndAnotherUsersOrAnUnknownSessionIs404() {
    String user = newUser();
    for (String bad :
        new String[] {
          "{\"monthlyCapUsd\": -1}",
          "{\"monthlyCapUsd\": 0}",
          "{\"sessionDefaultCapUsd\": 0.0000001}",
          "{\"monthlyCapUsd\": 1000001}",
          "{\"monthlyCapUsd\": \"lots\"}"
        }) {
      as(user)
          .contentType("application/json")
          .body(bad)
          .put("/api/v1/billing/budget")
          .then()
          .statusCode(400)
          .contentType(PROBLEM)
          .body(not(containsString("Exception")))
          .body(not(containsString("dev.remoteclaude")));
    }
    String other = newUser();
    UUID theirs = UUID.randomUUID();
    send(change(theirs, other, "PROVISIONING", "READY", Instant.now().minusSeconds(60)));
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () ->
                as(other)
                    .contentType("application/json")
                    .body("{\"capUsd\": 3}")
                    .put("/api/v1/billing/budget/sessions/" + theirs)
                    .then()
                    .statusCode(200));
    for (UUID session : new UUID[] {theirs, UUID.randomUUID()}) {
      as(user)
          .contentType("application/json")
          .body("{\"capUsd\": 3}")
          .put("/api/v1/billing/budget/sessions/" + session)
          .then()
          .statusCode(404)
          .contentType(PROBLEM);
    }
    as(user)
        .contentType("application/json")
        .body("{\"capUsd\": -3}")
        .put("/api/v1/billing/budget/sessions/" + theirs)
        .then()
        .statusCode(400)
        .contentType(PROBLEM);
    // The other user's cap is theirs only.
    as(user)
        .get("/api/v1/billing/budget")
        .then()
        .statusCode(200)
        .body("sessions.size()", equalTo(0));
    as(other).get("/api/v1/billing/budget").then().body("sessions[0].capUsd", hasToString("3"));
  }

  private static BudgetChanged awaitBudget(
      KafkaProbe billing, String user, Predicate<BudgetChanged> match) {
    ConsumerRecord<String, String> record =
        billing.awaitRecord(
            r -> {
              if (!user.equals(r.key())) {
                return false;
              }
              EventEnvelope envelope = EventCodec.read(r.value());
              return envelope.subject().equals(user)
                  && EventCodec.payload(envelope).orElse(null) instanceof BudgetChanged b
                  && match.test(b);
            });
    return (BudgetChanged) EventCodec.payload(EventCodec.read(record.value())).orElseThrow();
  }
}
