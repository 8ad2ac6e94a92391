package dev.remoteclaude.session;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SandboxPaused;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.TestInfra;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.arc.Arc;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the tests of this module share: users, sessions created through the API, events fed in as
 * the gateway, task-service and billing would send them, and a look at what the service emitted
 * (its outbox, the committed truth) and stored.
 */
public final class SessionFixtures {

  public static final String SESSIONS = "/api/v1/sessions";
  public static final String REPO = "https://github.com/acme/app.git";

  private SessionFixtures() {}

  public static String newUser() {
    return "user-" + UUID.randomUUID();
  }

  public static RequestSpecification as(String user) {
    return given().auth().oauth2(Tokens.forUser(user)).contentType(ContentType.JSON);
  }

  /** A create request with the given fields over a minimal valid one. */
  public static Map<String, Object> body(Object... fieldsAndValues) {
    Map<String, Object> body = new HashMap<>();
    body.put("repositoryUrl", REPO);
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      body.put((String) fieldsAndValues[i], fieldsAndValues[i + 1]);
    }
    return body;
  }

  public static Response create(String user, Map<String, Object> body) {
    return as(user).body(body).post(SESSIONS);
  }

  /** Creates a session (202 expected) and returns its id. */
  public static UUID createSession(String user, Object... fieldsAndValues) {
    Response response = create(user, body(fieldsAndValues));
    if (response.statusCode() != 202) {
      throw new AssertionError(
          "create answered " + response.statusCode() + ": " + response.asString());
    }
    return UUID.fromString(response.path("id"));
  }

  /** Creates a session and has the gateway provision it. */
  public static UUID readySession(String user, Object... fieldsAndValues) {
    UUID id = createSession(user, fieldsAndValues);
    String provider = get(user, id).path("provider");
    fromGateway(id, user, new SandboxProvisioned(provider, "sbx-" + id, Instant.now()));
    awaitState(user, id, SessionState.READY);
    return id;
  }

  /** A READY session paused by its user and the gateway. */
  public static UUID pausedSession(String user, Object... fieldsAndValues) {
    UUID id = readySession(user, fieldsAndValues);
    as(user).post(SESSIONS + "/" + id + "/pause").then().statusCode(202);
    fromGateway(id, user, new SandboxPaused(Instant.now()));
    awaitState(user, id, SessionState.PAUSED);
    return id;
  }

  public static EventEnvelope fromGateway(UUID sessionId, String user, Event payload) {
    return send(Topics.GATEWAY, "sandbox-gateway", sessionId.toString(), user, payload);
  }

  public static EventEnvelope fromTasks(UUID sessionId, String user, Event payload) {
    return send(Topics.TASKS, "task-service", sessionId.toString(), user, payload);
  }

  public static EventEnvelope fromBilling(String user, Event payload) {
    return send(Topics.BILLING, "billing-service", user, user, payload);
  }

  public static EventEnvelope send(
      String topic, String source, String subject, String user, Event payload) {
    EventEnvelope envelope = EventCodec.envelope(payload, source, subject, user);
    sendRaw(topic, subject, EventCodec.write(envelope));
    return envelope;
  }

  /** Sends an envelope again, as a redelivery would. */
  public static void resend(String topic, EventEnvelope envelope) {
    sendRaw(topic, envelope.subject(), EventCodec.write(envelope));
  }

  /** Sends a record and waits for the broker's ack (one producer for all tests: it is quick). */
  public static void sendRaw(String topic, String key, String value) {
    try {
      producer().send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not send to " + topic, e);
    }
  }

  private static KafkaProducer<String, String> producer;

  private static synchronized KafkaProducer<String, String> producer() {
    if (producer == null) {
      Map<String, Object> config = new HashMap<>(TestInfra.kafkaClientProperties());
      config.put("linger.ms", 0);
      producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }
    return producer;
  }

  public static Response get(String user, UUID id) {
    return as(user).get(SESSIONS + "/" + id);
  }

  public static SessionState state(String user, UUID id) {
    return SessionState.valueOf(get(user, id).then().statusCode(200).extract().path("state"));
  }

  public static void awaitState(String user, UUID id, SessionState state) {
    await().atMost(Duration.ofSeconds(30)).until(() -> state(user, id) == state);
  }

  /** Waits until the service has applied (or deliberately ignored) an event. */
  public static void awaitHandled(EventEnvelope envelope) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                count("SELECT count(*) FROM inbox_event WHERE event_id = $1", envelope.id()) == 1);
  }

  // --- what the service emitted: its outbox, in commit order ----------------------------------

  public static List<EventEnvelope> emitted(UUID sessionId) {
    List<EventEnvelope> out = new ArrayList<>();
    for (Row row :
        pool()
            .preparedQuery(
                "SELECT payload FROM outbox_event WHERE message_key = $1 ORDER BY position")
            .execute(Tuple.of(sessionId.toString()))
            .await()
            .indefinitely()) {
      out.add(EventCodec.read(row.getString("payload")));
    }
    return out;
  }

  public static <E extends Event> List<E> emitted(UUID sessionId, Class<E> type) {
    return emitted(sessionId).stream()
        .map(EventCodec::payload)
        .flatMap(java.util.Optional::stream)
        .filter(type::isInstance)
        .map(type::cast)
        .toList();
  }

  public static List<SessionStateChanged> stateChanges(UUID sessionId) {
    return emitted(sessionId, SessionStateChanged.class);
  }

  public static List<SessionNotice> notices(UUID sessionId, String kind) {
    return emitted(sessionId, SessionNotice.class).stream()
        .filter(n -> n.kind().equals(kind))
        .toList();
  }

  // --- the database ------------------------------------------------------------------------------

  public static Pool pool() {
    return Arc.container().instance(Pool.class).get();
  }

  public static long count(String sql, Object... params) {
    return pool()
        .preparedQuery(sql)
        .execute(Tuple.from(java.util.Arrays.asList(params)))
        .await()
        .indefinitely()
        .iterator()
        .next()
        .getLong(0);
  }

  public static void sql(String sql, Object... params) {
    pool()
        .preparedQuery(sql)
        .execute(Tuple.from(java.util.Arrays.asList(params)))
        .await()
        .indefinitely();
  }

  public static Row row(UUID sessionId) {
    return pool()
        .preparedQuery("SELECT * FROM session WHERE id = $1")
        .execute(Tuple.of(sessionId))
        .await()
        .indefinitely()
        .iterator()
        .next();
  }

  /**
   * Stores a session directly in a state (as if it had got there), without the events of its past:
   * for tests of what happens from a given state.
   */
  public static UUID insertSession(String user, SessionState state) {
    UUID id = UUID.randomUUID();
    sql(
        "INSERT INTO session (id, owner_id, state, state_reason, state_changed_at, repository_url,"
            + " provider, idle_timeout_seconds, max_lifetime_seconds, created_at, last_activity_at,"
            + " expires_at, lifetime_ends_at) VALUES ($1, $2, $3, 'test', now(), $4, 'local', 300,"
            + " 43200, now(), now(), now() + interval '1 hour', now() + interval '12 hours')",
        id,
        user,
        state.name(),
        REPO);
    return id;
  }

  /** Puts a session straight into a state, to test what happens from there. */
  public static void forceState(UUID sessionId, SessionState state) {
    sql("UPDATE session SET state = $2 WHERE id = $1", sessionId, state.name());
  }
}
