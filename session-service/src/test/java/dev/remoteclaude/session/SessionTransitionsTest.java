package dev.remoteclaude.session;

import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.awaitHandled;
import static dev.remoteclaude.session.SessionFixtures.awaitState;
import static dev.remoteclaude.session.SessionFixtures.count;
import static dev.remoteclaude.session.SessionFixtures.createSession;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.fromGateway;
import static dev.remoteclaude.session.SessionFixtures.get;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static dev.remoteclaude.session.SessionFixtures.resend;
import static dev.remoteclaude.session.SessionFixtures.state;
import static dev.remoteclaude.session.SessionFixtures.stateChanges;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.Event;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SandboxLost;
import dev.remoteclaude.common.events.SandboxPaused;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SandboxResumed;
import dev.remoteclaude.common.events.SandboxTerminated;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.SessionTerminateRequested;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every legal and illegal transition through the real service: user requests in every state (409
 * when illegal), every gateway event in every state (ignored when it does not fit), and whole lives
 * of sessions with the events they emit.
 */
@QuarkusTest
class SessionTransitionsTest {

  private static final List<SessionState> ALL = List.of(SessionState.values());

  // --- user requests in every state -----------------------------------------------------------

  enum Request {
    PAUSE,
    RESUME,
    EXTEND,
    TERMINATE;

    Response send(String user, UUID id) {
      String path = SESSIONS + "/" + id;
      return switch (this) {
        case PAUSE -> as(user).post(path + "/pause");
        case RESUME -> as(user).post(path + "/resume");
        case EXTEND -> as(user).body(Map.of("duration", "PT10M")).post(path + "/extend");
        case TERMINATE -> as(user).delete(path);
      };
    }

    /** The state a legal request leads to (null: the request is illegal in {@code from}). */
    SessionState from(SessionState from) {
      return switch (this) {
        case PAUSE -> from == SessionState.READY ? SessionState.PAUSING : null;
        case RESUME -> from == SessionState.PAUSED ? SessionState.RESUMING : null;
        case EXTEND -> from.isLive() ? from : null;
        case TERMINATE -> from.isLive() ? SessionState.TERMINATING : null;
      };
    }
  }

  static Stream<Arguments> everyRequestInEveryState() {
    List<Arguments> out = new ArrayList<>();
    for (Request request : Request.values()) {
      for (SessionState state : ALL) {
        out.add(Arguments.of(request, state));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} in {1}")
  @MethodSource("everyRequestInEveryState")
  void userRequestIsAcceptedOnlyWhereTheStateMachineAllowsIt(Request request, SessionState from) {
    String user = newUser();
    UUID id = SessionFixtures.insertSession(user, from);
    int changesBefore = 0;

    Response response = request.send(user, id);

    SessionState expected = request.from(from);
    if (expected == null) {
      response
          .then()
          .statusCode(409)
          .contentType("application/problem+json")
          .body("status", equalTo(409))
          .body("detail", org.hamcrest.Matchers.containsString(from.name()));
      assertThat(state(user, id)).isEqualTo(from);
      assertThat(stateChanges(id)).hasSize(changesBefore);
      return;
    }
    response
        .then()
        .statusCode(request == Request.EXTEND ? 200 : 202)
        .body("state", equalTo(expected.name()));
    assertThat(state(user, id)).isEqualTo(expected);
    List<SessionStateChanged> changes = stateChanges(id);
    if (expected == from) {
      assertThat(changes).hasSize(changesBefore);
    } else {
      assertThat(changes).hasSize(changesBefore + 1);
      SessionStateChanged last = changes.get(changes.size() - 1);
      assertThat(last.from()).isEqualTo(from.name());
      assertThat(last.to()).isEqualTo(expected.name());
    }
  }

  // --- gateway events in every state -----------------------------------------------------------

  enum GatewayEvent {
    PROVISIONED(() -> new SandboxProvisioned("local", "sbx-1", Instant.now())),
    FAILED(
        () -> new SandboxFailed(SandboxFailed.CLONE_FAILED, "repository not found", Instant.now())),
    PAUSED(() -> new SandboxPaused(Instant.now())),
    RESUMED(() -> new SandboxResumed(Instant.now())),
    TERMINATED(() -> new SandboxTerminated(Instant.now())),
    LOST(() -> new SandboxLost("host gone", Instant.now()));

    final Supplier<Event> payload;

    GatewayEvent(Supplier<Event> payload) {
      this.payload = payload;
    }

    /** Where the event takes a session in {@code from}; {@code from} itself when it is ignored. */
    SessionState from(SessionState from) {
      return switch (this) {
        case PROVISIONED ->
            from == SessionState.PROVISIONING || from == SessionState.RECOVERING
                ? SessionState.READY
                : from;
        case FAILED -> from.isLive() ? SessionState.FAILED : from;
        case PAUSED -> from == SessionState.PAUSING ? SessionState.PAUSED : from;
        case RESUMED -> from == SessionState.RESUMING ? SessionState.READY : from;
        case TERMINATED -> from == SessionState.TERMINATING ? SessionState.TERMINATED : from;
        case LOST ->
            switch (from) {
              case TERMINATING -> SessionState.TERMINATED;
              case TERMINATED, FAILED -> from;
              default -> SessionState.RECOVERING;
            };
      };
    }
  }

  /** All 54 pairs at once (each on its own session), so the matrix costs one round trip. */
  @Test
  void gatewayEventMovesOnlySessionsInAFittingStateAndIsIgnoredOtherwise() {
    record Case(GatewayEvent event, SessionState from, String user, UUID id) {}
    List<Case> cases = new ArrayList<>();
    for (GatewayEvent event : GatewayEvent.values()) {
      for (SessionState from : ALL) {
        String user = newUser();
        cases.add(new Case(event, from, user, SessionFixtures.insertSession(user, from)));
      }
    }
    List<EventEnvelope> sent = new ArrayList<>();
    for (Case c : cases) {
      sent.add(fromGateway(c.id(), c.user(), c.event().payload.get()));
    }
    sent.forEach(SessionFixtures::awaitHandled);

    for (Case c : cases) {
      SessionState expected = c.event().from(c.from());
      assertThat(SessionFixtures.row(c.id()).getString("state"))
          .as("%s in %s", c.event(), c.from())
          .isEqualTo(expected.name());
      List<SessionStateChanged> changes = stateChanges(c.id());
      if (expected == c.from()) {
        assertThat(changes).as("%s in %s emits no change", c.event(), c.from()).isEmpty();
      } else {
        assertThat(changes).as("%s in %s", c.event(), c.from()).hasSize(1);
        assertThat(changes.get(0).from()).isEqualTo(c.from().name());
        assertThat(changes.get(0).to()).isEqualTo(expected.name());
      }
    }
  }

  // --- whole lives ---------------------------------------------------------------------------

  @Test
  void sessionLivesThroughPauseResumeAndTerminationEmittingEachTransitionOnceWithItsExactTime() {
    String user = newUser();
    try (KafkaProbe probe = KafkaProbe.watch(Topics.SESSIONS)) {
      UUID id = createSession(user);
      fromGateway(id, user, new SandboxProvisioned("local", "sbx-a", Instant.now()));
      awaitState(user, id, SessionState.READY);

      as(user)
          .post(SESSIONS + "/" + id + "/pause")
          .then()
          .statusCode(202)
          .body("state", equalTo("PAUSING"));
      fromGateway(id, user, new SandboxPaused(Instant.now()));
      awaitState(user, id, SessionState.PAUSED);

      as(user)
          .post(SESSIONS + "/" + id + "/resume")
          .then()
          .statusCode(202)
          .body("state", equalTo("RESUMING"));
      fromGateway(id, user, new SandboxResumed(Instant.now()));
      awaitState(user, id, SessionState.READY);

      as(user)
          .delete(SESSIONS + "/" + id)
          .then()
          .statusCode(202)
          .body("state", equalTo("TERMINATING"));
      fromGateway(id, user, new SandboxTerminated(Instant.now()));
      awaitState(user, id, SessionState.TERMINATED);

      List<SessionStateChanged> changes = stateChanges(id);
      assertThat(changes)
          .extracting(c -> c.from() + ">" + c.to())
          .containsExactly(
              "null>PROVISIONING",
              "PROVISIONING>READY",
              "READY>PAUSING",
              "PAUSING>PAUSED",
              "PAUSED>RESUMING",
              "RESUMING>READY",
              "READY>TERMINATING",
              "TERMINATING>TERMINATED");
      for (int i = 1; i < changes.size(); i++) {
        assertThat(changes.get(i).at()).isAfter(changes.get(i - 1).at());
      }
      // The stored history carries the very same instants.
      List<Instant> stored = new ArrayList<>();
      SessionFixtures.pool()
          .preparedQuery("SELECT at FROM session_transition WHERE session_id = $1 ORDER BY id")
          .execute(io.vertx.mutiny.sqlclient.Tuple.of(id))
          .await()
          .indefinitely()
          .forEach(row -> stored.add(row.getOffsetDateTime("at").toInstant()));
      assertThat(stored)
          .containsExactlyElementsOf(changes.stream().map(SessionStateChanged::at).toList());
      get(user, id)
          .then()
          .body("stateChangedAt", equalTo(changes.get(changes.size() - 1).at().toString()));

      assertThat(emitted(id, SessionPauseRequested.class))
          .containsExactly(new SessionPauseRequested("user"));
      assertThat(emitted(id, SessionResumeRequested.class))
          .containsExactly(new SessionResumeRequested("user"));
      assertThat(emitted(id, SessionTerminateRequested.class))
          .containsExactly(new SessionTerminateRequested("user"));

      // And they all reach Kafka, once each, in order.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> changesOnKafka(probe, id).size() >= changes.size());
      assertThat(changesOnKafka(probe, id)).containsExactlyElementsOf(changes);
    }
  }

  @Test
  void failedProvisioningFailsTheSessionWithTheGatewaysReason() {
    String user = newUser();
    UUID id = createSession(user);
    fromGateway(
        id,
        user,
        new SandboxFailed(
            SandboxFailed.BRANCH_NOT_FOUND, "branch feature/x does not exist", Instant.now()));
    awaitState(user, id, SessionState.FAILED);
    get(user, id)
        .then()
        .body("stateReason", equalTo("BRANCH_NOT_FOUND: branch feature/x does not exist"));
    assertThat(stateChanges(id).get(1).reason())
        .isEqualTo("BRANCH_NOT_FOUND: branch feature/x does not exist");
  }

  @Test
  void redeliveredGatewayEventIsIgnored() {
    String user = newUser();
    UUID id = createSession(user);
    EventEnvelope provisioned =
        fromGateway(id, user, new SandboxProvisioned("local", "sbx", Instant.now()));
    resend(Topics.GATEWAY, provisioned);
    EventEnvelope lost = fromGateway(id, user, new SandboxLost("reclaimed", Instant.now()));
    resend(Topics.GATEWAY, lost);
    resend(Topics.GATEWAY, provisioned);
    EventEnvelope marker =
        fromGateway(id, user, new SandboxProvisioned("local", "sbx-2", Instant.now()));
    awaitHandled(marker);

    assertThat(stateChanges(id))
        .extracting(c -> c.from() + ">" + c.to())
        .containsExactly(
            "null>PROVISIONING", "PROVISIONING>READY", "READY>RECOVERING", "RECOVERING>READY");
    assertThat(count("SELECT count(*) FROM inbox_event WHERE event_id = $1", provisioned.id()))
        .isOne();
    // One loss, one recovery attempt, one re-provisioning request.
    assertThat(emitted(id, dev.remoteclaude.common.events.SessionRequested.class)).hasSize(2);
  }

  @Test
  void poisonMessagesOfEveryChannelAreDeadLetteredAndTheNextEventIsStillApplied() {
    String user = newUser();
    UUID id = createSession(user);
    String key = id.toString();
    try (KafkaProbe dlq = KafkaProbe.watch(Topics.deadLetter("session-service"))) {
      SessionFixtures.sendRaw(Topics.GATEWAY, key, "{not an event");
      EventEnvelope badSubject =
          EventCodec.envelope(
              new SandboxPaused(Instant.now()), "sandbox-gateway", "not-a-session", user);
      SessionFixtures.sendRaw(Topics.GATEWAY, key, EventCodec.write(badSubject));
      SessionFixtures.sendRaw(Topics.TASKS, key, "{not a task event");
      SessionFixtures.sendRaw(Topics.BILLING, key, "{not a billing event");
      fromGateway(id, user, new SandboxProvisioned("local", "sbx", Instant.now()));

      awaitState(user, id, SessionState.READY);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(dlq.records())
                      .filteredOn(r -> key.equals(r.key()))
                      .extracting(ConsumerRecord::value)
                      .anyMatch(v -> v.equals("{not an event"))
                      .anyMatch(v -> v.contains("not-a-session"))
                      .anyMatch(v -> v.equals("{not a task event"))
                      .anyMatch(v -> v.equals("{not a billing event")));
    }
  }

  @Test
  void eventForAnUnknownSessionIsIgnored() {
    String user = newUser();
    UUID unknown = UUID.randomUUID();
    EventEnvelope event =
        fromGateway(unknown, user, new SandboxProvisioned("local", "sbx", Instant.now()));
    awaitHandled(event);
    assertThat(emitted(unknown)).isEmpty();
  }

  private static List<SessionStateChanged> changesOnKafka(KafkaProbe probe, UUID id) {
    return probe.records().stream()
        .filter(r -> id.toString().equals(r.key()))
        .map(r -> EventCodec.payload(EventCodec.read(r.value())))
        .flatMap(java.util.Optional::stream)
        .filter(SessionStateChanged.class::isInstance)
        .map(SessionStateChanged.class::cast)
        .toList();
  }
}
