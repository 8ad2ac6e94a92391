package dev.remoteclaude.session.rest;

import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.awaitHandled;
import static dev.remoteclaude.session.SessionFixtures.count;
import static dev.remoteclaude.session.SessionFixtures.createSession;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static dev.remoteclaude.session.SessionFixtures.pool;
import static dev.remoteclaude.session.SessionFixtures.resend;
import static dev.remoteclaude.session.SessionFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import dev.remoteclaude.common.events.AuditRecorded;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.EventType;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.session.service.AuditTrail;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.OnVertx;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The audit trail end to end in one service: session-service's own calls are recorded by
 * rc-common's filter into its outbox, published on rc.audit-events, consumed back and shown to
 * their user only.
 */
@QuarkusTest
class AuditTrailTest {

  private static final String AUDIT = "/api/v1/audit";

  @Inject AuditTrail trail;
  @Inject MeterRegistry registry;

  private static JsonPath trailOf(String user, String query) {
    return as(user).get(AUDIT + query).then().statusCode(200).extract().jsonPath();
  }

  private static void awaitEntries(String user, String query, int atLeast) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> trailOf(user, query).getInt("total") >= atLeast);
  }

  @Test
  void everyChangingCallIsRecordedWithItsOutcomeAndShownOnlyToItsUser() {
    String user = newUser();
    String secret = "s3cr3t-" + UUID.randomUUID();
    try (KafkaProbe probe = KafkaProbe.watch(Topics.AUDIT)) {
      UUID session = createSession(user, "environment", Map.of("API_TOKEN", secret));
      UUID missing = UUID.randomUUID();
      as(user).post(SESSIONS + "/" + missing + "/pause").then().statusCode(404);
      as(user).delete(SESSIONS + "/" + session).then().statusCode(202);
      as(user).get(SESSIONS + "/" + session).then().statusCode(200);

      awaitEntries(user, "", 3);
      JsonPath all = trailOf(user, "");
      assertThat(all.getInt("total")).as("reads are not recorded").isEqualTo(3);
      List<Map<String, Object>> items = all.getList("items");
      assertThat(items)
          .extracting(i -> i.get("action"), i -> i.get("status"), i -> i.get("outcome"))
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  "DELETE /api/v1/sessions/{id}", 202, AuditRecorded.SUCCEEDED),
              org.assertj.core.groups.Tuple.tuple(
                  "POST /api/v1/sessions/{id}/pause", 404, AuditRecorded.REFUSED),
              org.assertj.core.groups.Tuple.tuple(
                  "POST /api/v1/sessions", 202, AuditRecorded.SUCCEEDED));
      assertThat(items.get(0).get("target")).isEqualTo(Map.of("id", session.toString()));
      assertThat(items.get(2).get("target")).isEqualTo(Map.of("created", session.toString()));
      assertThat(items.get(1).get("target")).isEqualTo(Map.of("id", missing.toString()));
      assertThat(items)
          .allSatisfy(
              i -> {
                assertThat(i.get("service")).isEqualTo("session-service");
                assertThat((String) i.get("clientAddress")).isNotBlank();
                assertThat(i.get("at")).isNotNull();
              });

      // Nothing the requests carried reaches the trail: not in the API, not on Kafka.
      assertThat(as(user).get(AUDIT).asString()).doesNotContain(secret);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> probe.records().stream().filter(r -> r.key().equals(user)).count() >= 3);
      assertThat(probe.records()).allSatisfy(r -> assertThat(r.value()).doesNotContain(secret));

      // Another user sees none of it, even asking for the session by id.
      String other = newUser();
      assertThat(trailOf(other, "?target=" + session).getInt("total")).isZero();
      assertThat(trailOf(other, "").getInt("total")).isZero();
    }
  }

  @Test
  void aRecordTheDatabaseRefusesIsCountedAndTheUsersAnswerStands() {
    String user = newUser();
    // The database refuses this user's audit records alone (a trigger on the outbox), as it would
    // a write during an outage or a full disk; everything else it accepts.
    String function = "refuse_audit_" + user.replaceAll("[^a-zA-Z0-9]", "_");
    pool()
        .query(
            "CREATE FUNCTION "
                + function
                + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " RAISE EXCEPTION 'refused'; END $$")
        .execute()
        .await()
        .indefinitely();
    pool()
        .query(
            "CREATE TRIGGER "
                + function
                + " BEFORE INSERT ON outbox_event FOR EACH ROW WHEN (NEW.event_type = '"
                + EventType.AUDIT_RECORDED.wireName()
                + "' AND NEW.message_key = '"
                + user
                + "') EXECUTE FUNCTION "
                + function
                + "()")
        .execute()
        .await()
        .indefinitely();
    double before = registry.counter("rc.audit.failures").count();
    UUID refused;
    try {
      refused = createSession(user);
      as(user).get(SESSIONS + "/" + refused).then().statusCode(200);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> registry.counter("rc.audit.failures").count() > before);
    } finally {
      pool()
          .query("DROP TRIGGER " + function + " ON outbox_event")
          .execute()
          .await()
          .indefinitely();
      pool().query("DROP FUNCTION " + function + "()").execute().await().indefinitely();
    }
    // Once the database takes records again, the next call is recorded, and the refused one is
    // not there (it is lost, as docs/operations.md says, never half-written).
    UUID recorded = createSession(user);
    awaitEntries(user, "", 1);
    List<Map<String, Object>> items = trailOf(user, "").getList("items");
    assertThat(items)
        .extracting(i -> i.get("target"))
        .containsExactly(Map.of("created", recorded.toString()));
    assertThat(refused).isNotEqualTo(recorded);
  }

  @Test
  void theTrailFiltersByOutcomeActionTargetAndTime() {
    String user = newUser();
    UUID session = createSession(user);
    as(user).post(SESSIONS + "/" + UUID.randomUUID() + "/resume").then().statusCode(404);
    awaitEntries(user, "", 2);

    assertThat(trailOf(user, "?outcome=refused").getList("items.action"))
        .containsExactly("POST /api/v1/sessions/{id}/resume");
    assertThat(trailOf(user, "?action=RESUME").getInt("total")).isEqualTo(1);
    assertThat(trailOf(user, "?target=" + session).getList("items.action"))
        .containsExactly("POST /api/v1/sessions");
    assertThat(trailOf(user, "?service=session-service").getInt("total")).isEqualTo(2);
    assertThat(trailOf(user, "?from=" + Instant.now().plus(1, ChronoUnit.HOURS)).getInt("total"))
        .isZero();
    assertThat(trailOf(user, "?to=2000-01-01").getInt("total")).isZero();
    JsonPath firstPage = trailOf(user, "?size=1");
    assertThat(firstPage.getList("items")).hasSize(1);
    assertThat(firstPage.getInt("total")).isEqualTo(2);
    assertThat(trailOf(user, "?size=1&page=1").getList("items.action"))
        .containsExactly("POST /api/v1/sessions");
  }

  @Test
  void badFiltersAnswerAProblemNamingTheParameter() {
    String user = newUser();
    as(user)
        .get(AUDIT + "?outcome=maybe")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body(containsString("outcome"));
    as(user)
        .get(AUDIT + "?from=yesterday")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body(containsString("from"));
    as(user)
        .get(AUDIT + "?from=2026-12-02&to=2026-12-01")
        .then()
        .statusCode(400)
        .body(containsString("to"));
    io.restassured.RestAssured.given().get(AUDIT).then().statusCode(401);
  }

  @Test
  void aRedeliveredRecordIsOneEntryAndEntriesAreNeverUpdated() {
    String user = newUser();
    EventEnvelope envelope = record(user, Instant.now());
    awaitHandled(envelope);
    resend(Topics.AUDIT, envelope);
    EventEnvelope later = record(user, Instant.now());
    awaitHandled(later);
    assertThat(count("SELECT count(*) FROM audit_entry WHERE user_id = $1", user)).isEqualTo(2);

    assertThatThrownBy(
            () ->
                pool()
                    .preparedQuery(
                        "UPDATE audit_entry SET outcome = 'succeeded' WHERE user_id = $1")
                    .execute(Tuple.of(user))
                    .await()
                    .indefinitely())
        .hasMessageContaining("append-only");
  }

  @Test
  void entriesPastTheRetentionAreDeleted() {
    String user = newUser();
    EventEnvelope old = record(user, Instant.now().minus(400, ChronoUnit.DAYS));
    EventEnvelope recent = record(user, Instant.now());
    awaitHandled(old);
    awaitHandled(recent);

    OnVertx.await(trail::purge);

    assertThat(trailOf(user, "").getList("items.id")).containsExactly(recent.id().toString());
  }

  private static EventEnvelope record(String user, Instant at) {
    return send(
        Topics.AUDIT,
        "task-service",
        user,
        user,
        new AuditRecorded(
            "POST /api/v1/sessions/{sessionId}/tasks",
            Map.of("sessionId", UUID.randomUUID().toString()),
            202,
            AuditRecorded.SUCCEEDED,
            "task-service",
            "203.0.113.7",
            "rclaude/1.0",
            at));
  }
}
