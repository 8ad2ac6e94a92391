package dev.remoteclaude.billing.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SessionEventsListenerTest {

  @Test
  void metersSessionTimePerStateOncePerEvent() {
    String user = "billing-" + UUID.randomUUID();
    String session = UUID.randomUUID().toString();
    Instant monthStart =
        YearMonth.now(ZoneOffset.UTC).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Instant tenMinutesAgo = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
    Instant t0 = tenMinutesAgo.isBefore(monthStart) ? monthStart : tenMinutesAgo;
    EventEnvelope ready = change(session, user, "PROVISIONING", "READY", t0);
    EventEnvelope paused = change(session, user, "READY", "PAUSED", t0.plusSeconds(300));
    EventEnvelope terminated = change(session, user, "PAUSED", "TERMINATED", t0.plusSeconds(420));

    KafkaProbe.send(Topics.SESSIONS, session, EventCodec.write(ready));
    KafkaProbe.send(Topics.SESSIONS, session, EventCodec.write(paused));
    KafkaProbe.send(Topics.SESSIONS, session, EventCodec.write(paused)); // redelivered
    KafkaProbe.send(Topics.SESSIONS, session, EventCodec.write(terminated));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(Tokens.forUser(user))
                    .get("/api/v1/billing/usage")
                    .then()
                    .statusCode(200)
                    .body("sessionSeconds.READY", equalTo(300))
                    .body("sessionSeconds.PAUSED", equalTo(120)));

    // Another user sees none of it.
    given()
        .auth()
        .oauth2(Tokens.forUser("someone-else-" + UUID.randomUUID()))
        .get("/api/v1/billing/usage")
        .then()
        .statusCode(200)
        .body("sessionSeconds.size()", greaterThanOrEqualTo(0))
        .body("sessionSeconds.READY", org.hamcrest.Matchers.nullValue());
  }

  private static EventEnvelope change(
      String session, String user, String from, String to, Instant at) {
    return EventCodec.envelope(
        new SessionStateChanged(from, to, "test", at, null), "session-service", session, user);
  }
}
