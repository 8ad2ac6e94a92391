package dev.remoteclaude.common.outage;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.testapp.NoteService;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import dev.remoteclaude.testing.TestInfra;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The broker and the database go away and come back; nothing committed is lost. */
@QuarkusTest
class InfrastructureOutageTest {

  @Inject NoteService notes;
  @Inject Pool pool;

  @BeforeEach
  void onlyWithOurOwnInfrastructure() {
    Assumptions.assumeTrue(
        TestInfra.ownsInfrastructure(), "needs PostgreSQL and Kafka started by this test JVM");
  }

  @Test
  void eventsCommittedWhileKafkaIsDownArePublishedOnceWhenItReturns() {
    String subject = UUID.randomUUID().toString();
    try (KafkaProbe probe = KafkaProbe.watch(Topics.SESSIONS)) {
      TestInfra.withKafkaDown(
          () -> {
            for (int i = 0; i < 5; i++) {
              int n = i;
              OnVertx.await(() -> notes.create("u1", subject, "during outage " + n, false));
            }
            // The state changes committed; their events wait in the outbox.
            await()
                .during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .until(() -> unpublished(subject) == 5);
          });

      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(() -> assertThat(unpublished(subject)).isZero());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> probe.records().stream().filter(r -> subject.equals(r.key())).count() >= 5);
      List<EventEnvelope> published =
          probe.records().stream()
              .filter(r -> subject.equals(r.key()))
              .map(r -> EventCodec.read(r.value()))
              .toList();
      assertThat(published).hasSize(5);
      assertThat(published.stream().map(e -> e.data().get("message").asText()))
          .containsExactly(
              "during outage 0",
              "during outage 1",
              "during outage 2",
              "during outage 3",
              "during outage 4");
    }
  }

  @Test
  void whileTheDatabaseIsDownReadinessSaysSoAndRequestsGet503ThenBothRecover() {
    TestInfra.withPostgresDown(
        () -> {
          await()
              .atMost(Duration.ofSeconds(30))
              .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(503));
          given()
              .auth()
              .oauth2(Tokens.forUser("alice"))
              .contentType(ContentType.JSON)
              .body("{\"text\": \"hi\", \"priority\": 1}")
              .post("/api/v1/notes")
              .then()
              .statusCode(503)
              .contentType("application/problem+json");
        });
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .auth()
                    .oauth2(Tokens.forUser("alice"))
                    .contentType(ContentType.JSON)
                    .body("{\"text\": \"after\", \"priority\": 1}")
                    .post("/api/v1/notes")
                    .then()
                    .statusCode(200));
  }

  private long unpublished(String subject) {
    return pool.preparedQuery(
            "SELECT count(*) FROM outbox_event WHERE published_at IS NULL AND message_key = $1")
        .execute(Tuple.of(subject))
        .map(rows -> rows.iterator().next().getLong(0))
        .await()
        .indefinitely();
  }
}
