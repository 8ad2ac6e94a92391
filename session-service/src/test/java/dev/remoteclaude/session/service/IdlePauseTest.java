package dev.remoteclaude.session.service;

import static dev.remoteclaude.session.SessionFixtures.SESSIONS;
import static dev.remoteclaude.session.SessionFixtures.as;
import static dev.remoteclaude.session.SessionFixtures.awaitHandled;
import static dev.remoteclaude.session.SessionFixtures.awaitState;
import static dev.remoteclaude.session.SessionFixtures.createSession;
import static dev.remoteclaude.session.SessionFixtures.emitted;
import static dev.remoteclaude.session.SessionFixtures.fromGateway;
import static dev.remoteclaude.session.SessionFixtures.fromTasks;
import static dev.remoteclaude.session.SessionFixtures.get;
import static dev.remoteclaude.session.SessionFixtures.newUser;
import static dev.remoteclaude.session.SessionFixtures.notices;
import static dev.remoteclaude.session.SessionFixtures.pausedSession;
import static dev.remoteclaude.session.SessionFixtures.readySession;
import static dev.remoteclaude.session.SessionFixtures.sql;
import static dev.remoteclaude.session.SessionFixtures.state;
import static dev.remoteclaude.session.SessionFixtures.stateChanges;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.nullValue;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SandboxActivity;
import dev.remoteclaude.common.events.SandboxPaused;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SessionNotice;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.events.SessionStateChanged;
import dev.remoteclaude.common.events.TaskCancelled;
import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskQueued;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.events.Usage;
import dev.remoteclaude.session.SessionFixtures;
import dev.remoteclaude.session.Times;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Idle auto-pause, aware of the agent: a warning first, then the pause; activity or an extend
 * cancels the warning; a running or queued task, a running command or an attached client keeps a
 * session awake. Idle timeouts are seconds long here (the test profile allows it).
 */
@QuarkusTest
class IdlePauseTest {

  @Inject SessionTimers timers;

  @Test
  void pausesSessionAfterIdleTimeoutWithAWarningFirst() {
    String user = newUser();
    UUID id = readySession(user, "idleTimeout", "PT2S");

    awaitState(user, id, SessionState.PAUSING);

    List<SessionNotice> warnings = notices(id, SessionNotice.IDLE_WARNING);
    assertThat(warnings).hasSize(1);
    SessionStateChanged pausing = stateChanges(id).get(stateChanges(id).size() - 1);
    assertThat(pausing.from()).isEqualTo("READY");
    assertThat(pausing.reason()).contains("idle for PT2S");
    // The pause happened at (not before) the time the warning announced.
    assertThat(pausing.at()).isAfterOrEqualTo(warnings.get(0).deadline());
    assertThat(emitted(id, SessionPauseRequested.class))
        .containsExactly(new SessionPauseRequested("idle"));
    // Warning first, then the pause: the order of the outbox.
    List<String> order =
        emitted(id).stream()
            .map(EventEnvelope::type)
            .filter(t -> t.equals("session.notice") || t.equals("session.pause-requested"))
            .toList();
    assertThat(order).containsExactly("session.notice", "session.pause-requested");
  }

  @Test
  void activityDuringTheWarningCancelsThePause() {
    String user = newUser();
    UUID id = readySession(user, "idleTimeout", "PT6S");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !notices(id, SessionNotice.IDLE_WARNING).isEmpty());
    get(user, id).then().body("idlePauseAt", org.hamcrest.Matchers.notNullValue());

    EventEnvelope attached =
        fromGateway(
            id, user, new SandboxActivity(SandboxActivity.CLIENT_ATTACHED, 1, 0, Instant.now()));
    awaitHandled(attached);

    assertThat(notices(id, SessionNotice.IDLE_WARNING_CANCELLED)).hasSize(1);
    get(user, id)
        .then()
        .body("idlePauseAt", nullValue())
        .body("state", org.hamcrest.Matchers.equalTo("READY"));
    // Attached, it stays awake well past its idle timeout.
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(8))
        .until(() -> state(user, id) == SessionState.READY);
    assertThat(notices(id, SessionNotice.IDLE_WARNING)).hasSize(1);
  }

  @Test
  void extendDuringTheWarningCancelsThePause() {
    String user = newUser();
    UUID id = readySession(user, "idleTimeout", "PT4S");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !notices(id, SessionNotice.IDLE_WARNING).isEmpty());

    as(user)
        .body(Map.of("duration", "PT10M"))
        .post(SESSIONS + "/" + id + "/extend")
        .then()
        .statusCode(200)
        .body("state", org.hamcrest.Matchers.equalTo("READY"))
        .body("idlePauseAt", nullValue());

    assertThat(notices(id, SessionNotice.IDLE_WARNING_CANCELLED)).hasSize(1);
    assertThat(stateChanges(id)).extracting(SessionStateChanged::to).doesNotContain("PAUSING");
  }

  @Test
  void aRunningOrQueuedTaskARunningCommandOrAnAttachedClientKeepsTheSessionAwake() {
    String owner = newUser();
    // Busy before they are READY, so not even a warning is due at any moment.
    UUID running =
        busySession(
            newUser(),
            (id, user) -> fromGateway(id, user, new TaskStarted(UUID.randomUUID(), Instant.now())));
    UUID queued =
        busySession(
            newUser(),
            (id, user) ->
                fromTasks(
                    id, user, new TaskQueued(UUID.randomUUID(), "fix the bug", 1, Instant.now())));
    UUID command =
        busySession(
            newUser(),
            (id, user) ->
                fromGateway(
                    id,
                    user,
                    new SandboxActivity(SandboxActivity.COMMAND_STARTED, 0, 1, Instant.now())));
    UUID attached =
        busySession(
            newUser(),
            (id, user) ->
                fromGateway(
                    id,
                    user,
                    new SandboxActivity(SandboxActivity.CLIENT_ATTACHED, 2, 0, Instant.now())));
    UUID idle = readySession(owner, "idleTimeout", "PT2S");

    // The idle one (READY last) is paused; the busy ones, READY longer, are left alone.
    awaitState(owner, idle, SessionState.PAUSING);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                List.of(running, queued, command, attached).stream()
                    .allMatch(id -> SessionFixtures.row(id).getString("state").equals("READY")));
    for (UUID busy : List.of(running, queued, command, attached)) {
      assertThat(notices(busy, SessionNotice.IDLE_WARNING)).as("warnings of %s", busy).isEmpty();
    }
  }

  @Test
  void sessionIsPausedOnceItsWorkEndsWhateverOrderTheTaskEventsArriveIn() {
    UUID finished = UUID.randomUUID();
    UUID cancelled = UUID.randomUUID();
    UUID late = UUID.randomUUID();
    String user1 = newUser();
    String user2 = newUser();
    String user3 = newUser();
    UUID ran =
        busySession(user1, (s, u) -> fromGateway(s, u, new TaskStarted(finished, Instant.now())));
    UUID queued =
        busySession(
            user2, (s, u) -> fromTasks(s, u, new TaskQueued(cancelled, "later", 1, Instant.now())));
    // The gateway's "completed" overtakes task-service's "queued" (two topics, no order between):
    // the late "queued" never reopens the finished task.
    UUID overtaken =
        busySession(
            user3,
            (s, u) ->
                fromGateway(
                    s, u, new TaskCompleted(late, "done", Usage.none(), null, Instant.now())));
    awaitHandled(fromTasks(overtaken, user3, new TaskQueued(late, "late", 1, Instant.now())));

    fromGateway(
        ran, user1, new TaskCompleted(finished, "done", Usage.none(), "claude-1", Instant.now()));
    fromTasks(queued, user2, new TaskCancelled(cancelled, "user", Instant.now()));

    awaitState(user1, ran, SessionState.PAUSING);
    awaitState(user2, queued, SessionState.PAUSING);
    awaitState(user3, overtaken, SessionState.PAUSING);
  }

  @Test
  void queuedTaskResumesAPausedSession() {
    String user = newUser();
    UUID id = pausedSession(user);

    fromTasks(id, user, new TaskQueued(UUID.randomUUID(), "run the tests", 1, Instant.now()));

    awaitState(user, id, SessionState.RESUMING);
    assertThat(emitted(id, SessionResumeRequested.class))
        .containsExactly(new SessionResumeRequested("task"));
  }

  @Test
  void taskQueuedWhilePausingResumesTheSessionOncePaused() {
    String user = newUser();
    UUID id = readySession(user);
    as(user).post(SESSIONS + "/" + id + "/pause").then().statusCode(202);
    awaitHandled(
        fromTasks(id, user, new TaskQueued(UUID.randomUUID(), "one more", 1, Instant.now())));
    assertThat(state(user, id)).isEqualTo(SessionState.PAUSING);

    fromGateway(id, user, new SandboxPaused(Instant.now()));

    awaitState(user, id, SessionState.RESUMING);
    assertThat(stateChanges(id))
        .extracting(c -> c.from() + ">" + c.to())
        .endsWith("READY>PAUSING", "PAUSING>PAUSED", "PAUSED>RESUMING");
  }

  @Test
  void twoReplicasDoNotDoublePause() throws Exception {
    String user = newUser();
    UUID id = readySession(user);
    // Due for its pause an hour from now: the rounds below run at that instant, while this
    // service's own scheduler (at the real time) leaves it alone.
    sql(
        "UPDATE session SET last_activity_at = now() - interval '10 minutes',"
            + " idle_pause_at = now() + interval '1 hour' WHERE id = $1",
        id);
    Instant due = Times.now().plus(Duration.ofHours(2));

    // Replica A is in the middle of a round holding the row: replica B's round skips it at once.
    SqlConnection replicaA = SessionFixtures.pool().getConnection().await().indefinitely();
    Transaction round = replicaA.begin().await().indefinitely();
    replicaA
        .preparedQuery("SELECT id FROM session WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(id))
        .await()
        .indefinitely();
    try {
      OnVertx.await(() -> timers.pauseIdle(due), Duration.ofSeconds(5));
      assertThat(state(user, id)).isEqualTo(SessionState.READY);
    } finally {
      round.rollback().await().indefinitely();
      replicaA.close().await().indefinitely();
    }

    // Now four replicas race for it.
    ExecutorService replicas = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> rounds = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        rounds.add(replicas.submit(() -> OnVertx.await(() -> timers.pauseIdle(due))));
      }
      for (Future<Integer> r : rounds) {
        r.get();
      }
    } finally {
      replicas.shutdownNow();
    }

    awaitState(user, id, SessionState.PAUSING);
    assertThat(emitted(id, SessionPauseRequested.class)).hasSize(1);
    assertThat(stateChanges(id))
        .extracting(SessionStateChanged::to)
        .filteredOn("PAUSING"::equals)
        .hasSize(1);
  }

  /** A session made busy while still provisioning, then made READY with a 2 s idle timeout. */
  private static UUID busySession(
      String user, java.util.function.BiFunction<UUID, String, EventEnvelope> busy) {
    UUID id = createSession(user, "idleTimeout", "PT2S");
    awaitHandled(busy.apply(id, user));
    fromGateway(id, user, new SandboxProvisioned("local", "sbx-" + id, Instant.now()));
    awaitState(user, id, SessionState.READY);
    return id;
  }
}
