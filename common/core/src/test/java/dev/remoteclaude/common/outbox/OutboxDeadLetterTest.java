package dev.remoteclaude.common.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.remoteclaude.common.db.PgNotifications;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import dev.remoteclaude.testing.TestInfra;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Rows that cannot be published: dead-lettered, never holding back other keys, replayed by an
 * operator, against the real broker: it refuses a topic name with spaces, and records larger than a
 * topic's limit.
 */
@QuarkusTest
class OutboxDeadLetterTest {

  private static final String MESSAGE_TYPE = "session.notice";

  @Inject Outbox outbox;
  @Inject OutboxRelay relay;
  @Inject Pool pool;
  @Inject Vertx vertx;
  @Inject PgNotifications notifications;

  @Inject
  @Channel(OutboxRelay.CHANNEL)
  MutinyEmitter<String> emitter;

  @AfterEach
  void relayRuns() {
    relay.start();
  }

  @Test
  void anOversizedEventIsDeadLetteredAndTheOtherEventsStillFlow() {
    String big = uuid();
    String other = uuid();
    try (KafkaProbe probe = KafkaProbe.watch(Topics.SESSIONS)) {
      // Larger than the producer's and the broker's default limit (1 MiB).
      emit(big, "x".repeat(1_100_000));
      emit(big, "after the big one");
      emit(other, "another key");

      probe.awaitRecord(r -> other.equals(r.key()));
      probe.awaitRecord(r -> big.equals(r.key()) && r.value().contains("after the big one"));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                Row dead = oldest(big);
                assertThat(dead.getOffsetDateTime("dead_at")).isNotNull();
                assertThat(dead.getInteger("attempts")).isEqualTo(1);
                assertThat(dead.getString("last_error")).contains("RecordTooLargeException");
                assertThat(dead.getOffsetDateTime("published_at")).isNull();
              });
    }
    // The operators' list shows it, without its payload.
    String body =
        given()
            .auth()
            .oauth2(Tokens.operator("op"))
            .queryParam("size", 100)
            .when()
            .get("/api/v1/admin/outbox/dead")
            .then()
            .statusCode(200)
            .body("items.find { it.key == '" + big + "' }.type", equalTo(MESSAGE_TYPE))
            .body(
                "items.find { it.key == '" + big + "' }.sizeBytes",
                org.hamcrest.Matchers.greaterThan(1_100_000))
            .extract()
            .asString();
    assertThat(body).doesNotContain("xxxxxxxxxx");
  }

  @Test
  void aRowThatKeepsFailingIsDeadLetteredAfterMaxAttemptsAndLaterRowsOfItsKeyGoOn() {
    relay.stop();
    OutboxRelay manual = manualRelay(3, Duration.ofMillis(1));
    drain(manual);
    String key = uuid();
    // A topic name the broker refuses: every try fails the same way.
    insertRaw(key, "rc.no such topic", "never published");
    emit(key, "behind it");

    for (int round = 1; round <= 2; round++) {
      manual.publishRound().await().atMost(Duration.ofSeconds(30));
      Row head = oldest(key);
      assertThat(head.getInteger("attempts")).isEqualTo(round);
      assertThat(head.getOffsetDateTime("dead_at")).isNull();
      assertThat(head.getString("last_error")).contains("InvalidTopicException");
      assertThat(count("published_at IS NOT NULL", key)).as("its key waits").isZero();
      await().atMost(Duration.ofSeconds(5)).until(() -> retryDue(key));
    }
    try (KafkaProbe probe = KafkaProbe.watch(Topics.SESSIONS)) {
      manual.publishRound().await().atMost(Duration.ofSeconds(30));
      Row head = oldest(key);
      assertThat(head.getInteger("attempts")).isEqualTo(3);
      assertThat(head.getOffsetDateTime("dead_at")).isNotNull();
      // The next round goes on with the rest of its key.
      manual.publishRound().await().atMost(Duration.ofSeconds(30));
      probe.awaitRecord(r -> key.equals(r.key()) && r.value().contains("behind it"));
      assertThat(oldest(key).getInteger("attempts")).as("a dead row is not tried").isEqualTo(3);
    }
  }

  @Test
  void aStuckKeyDoesNotHoldBackOtherKeysInTheSameBatch() {
    relay.stop();
    OutboxRelay manual = manualRelay(100, Duration.ofMinutes(10));
    drain(manual);
    String stuck = uuid();
    // More rows of the stuck key than a whole batch (200), all older than the other key's.
    OnVertx.await(
        () ->
            pool.preparedQuery(
                    "INSERT INTO outbox_event (event_id, topic, message_key, event_type, payload,"
                        + " created_at) SELECT gen_random_uuid(), 'rc.no such topic', $1,"
                        + " 'session.notice', '{}', now() FROM generate_series(1, 250)")
                .execute(Tuple.of(stuck)));
    String other = uuid();
    emit(other, "one");
    emit(other, "two");

    int moved = manual.publishRound().await().atMost(Duration.ofSeconds(60));

    assertThat(moved).isEqualTo(2);
    assertThat(count("published_at IS NOT NULL", other)).isEqualTo(2);
    assertThat(count("published_at IS NULL AND dead_at IS NULL", stuck)).isEqualTo(250);
    Row head = oldest(stuck);
    assertThat(head.getInteger("attempts")).isEqualTo(1);
    assertThat(head.getOffsetDateTime("retry_at")).as("backing off").isNotNull();

    // While it backs off, its key is not even taken: the next round holds only the new row.
    String third = uuid();
    emit(third, "three");
    assertThat(manual.publishRound().await().atMost(Duration.ofSeconds(30))).isEqualTo(1);
    assertThat(count("published_at IS NOT NULL", third)).isEqualTo(1);
    assertThat(oldest(stuck).getInteger("attempts")).isEqualTo(1);
    // Leave nothing for the other tests' relay.
    OnVertx.await(
        () ->
            pool.preparedQuery("DELETE FROM outbox_event WHERE message_key = $1")
                .execute(Tuple.of(stuck)));
  }

  @Test
  void anOperatorReplaysADeadRowOnceTheCauseIsMended() throws Exception {
    // A topic that takes records of 2 KiB at most; this one is bigger: the broker refuses it.
    String topic = "rc.test-small-" + UUID.randomUUID();
    try (Admin admin = admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "2048"))))
          .all()
          .get();
    }
    String key = uuid();
    UUID eventId = insertRaw(key, topic, "y".repeat(4000));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> oldest(key).getOffsetDateTime("dead_at") != null);
    assertThat(oldest(key).getString("last_error")).contains("RecordTooLargeException");
    long id = oldest(key).getLong("position");

    // The operator raises the topic's limit, finds the row and replays it.
    try (Admin admin = admin()) {
      admin
          .incrementalAlterConfigs(
              Map.of(
                  new ConfigResource(ConfigResource.Type.TOPIC, topic),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("max.message.bytes", "1048588"),
                          AlterConfigOp.OpType.SET))))
          .all()
          .get();
    }
    given()
        .auth()
        .oauth2(Tokens.operator("op"))
        .queryParam("size", 100)
        .when()
        .get("/api/v1/admin/outbox/dead")
        .then()
        .statusCode(200)
        .body("items.find { it.key == '" + key + "' }.id", equalTo((int) id))
        .body("items.find { it.key == '" + key + "' }.eventId", equalTo(eventId.toString()));
    try (KafkaProbe probe = KafkaProbe.watch(topic)) {
      given()
          .auth()
          .oauth2(Tokens.operator("op"))
          .when()
          .post("/api/v1/admin/outbox/dead/" + id + "/replay")
          .then()
          .statusCode(202)
          .body("state", equalTo("PENDING"));
      var record = probe.awaitRecord(r -> key.equals(r.key()));
      assertThat(EventCodec.read(record.value()).id()).isEqualTo(eventId);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Row row = oldest(key);
              assertThat(row.getOffsetDateTime("published_at")).isNotNull();
              assertThat(row.getOffsetDateTime("dead_at")).isNull();
            });
    // No longer dead: nothing to replay.
    given()
        .auth()
        .oauth2(Tokens.operator("op"))
        .when()
        .post("/api/v1/admin/outbox/dead/" + id + "/replay")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void aBrokerOutageNeverDeadLettersAnything() {
    Assumptions.assumeTrue(
        TestInfra.ownsInfrastructure(), "needs a Kafka broker started by this test JVM");
    relay.stop();
    OutboxRelay manual = manualRelay(1, Duration.ofMillis(1));
    drain(manual);
    String key = uuid();
    emit(key, "during the outage");
    TestInfra.withKafkaDown(
        () -> {
          manual.publishRound().await().atMost(Duration.ofSeconds(30));
          Row row = oldest(key);
          assertThat(row.getString("last_error")).as("it was tried").isNotBlank();
          assertThat(row.getInteger("attempts")).isZero();
          assertThat(row.getOffsetDateTime("dead_at")).isNull();
        });
    try (KafkaProbe probe = KafkaProbe.watch(Topics.SESSIONS)) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> {
                manual.publishRound().await().atMost(Duration.ofSeconds(30));
                return oldest(key).getOffsetDateTime("published_at") != null;
              });
      probe.awaitRecord(r -> key.equals(r.key()));
    }
  }

  @Test
  void onlyOperatorsReachTheAdminEndpointsAndPagesAreBounded() {
    given()
        .when()
        .get("/api/v1/admin/outbox/dead")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    given()
        .auth()
        .oauth2(Tokens.forUser("alice"))
        .when()
        .get("/api/v1/admin/outbox/dead")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("status", equalTo(403));
    given()
        .auth()
        .oauth2(Tokens.withGroups("mallory", "rc-user"))
        .when()
        .post("/api/v1/admin/outbox/dead/1/replay")
        .then()
        .statusCode(403)
        .contentType("application/problem+json");
    for (String[] query :
        List.of(
            new String[] {"page", "2147483647"},
            new String[] {"size", "2147483647"},
            new String[] {"page", "-1"},
            new String[] {"size", "0"})) {
      given()
          .auth()
          .oauth2(Tokens.operator("op"))
          .queryParam(query[0], query[1])
          .when()
          .get("/api/v1/admin/outbox/dead")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("errors[0].field", equalTo(query[0]))
          .body(not(containsString("Exception")));
    }
    given()
        .auth()
        .oauth2(Tokens.operator("op"))
        .queryParam("page", 1_000_000)
        .queryParam("size", 100)
        .when()
        .get("/api/v1/admin/outbox/dead")
        .then()
        .statusCode(200)
        .body("items.size()", equalTo(0));
  }

  /** A relay of this application's outbox with its own limits, driven round by round. */
  private OutboxRelay manualRelay(int maxAttempts, Duration backoff) {
    OutboxConfig config =
        new OutboxConfig() {
          @Override
          public boolean relayEnabled() {
            return true;
          }

          @Override
          public int batchSize() {
            return 200;
          }

          @Override
          public int rowsPerKey() {
            return 50;
          }

          @Override
          public int maxAttempts() {
            return maxAttempts;
          }

          @Override
          public Duration retryBackoff() {
            return backoff;
          }

          @Override
          public Duration retryBackoffMax() {
            return backoff;
          }

          @Override
          public Duration pollInterval() {
            return Duration.ofHours(1);
          }

          @Override
          public Duration sendTimeout() {
            return Duration.ofSeconds(1);
          }

          @Override
          public Duration retention() {
            return Duration.ofDays(7);
          }
        };
    OutboxRelay manual = new OutboxRelay(pool, emitter, config, vertx, notifications);
    manual.startManually();
    return manual;
  }

  /** Publishes what other tests left, so that a round holds only this test's rows. */
  private static void drain(OutboxRelay manual) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> manual.publishRound().await().atMost(Duration.ofSeconds(30)) == 0);
  }

  private static Admin admin() {
    return Admin.create(new HashMap<String, Object>(TestInfra.kafkaClientProperties()));
  }

  private boolean retryDue(String key) {
    return OnVertx.await(
        () ->
            pool.preparedQuery(
                    "SELECT retry_at <= clock_timestamp() FROM outbox_event WHERE message_key = $1"
                        + " ORDER BY position LIMIT 1")
                .execute(Tuple.of(key))
                .map(rows -> rows.iterator().next().getBoolean(0)));
  }

  private void emit(String key, String message) {
    OnVertx.await(
        () ->
            Panache.withTransaction(
                () ->
                    outbox.emit(
                        new SessionNotice("TEST", message, Instant.now(), null), key, "u1")));
  }

  /** An outbox row written as Outbox would, but for a topic of the test's choosing. */
  private UUID insertRaw(String key, String topic, String message) {
    EventEnvelope envelope =
        EventCodec.envelope(
            new SessionNotice("TEST", message, Instant.now(), null), "common-test", key, "u1");
    OnVertx.await(
        () ->
            pool.preparedQuery(
                    "INSERT INTO outbox_event (event_id, topic, message_key, event_type, payload,"
                        + " created_at) VALUES ($1, $2, $3, $4, $5, now())")
                .execute(
                    Tuple.of(
                        envelope.id(), topic, key, envelope.type(), EventCodec.write(envelope))));
    return envelope.id();
  }

  private Row oldest(String key) {
    return OnVertx.await(
        () ->
            pool.preparedQuery(
                    "SELECT * FROM outbox_event WHERE message_key = $1 ORDER BY position LIMIT 1")
                .execute(Tuple.of(key))
                .map(rows -> rows.iterator().next()));
  }

  private long count(String condition, String key) {
    return OnVertx.await(
        () ->
            pool.preparedQuery(
                    "SELECT count(*) FROM outbox_event WHERE message_key = $1 AND " + condition)
                .execute(Tuple.of(key))
                .map(rows -> rows.iterator().next().getLong(0)));
  }

  private static String uuid() {
    return UUID.randomUUID().toString();
  }
}
