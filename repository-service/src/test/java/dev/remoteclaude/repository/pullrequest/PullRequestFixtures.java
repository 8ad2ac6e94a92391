package dev.remoteclaude.repository.pullrequest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.repository.ForgeStub;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Users, registered repositories and known sessions for the pull request tests. */
final class PullRequestFixtures {

  private PullRequestFixtures() {}

  static String newUser() {
    return "user-" + UUID.randomUUID();
  }

  static RequestSpecification as(String user) {
    return given().auth().oauth2(Tokens.forUser(user)).contentType(ContentType.JSON);
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Registers {@code url} for {@code user} with {@code token}; its id. */
  static String register(String user, String url, String token) {
    Map<String, Object> body = new HashMap<>();
    body.put("url", url);
    if (token != null) {
      body.put("credential", Map.of("token", token));
    }
    return as(user)
        .body(body)
        .post("/api/v1/repositories")
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  /** A session of {@code user} on {@code url}, once repository-service knows it. */
  static UUID session(String user, String url) {
    UUID sessionId = ForgeStub.sessionRequested(user, url);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> as(user).get(path(sessionId)).statusCode() == 200);
    return sessionId;
  }

  static String path(UUID sessionId) {
    return "/api/v1/sessions/" + sessionId + "/pull-requests";
  }

  static EventEnvelope awaitEvent(KafkaProbe probe, UUID sessionId, String type) {
    ConsumerRecord<String, String> record =
        probe.awaitRecord(
            r ->
                sessionId.toString().equals(r.key())
                    && EventCodec.read(r.value()).type().equals(type));
    return EventCodec.read(record.value());
  }
}
