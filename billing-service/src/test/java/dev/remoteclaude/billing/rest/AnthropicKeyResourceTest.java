package dev.remoteclaude.billing.rest;

import static dev.remoteclaude.billing.BillingFixtures.as;
import static dev.remoteclaude.billing.BillingFixtures.newUser;
import static dev.remoteclaude.billing.BillingFixtures.send;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.comparesEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.remoteclaude.billing.repository.AnthropicKeyRepository;
import dev.remoteclaude.common.crypto.SecretBox;
import dev.remoteclaude.common.crypto.SecretContexts;
import dev.remoteclaude.common.events.AnthropicKeyChanged;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The user's own Anthropic key: write-only, sealed at rest and in the event that takes it to the
 * gateway, another user never sees it, bad values are 400; tokens spent on it are metered but cost
 * nothing.
 */
@QuarkusTest
class AnthropicKeyResourceTest {

  private static final String PROBLEM = "application/problem+json";
  private static final String PATH = "/api/v1/billing/anthropic-key";

  @Inject AnthropicKeyRepository keys;

  @Inject SecretBox secrets;

  @Test
  void aKeyIsSetSealedShownByItsLastFourSentSealedToTheGatewayAndRemoved() {
    String user = newUser();
    String other = newUser();
    String key = "sk-ant-api03-" + UUID.randomUUID().toString().replace("-", "") + "Zq9w";
    given().get(PATH).then().statusCode(401);
    given()
        .contentType("application/json")
        .body("{\"apiKey\":\"" + key + "\"}")
        .put(PATH)
        .then()
        .statusCode(401);
    as(user).get(PATH).then().statusCode(200).body("set", equalTo(false));

    try (KafkaProbe billing = KafkaProbe.watch(Topics.BILLING)) {
      String body =
          as(user)
              .contentType("application/json")
              .body("{\"apiKey\":\"" + key + "\"}")
              .put(PATH)
              .then()
              .statusCode(200)
              .body("set", equalTo(true))
              .body("last4", equalTo("Zq9w"))
              .body("setAt", notNullValue())
              .extract()
              .asString();
      assertThat(body).doesNotContain(key);
      String shown = as(user).get(PATH).then().statusCode(200).extract().asString();
      assertThat(JsonPath.from(shown).getString("last4")).isEqualTo("Zq9w");
      assertThat(shown).doesNotContain(key);
      // Another user has no key, and does not see this one.
      as(other)
          .get(PATH)
          .then()
          .statusCode(200)
          .body("set", equalTo(false))
          .body("last4", nullValue());

      // At rest: sealed for this user only.
      AnthropicKeyRepository.StoredKey stored =
          OnVertx.await(() -> Panache.withSession(() -> keys.find(user))).orElseThrow();
      assertThat(stored.sealedKey()).doesNotContain(key);
      assertThat(secrets.open(stored.sealedKey(), SecretContexts.userAnthropicKey(user)))
          .isEqualTo(key);
      assertThat(
              org.assertj.core.api.Assertions.catchThrowable(
                  () -> secrets.open(stored.sealedKey(), SecretContexts.userAnthropicKey(other))))
          .isInstanceOf(SecretBox.SecretException.class);

      // The gateway is sent the sealed key, never the key in clear.
      ConsumerRecord<String, String> sent = awaitKey(billing, user, k -> k.sealedKey() != null);
      assertThat(sent.value()).doesNotContain(key);
      AnthropicKeyChanged changed = payload(sent);
      assertThat(secrets.open(changed.sealedKey(), SecretContexts.userAnthropicKey(user)))
          .isEqualTo(key);
      assertThat(changed.last4()).isEqualTo("Zq9w");

      // Another user's removal changes nothing of this user's.
      as(other).delete(PATH).then().statusCode(204);
      as(user).get(PATH).then().body("set", equalTo(true));

      as(user).delete(PATH).then().statusCode(204);
      as(user).get(PATH).then().statusCode(200).body("set", equalTo(false));
      as(user).delete(PATH).then().statusCode(204);
      AnthropicKeyChanged removed = payload(awaitKey(billing, user, k -> k.sealedKey() == null));
      assertThat(removed.last4()).isNull();
    }
  }

  @Test
  void aValueThatIsNotAnAnthropicKeyIs400AndIsNotEchoed() {
    String user = newUser();
    for (String bad :
        new String[] {
          "{}",
          "{\"apiKey\": null}",
          "{\"apiKey\": \"sk-live-notanthropicatall1234567890\"}",
          "{\"apiKey\": \"sk-ant-short\"}",
          "{\"apiKey\": \"sk-ant-has spaces in it 1234567890abcdef\"}",
          "{\"apiKey\": \"sk-ant-" + "x".repeat(300) + "\"}",
          "{\"apiKey\": 12345}",
          "not json"
        }) {
      as(user)
          .contentType("application/json")
          .body(bad)
          .put(PATH)
          .then()
          .statusCode(400)
          .contentType(PROBLEM)
          .body(not(containsString("Exception")))
          .body(not(containsString("dev.remoteclaude")))
          .body(not(containsString("sk-live-notanthropic")))
          .body(not(containsString("has spaces")));
    }
    as(user).get(PATH).then().body("set", equalTo(false));
  }

  @Test
  void tokensSpentOnTheUsersOwnKeyAreMeteredAtNoPrice() {
    String user = newUser();
    UUID session = UUID.randomUUID();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    // 200k Haiku 4.5 output tokens on the user's key ($0), then 100k on the platform's ($0.50).
    send(
        EventCodec.envelope(
            new ModelUsage(UUID.randomUUID(), "claude-haiku-4-5", 1000, 200_000, 0, 0, now, true),
            "sandbox-gateway",
            session.toString(),
            user));
    send(
        EventCodec.envelope(
            new ModelUsage(UUID.randomUUID(), "claude-haiku-4-5", 0, 100_000, 0, 0, now, false),
            "sandbox-gateway",
            session.toString(),
            user));
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () -> {
              String usage =
                  as(user).get("/api/v1/billing/usage").then().statusCode(200).extract().asString();
              JsonPath json = JsonPath.from(usage);
              assertThat(json.getLong("modelTokens.'claude-haiku-4-5'.output"))
                  .as(usage)
                  .isEqualTo(300_000L);
              assertThat(new BigDecimal(json.getString("totalUsd")))
                  .as(usage)
                  .isEqualByComparingTo("0.5");
            });
    as(user)
        .get("/api/v1/billing/budget")
        .then()
        .body("month.spentUsd", comparesEqualTo(new BigDecimal("0.5")));
  }

  private static AnthropicKeyChanged payload(ConsumerRecord<String, String> record) {
    return (AnthropicKeyChanged) EventCodec.payload(EventCodec.read(record.value())).orElseThrow();
  }

  private static ConsumerRecord<String, String> awaitKey(
      KafkaProbe billing, String user, Predicate<AnthropicKeyChanged> match) {
    return billing.awaitRecord(
        r -> {
          if (!user.equals(r.key())) {
            return false;
          }
          EventEnvelope envelope = EventCodec.read(r.value());
          return envelope.subject().equals(user)
              && EventCodec.payload(envelope).orElse(null) instanceof AnthropicKeyChanged k
              && match.test(k);
        });
  }
}
