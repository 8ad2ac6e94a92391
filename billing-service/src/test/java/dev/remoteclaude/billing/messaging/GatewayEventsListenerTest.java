package dev.remoteclaude.billing.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.events.TaskProgress;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GatewayEventsListenerTest {

  @Test
  void metersModelTokensPerModelOncePerEventAndOnlyForTheirOwner() {
    String user = "tokens-" + UUID.randomUUID();
    String session = UUID.randomUUID().toString();
    UUID task = UUID.randomUUID();
    EventEnvelope first = usage(session, user, task, "claude-sonnet-4-5", 1200, 300, 5000, 40);
    EventEnvelope second = usage(session, user, task, "claude-sonnet-4-5", 800, 200, 0, 0);
    EventEnvelope haiku = usage(session, user, task, "claude-haiku-4-5", 10, 5, 0, 0);
    KafkaProbe.send(Topics.GATEWAY, session, EventCodec.write(first));
    KafkaProbe.send(Topics.GATEWAY, session, EventCodec.write(first)); // redelivered
    // Other gateway events pass by unmetered.
    KafkaProbe.send(
        Topics.GATEWAY,
        session,
        EventCodec.write(
            EventCodec.envelope(
                new TaskProgress(task, 3, "Bash", BigDecimal.ONE, 99_999, 99_999, Instant.now()),
                "sandbox-gateway",
                session,
                user)));
    KafkaProbe.send(Topics.GATEWAY, session, EventCodec.write(second));
    KafkaProbe.send(Topics.GATEWAY, session, EventCodec.write(haiku));

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
                    .body("modelTokens.'claude-sonnet-4-5'.input", equalTo(2000))
                    .body("modelTokens.'claude-sonnet-4-5'.output", equalTo(500))
                    .body("modelTokens.'claude-sonnet-4-5'.cacheRead", equalTo(5000))
                    .body("modelTokens.'claude-sonnet-4-5'.cacheCreation", equalTo(40))
                    .body("modelTokens.'claude-haiku-4-5'.output", equalTo(5)));

    given()
        .auth()
        .oauth2(Tokens.forUser("someone-else-" + UUID.randomUUID()))
        .get("/api/v1/billing/usage")
        .then()
        .statusCode(200)
        .body("modelTokens.'claude-sonnet-4-5'", nullValue());
  }

  private static EventEnvelope usage(
      String session,
      String user,
      UUID task,
      String model,
      long input,
      long output,
      long cacheRead,
      long cacheCreation) {
    return EventCodec.envelope(
        new ModelUsage(task, model, input, output, cacheRead, cacheCreation, Instant.now()),
        "sandbox-gateway",
        session,
        user);
  }
}
