package dev.remoteclaude.billing;

import static io.restassured.RestAssured.given;

import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.restassured.RestAssured;
import io.restassured.config.JsonConfig;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.UUID;

/** Feeds billing the events it meters and asks its API, as a given user. */
public final class BillingFixtures {

  private BillingFixtures() {}

  public static String newUser() {
    return "billing-" + UUID.randomUUID();
  }

  /** A request as {@code user}, reading JSON numbers as BigDecimal (amounts are exact). */
  public static RequestSpecification as(String user) {
    return given()
        .config(
            RestAssured.config()
                .jsonConfig(
                    JsonConfig.jsonConfig()
                        .numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL)))
        .auth()
        .oauth2(Tokens.forUser(user));
  }

  public static EventEnvelope change(
      UUID session, String user, String from, String to, Instant at) {
    return envelope(
        new SessionStateChanged(from, to, "test", at, null), "session-service", session, user);
  }

  public static EventEnvelope provisioned(UUID session, String user, String provider) {
    return envelope(
        new SandboxProvisioned(provider, "sb-" + session, Instant.now()),
        "sandbox-gateway",
        session,
        user);
  }

  public static EventEnvelope tokens(
      UUID session,
      String user,
      UUID task,
      String model,
      long input,
      long output,
      long cacheRead,
      long cacheWrite,
      Instant at) {
    return envelope(
        new ModelUsage(task, model, input, output, cacheRead, cacheWrite, at),
        "sandbox-gateway",
        session,
        user);
  }

  private static EventEnvelope envelope(Event payload, String source, UUID session, String user) {
    return EventCodec.envelope(payload, source, session.toString(), user);
  }

  /** Sends an event on the topic its type belongs to, keyed by its session. */
  public static void send(EventEnvelope event) {
    String topic = event.source().equals("session-service") ? Topics.SESSIONS : Topics.GATEWAY;
    KafkaProbe.send(topic, event.subject(), EventCodec.write(event));
  }
}
