package dev.remoteclaude.session.service;

import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.awaitHandled;
import static dev.remoteclaude.session.SessionFixtures.awaitState;
import static dev.remoteclaude.session.SessionFixtures.createSession;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.fromGateway;
import static dev.remoteclaude.session.SessionFixtures.get;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static dev.remoteclaude.session.SessionFixtures.notices;
import static dev.remoteclaude.session.SessionFixtures.readySession;
import static dev.remoteclaude.session.SessionFixtures.sql;
import static dev.remoteclaude.session.SessionFixtures.state;
import static dev.remoteclaude.session.SessionFixtures.stateChanges;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.SandboxActivity;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.SessionTerminateRequested;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Expiry: moved forward by activity (the test profile's activity window is one hour), extended by
 * the user in capped steps, never past the maximum lifetime, which ends the session with notices.
 */
@QuarkusTest
class LifetimeTest {

  @Inject SessionTimers timers;

  @Test
  void extendMovesTheExpiryForwardUpToTheMaximumLifetime() {
    String user = newUser();
    UUID id = createSession(user, "maxLifetime", "PT3H");
    Response created = get(user, id);
    Instant createdAt = Instant.parse(created.path("createdAt"));
    Instant lifetimeEnd = Instant.parse(created.path("lifetimeEndsAt"));
    assertThat(lifetimeEnd).isEqualTo(createdAt.plus(Duration.ofHours(3)));
    assertThat(Instant.parse(created.path("expiresAt")))
        .isEqualTo(createdAt.plus(Duration.ofHours(1)));

    Response extended = extend(user, id, "PT1H");
    extended.then().statusCode(200);
    Instant expiresAt = Instant.parse(extended.path("expiresAt"));
    assertThat(expiresAt).isEqualTo(createdAt.plus(Duration.ofHours(2)));
    List<SessionNotice> notices = notices(id, SessionNotice.EXTENDED);
    assertThat(notices).hasSize(1);
    assertThat(notices.get(0).deadline()).isEqualTo(expiresAt);

    // Asking for more than is left is capped at the maximum lifetime ...
    extend(user, id, "PT4H")
        .then()
        .statusCode(200)
        .body("expiresAt", equalTo(lifetimeEnd.toString()));
    // ... and once there, there is nothing left to extend.
    extend(user, id, "PT1M")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("detail", containsString("maximum lifetime"));
  }

  @Test
  void activityMovesTheExpiryForward() {
    String user = newUser();
    UUID id = readySession(user);
    sql("UPDATE session SET expires_at = now() + interval '20 minutes' WHERE id = $1", id);

    awaitHandled(
        fromGateway(
            id, user, new SandboxActivity(SandboxActivity.COMMAND_FINISHED, 0, 0, Instant.now())));

    Instant expiresAt = Instant.parse(get(user, id).path("expiresAt"));
    assertThat(expiresAt).isAfter(Instant.now().plus(Duration.ofMinutes(55)));
  }

  @Test
  void sessionReachingItsMaximumLifetimeIsWarnedThenTerminated() {
    // The clock is driven here rather than waited for: a scheduler pass that a loaded machine
    // delays past the warning window would skip the warning. The lifetime (one hour, the activity
    // window) keeps the scheduled passes away from this session until the end this test sets.
    String user = newUser();
    UUID id = readySession(user, "maxLifetime", "PT1H");
    Instant end = Instant.parse(get(user, id).path("lifetimeEndsAt"));
    assertThat(Instant.parse(get(user, id).path("expiresAt"))).isEqualTo(end);

    // Well before the end: nothing. Within the warning lead: one warning, and the session lives on.
    OnVertx.await(() -> timers.enforceLifetime(end.minus(Duration.ofMinutes(5))));
    assertThat(notices(id, SessionNotice.LIFETIME_WARNING)).isEmpty();
    OnVertx.await(() -> timers.enforceLifetime(end.minus(Duration.ofSeconds(1))));
    OnVertx.await(() -> timers.enforceLifetime(end.minus(Duration.ofMillis(500))));
    List<SessionNotice> warnings = notices(id, SessionNotice.LIFETIME_WARNING);
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).deadline()).isEqualTo(end);
    assertThat(warnings.get(0).message()).contains("maximum lifetime");
    assertThat(state(user, id)).isEqualTo(SessionState.READY);

    // At the end it is terminated, busy or not: the maximum lifetime is not extended by activity.
    awaitHandled(fromGateway(id, user, new TaskStarted(UUID.randomUUID(), Instant.now())));
    OnVertx.await(() -> timers.enforceLifetime(end));
    awaitState(user, id, SessionState.TERMINATING);
    assertThat(notices(id, SessionNotice.LIFETIME_ENDED)).hasSize(1);
    SessionStateChanged terminating = stateChanges(id).get(stateChanges(id).size() - 1);
    assertThat(terminating.to()).isEqualTo("TERMINATING");
    assertThat(terminating.reason()).isEqualTo("reached its maximum lifetime of PT1H");
    assertThat(emitted(id, SessionTerminateRequested.class))
        .containsExactly(new SessionTerminateRequested("lifetime"));
  }

  @Test
  void sessionWithoutActivityUntilItsExpiryIsTerminated() {
    String user = newUser();
    UUID id = readySession(user);
    sql("UPDATE session SET expires_at = now() + interval '1 second' WHERE id = $1", id);

    awaitState(user, id, SessionState.TERMINATING);

    assertThat(notices(id, SessionNotice.LIFETIME_ENDED)).hasSize(1);
    assertThat(stateChanges(id).get(stateChanges(id).size() - 1).reason())
        .isEqualTo("expired after a period without activity");
  }

  @Test
  void busySessionIsExtendedAtItsExpiryInsteadOfEnded() {
    String user = newUser();
    UUID id = readySession(user);
    awaitHandled(fromGateway(id, user, new TaskStarted(UUID.randomUUID(), Instant.now())));
    sql("UPDATE session SET expires_at = now() + interval '1 second' WHERE id = $1", id);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !notices(id, SessionNotice.EXTENDED).isEmpty());

    assertThat(state(user, id)).isEqualTo(SessionState.READY);
    assertThat(Instant.parse(get(user, id).path("expiresAt")))
        .isAfter(Instant.now().plus(Duration.ofMinutes(55)));
    assertThat(notices(id, SessionNotice.LIFETIME_ENDED)).isEmpty();
  }

  @Test
  void activityAfterALifetimeWarningAnswersItWithAnExtension() {
    String user = newUser();
    UUID id = readySession(user);
    // Warned: the session was about to reach its expiry.
    sql(
        "UPDATE session SET expires_at = now() + interval '30 seconds',"
            + " lifetime_warned_for = now() + interval '30 seconds' WHERE id = $1",
        id);

    awaitHandled(
        fromGateway(
            id, user, new SandboxActivity(SandboxActivity.CLIENT_DETACHED, 0, 0, Instant.now())));

    List<SessionNotice> extended = notices(id, SessionNotice.EXTENDED);
    assertThat(extended).hasSize(1);
    assertThat(extended.get(0).deadline())
        .isEqualTo(Instant.parse(get(user, id).path("expiresAt")));
    assertThat(extended.get(0).deadline()).isAfter(Instant.now().plus(Duration.ofMinutes(55)));
  }

  private static Response extend(String user, UUID id, String duration) {
    return as(user).body(Map.of("duration", duration)).post(SESSIONS + "/" + id + "/extend");
  }
}
