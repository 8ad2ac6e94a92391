package dev.remoteclaude.task;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.events.Usage;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Test data and the two sides of task-service: its REST API (as a user) and its events (as the
 * session-service and gateway would send them, as task-service emits them).
 */
public final class TaskFixtures {

  public static final Duration PATIENCE = Duration.ofSeconds(30);

  private TaskFixtures() {}

  public static String newUser() {
    return "user-" + UUID.randomUUID();
  }

  public static String newSessionId() {
    return UUID.randomUUID().toString();
  }

  // --- as the user --------------------------------------------------------------------------

  public static RequestSpecification as(String user) {
    return given().auth().oauth2(Tokens.forUser(user)).contentType(ContentType.JSON);
  }

  public static ValidatableResponse submit(String user, String session, Map<String, ?> body) {
    return as(user).body(body).post("/api/v1/sessions/{id}/tasks", session).then();
  }

  /** Submits a prompt and returns the new task's id. */
  public static String submit(String user, String session, String prompt) {
    return submit(user, session, Map.of("prompt", prompt)).statusCode(202).extract().path("id");
  }

  public static ValidatableResponse task(String user, String taskId) {
    return as(user).get("/api/v1/tasks/{id}", taskId).then();
  }

  public static String stateOf(String user, String taskId) {
    return task(user, taskId).statusCode(200).extract().path("state");
  }

  public static void awaitState(String user, String taskId, String state) {
    await().atMost(PATIENCE).until(() -> stateOf(user, taskId), actual -> actual.equals(state));
  }

  public static ValidatableResponse history(String user, String session) {
    return as(user).get("/api/v1/sessions/{id}/tasks", session).then();
  }

  // --- as session-service -------------------------------------------------------------------

  public static void sessionChanged(
      String session, String user, String from, String to, String reason) {
    KafkaProbe.send(
        Topics.SESSIONS,
        session,
        EventCodec.write(
            EventCodec.envelope(
                new SessionStateChanged(from, to, reason, Instant.now(), null),
                "session-service",
                session,
                user)));
  }

  /**
   * A session of the user that went PROVISIONING and then straight to {@code state}, returned once
   * task-service's read-model has it in that state.
   */
  public static String sessionIn(String user, String state) {
    String session = newSessionId();
    sessionChanged(session, user, null, "PROVISIONING", "created");
    if (!"PROVISIONING".equals(state)) {
      sessionChanged(session, user, "PROVISIONING", state, "test");
    }
    awaitSessionState(session, state);
    return session;
  }

  /** Waits until task-service's read-model has the session in the state. */
  public static void awaitSessionState(String session, String state) {
    await().atMost(PATIENCE).until(() -> state.equals(TaskDb.sessionState(session)));
  }

  // --- as the gateway -----------------------------------------------------------------------

  public static EventEnvelope gatewayEnvelope(String session, String user, Event payload) {
    return EventCodec.envelope(payload, "sandbox-gateway", session, user);
  }

  public static void fromGateway(String session, String user, Event payload) {
    sendGateway(session, gatewayEnvelope(session, user, payload));
  }

  public static void sendGateway(String session, EventEnvelope envelope) {
    KafkaProbe.send(Topics.GATEWAY, session, EventCodec.write(envelope));
  }

  /** The gateway starts a task and finishes it successfully. */
  public static void runToCompletion(String session, String user, String taskId) {
    UUID id = UUID.fromString(taskId);
    fromGateway(session, user, new TaskStarted(id, Instant.now()));
    fromGateway(
        session,
        user,
        new TaskCompleted(id, "done: " + taskId, usage(), "claude-" + taskId, Instant.now()));
  }

  public static Usage usage() {
    return new Usage(new BigDecimal("0.0123"), 1200, 340, 5000, 800, 3, 4567, "claude-sonnet-4-5");
  }

  // --- what task-service emits --------------------------------------------------------------

  /** The payloads of one type that task-service emitted for a session, in order. */
  public static <E extends Event> List<E> emitted(KafkaProbe probe, String session, Class<E> type) {
    return probe.records().stream()
        .filter(r -> session.equals(r.key()))
        .map(r -> EventCodec.read(r.value()))
        .map(EventCodec::payload)
        .flatMap(java.util.Optional::stream)
        .filter(type::isInstance)
        .map(type::cast)
        .toList();
  }

  /** Waits until task-service emitted an event of the type that matches, and returns it. */
  public static <E extends Event> E awaitEmitted(
      KafkaProbe probe, String session, Class<E> type, Predicate<E> match) {
    return await()
        .atMost(PATIENCE)
        .until(
            () -> emitted(probe, session, type).stream().filter(match).findFirst().orElse(null),
            e -> e != null);
  }

  /** The envelopes task-service emitted for a session, in order. */
  public static List<EventEnvelope> envelopes(KafkaProbe probe, String session) {
    return probe.records().stream()
        .filter(r -> session.equals(r.key()))
        .map(r -> EventCodec.read(r.value()))
        .toList();
  }
}
