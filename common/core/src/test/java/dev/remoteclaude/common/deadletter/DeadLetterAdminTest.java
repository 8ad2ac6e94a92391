package dev.remoteclaude.common.deadletter;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.testapp.NoticeListener;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The operators' view of the dead-letter topic ({@code rc.dlq.common-test} in this test app) and
 * replays, against the real broker: records land there through SmallRye's dead-letter-queue failure
 * strategy after the inbox's retries, exactly as in the services.
 */
@QuarkusTest
class DeadLetterAdminTest {

  private static final String PATH = "/api/v1/admin/dead-letters";

  @Inject Pool pool;
  @Inject NoticeListener listener;

  @Test
  void aFailedEventIsListedWithItsReasonAndHandledWhenReplayedAfterTheCauseIsMended() {
    String subject = UUID.randomUUID().toString();
    String message = "fail-until-mended " + subject;
    EventEnvelope event = notice(subject, message);
    KafkaProbe.send(Topics.SESSIONS, subject, EventCodec.write(event));

    Map<String, Object> dead = awaitListed(subject);
    assertThat(dead)
        .containsEntry("originalTopic", Topics.SESSIONS)
        .containsEntry("reason", "handler failure")
        .containsEntry("eventType", "session.notice")
        .containsEntry("eventId", event.id().toString())
        .containsEntry("replayed", null);
    assertThat(dead.get("timestamp")).isNotNull();
    assertThat((Integer) dead.get("sizeBytes")).isGreaterThan(message.length());
    assertThat((Integer) dead.get("originalOffset")).isNotNull();
    assertThat(received(subject)).isZero();

    listener.mend(message);
    String replay = PATH + "/" + dead.get("partition") + "/" + dead.get("offset") + "/replay";
    given()
        .auth()
        .oauth2(Tokens.operator("op"))
        .when()
        .post(replay)
        .then()
        .statusCode(200)
        .body("outcome", equalTo("HANDLED"))
        .body("originalTopic", equalTo(Topics.SESSIONS))
        .body("replays", equalTo(1));
    assertThat(received(subject)).as("handled by the replay").isEqualTo(1);

    // Replaying what was handled changes nothing (the inbox knows the event).
    given()
        .auth()
        .oauth2(Tokens.operator("op2"))
        .when()
        .post(replay)
        .then()
        .statusCode(200)
        .body("outcome", equalTo("HANDLED"))
        .body("replays", equalTo(2));
    assertThat(received(subject)).isEqualTo(1);

    @SuppressWarnings("unchecked")
    Map<String, Object> replayed = (Map<String, Object>) awaitListed(subject).get("replayed");
    assertThat(replayed)
        .containsEntry("replays", 2)
        .containsEntry("lastReplayedBy", "op2")
        .containsEntry("outcome", "HANDLED");
  }

  @Test
  void aPoisonMessageIsListedAndItsReplayFailsAgainVisibly() {
    String subject = UUID.randomUUID().toString();
    KafkaProbe.send(Topics.SESSIONS, subject, "{not json " + subject);

    Map<String, Object> dead = awaitListed(subject);
    assertThat(dead.get("reason")).isNotNull();
    assertThat(dead.get("eventType")).isNull();
    assertThat(dead.get("eventId")).isNull();

    given()
        .auth()
        .oauth2(Tokens.operator("op"))
        .when()
        .post(PATH + "/" + dead.get("partition") + "/" + dead.get("offset") + "/replay")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("replays", equalTo(1));
    @SuppressWarnings("unchecked")
    Map<String, Object> replayed = (Map<String, Object>) awaitListed(subject).get("replayed");
    assertThat(replayed).containsEntry("outcome", "FAILED").containsEntry("replays", 1);
  }

  @Test
  void anUnknownRecordIs404() {
    for (String record : List.of("0/" + Long.MAX_VALUE, "9999/0")) {
      given()
          .auth()
          .oauth2(Tokens.operator("op"))
          .when()
          .post(PATH + "/" + record + "/replay")
          .then()
          .statusCode(404)
          .contentType("application/problem+json");
    }
  }

  @Test
  void onlyOperatorsGetInAndReadsAreBounded() {
    given().when().get(PATH).then().statusCode(401).contentType("application/problem+json");
    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .when()
        .get(PATH)
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(Tokens.withGroups("mallory", "rc-user"))
        .when()
        .post(PATH + "/0/0/replay")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    for (String[] query :
        List.of(
            new String[] {"size", "0"},
            new String[] {"size", "101"},
            new String[] {"partition", "-1"},
            new String[] {"from", "-5"})) {
      given()
          .auth()
          .oauth2(Tokens.operator("op"))
          .queryParam(query[0], query[1])
          .when()
          .get(PATH)
          .then()
          .statusCode(400)
          .contentType("application/problem+json");
    }
  }

  /** Waits until the listing shows the record with this key, and returns it. */
  private static Map<String, Object> awaitListed(String key) {
    return await().atMost(Duration.ofSeconds(60)).until(() -> listed(key), r -> r != null);
  }

  private static Map<String, Object> listed(String key) {
    JsonPath page =
        given()
            .auth()
            .oauth2(Tokens.operator("op"))
            .queryParam("size", 100)
            .when()
            .get(PATH)
            .then()
            .statusCode(200)
            .body("topic", equalTo("rc.dlq.common-test"))
            .extract()
            .jsonPath();
    return page.getMap("items.find { it.key == '" + key + "' }");
  }

  private static EventEnvelope notice(String subject, String message) {
    return EventCodec.envelope(
        new SessionNotice("TEST", message, Instant.now(), null), "test", subject, "u1");
  }

  private long received(String subject) {
    return OnVertx.await(
        () ->
            pool.preparedQuery("SELECT count(*) FROM received_notice WHERE subject = $1")
                .execute(Tuple.of(subject))
                .map(rows -> rows.iterator().next().getLong(0)));
  }
}
