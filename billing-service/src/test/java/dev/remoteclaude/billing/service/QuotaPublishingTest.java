package dev.remoteclaude.billing.service;

import static dev.remoteclaude.billing.BillingFixtures.as;
import static dev.remoteclaude.billing.BillingFixtures.change;
import static dev.remoteclaude.billing.BillingFixtures.newUser;
import static dev.remoteclaude.billing.BillingFixtures.send;
import static dev.remoteclaude.billing.BillingFixtures.tokens;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.QuotaChanged;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** billing.quota-changed: what session-service enforces creation and resumption with. */
@QuarkusTest
class QuotaPublishingTest {

  private static final long FREE_SECONDS = 50 * 3600;
  private KafkaProbe billing;

  @BeforeEach
  void watch() {
    billing = KafkaProbe.watch(Topics.BILLING);
  }

  @AfterEach
  void close() {
    billing.close();
  }

  @Test
  void aUserSeenForTheFirstTimeGetsTheDefaultPlansQuota() {
    String user = newUser();
    send(tokens(UUID.randomUUID(), user, UUID.randomUUID(), "claude-haiku-4-5", 1, 1, 0, 0, now()));

    QuotaChanged quota = awaitQuota(user, q -> true);
    assertThat(quota.maxActiveSessions()).isEqualTo(3);
    assertThat(quota.sessionSecondsPerMonth()).isEqualTo(FREE_SECONDS);
    assertThat(quota.usedSessionSeconds()).isZero();
  }

  @Test
  void publishesUsedSessionSecondsWhenAnIntervalClosesAndTheNewLimitsWhenThePlanChanges() {
    Instant now = now();
    assumeTrue(
        now.minus(Duration.ofHours(2)).isAfter(LedgerService.monthStart(now)),
        "the intervals must lie in this month");
    String user = newUser();
    UUID session = UUID.randomUUID();
    send(change(session, user, "PROVISIONING", "READY", now.minusSeconds(5000)));
    send(change(session, user, "READY", "PAUSED", now.minusSeconds(4400)));

    // 600 s running; the paused interval that follows does not count.
    QuotaChanged closed = awaitQuota(user, q -> q.usedSessionSeconds() == 600);
    assertThat(closed.sessionSecondsPerMonth()).isEqualTo(FREE_SECONDS);
    assertThat(closed.maxActiveSessions()).isEqualTo(3);
    as(user)
        .get("/api/v1/billing/plan")
        .then()
        .statusCode(200)
        .body("plan", equalTo("free"))
        .body("usedSessionSeconds", equalTo(600))
        .body("remainingSessionSeconds", equalTo((int) (FREE_SECONDS - 600)));

    // A plan change publishes the new limits with what was used.
    setPlan(user, "pro")
        .body("plan", equalTo("pro"))
        .body("maxActiveSessions", equalTo(10))
        .body("usedSessionSeconds", equalTo(600));
    QuotaChanged pro = awaitQuota(user, q -> q.maxActiveSessions() == 10);
    assertThat(pro.sessionSecondsPerMonth()).isEqualTo(500 * 3600);
    assertThat(pro.usedSessionSeconds()).isEqualTo(600);
    as(user).get("/api/v1/billing/plan").then().body("plan", equalTo("pro"));

    // On a plan of one hour, the hours run out: session-service answers 402 from these numbers.
    setPlan(user, "tiny");
    send(change(session, user, "PAUSED", "RESUMING", now.minusSeconds(4300)));
    send(change(session, user, "RESUMING", "READY", now.minusSeconds(4290)));
    send(change(session, user, "READY", "TERMINATING", now.minusSeconds(100)));
    // 600 + 10 resuming + 4190 ready.
    QuotaChanged usedUp =
        awaitQuota(user, q -> q.maxActiveSessions() == 1 && q.usedSessionSeconds() >= 4800);
    assertThat(usedUp.sessionSecondsPerMonth()).isEqualTo(3600);
    send(change(session, user, "TERMINATING", "TERMINATED", now.minusSeconds(90)));
    awaitQuota(user, q -> q.usedSessionSeconds() == 4810);
  }

  @Test
  void aRunningSessionsSecondsArePublishedAsTheyGrow() {
    Instant now = now();
    assumeTrue(
        now.minus(Duration.ofHours(1)).isAfter(LedgerService.monthStart(now)),
        "the interval must lie in this month");
    String user = newUser();
    send(change(UUID.randomUUID(), user, "PROVISIONING", "READY", now.minusSeconds(1200)));

    QuotaChanged first = awaitQuota(user, q -> q.usedSessionSeconds() >= 1200);
    // The quota job (every second in tests) publishes again while the session runs.
    QuotaChanged later = awaitQuota(user, q -> q.usedSessionSeconds() > first.usedSessionSeconds());
    assertThat(later.at()).isAfter(first.at());
  }

  @Test
  void onlyOperatorsChangePlansAndOnlyToConfiguredOnes() {
    String user = newUser();
    String path = "/api/v1/billing/admin/users/" + user + "/plan";
    given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .contentType("application/json")
        .body("{\"plan\": \"team\"}")
        .put(path)
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(Tokens.operator("op"))
        .contentType("application/json")
        .body("{\"plan\": \"platinum\"}")
        .put(path)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors[0].field", equalTo("plan"));
    given()
        .auth()
        .oauth2(Tokens.operator("op"))
        .contentType("application/json")
        .body("{}")
        .put(path)
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    as(user).get("/api/v1/billing/plan").then().statusCode(200).body("plan", equalTo("free"));
  }

  private static io.restassured.response.ValidatableResponse setPlan(String user, String plan) {
    return given()
        .auth()
        .oauth2(Tokens.operator("op-" + UUID.randomUUID()))
        .contentType("application/json")
        .body("{\"plan\": \"" + plan + "\"}")
        .put("/api/v1/billing/admin/users/" + user + "/plan")
        .then()
        .statusCode(200);
  }

  private QuotaChanged awaitQuota(String user, Predicate<QuotaChanged> match) {
    ConsumerRecord<String, String> record =
        billing.awaitRecord(
            r -> {
              if (!user.equals(r.key())) {
                return false;
              }
              EventEnvelope envelope = EventCodec.read(r.value());
              return envelope.subject().equals(user)
                  && envelope.userId().equals(user)
                  && EventCodec.payload(envelope).orElse(null) instanceof QuotaChanged q
                  && match.test(q);
            });
    return (QuotaChanged) EventCodec.payload(EventCodec.read(record.value())).orElseThrow();
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }
}
