package dev.remoteclaude.task.service;

import static dev.remoteclaude.task.TaskFixtures.PATIENCE;
import static dev.remoteclaude.task.TaskFixtures.awaitEmitted;
import static dev.remoteclaude.task.TaskFixtures.awaitSessionState;
import static dev.remoteclaude.task.TaskFixtures.awaitState;
import static dev.remoteclaude.task.TaskFixtures.emitted;
import static dev.remoteclaude.task.TaskFixtures.fromGateway;
import static dev.remoteclaude.task.TaskFixtures.gatewayEnvelope;
import static dev.remoteclaude.task.TaskFixtures.history;
import static dev.remoteclaude.task.TaskFixtures.newUser;
import static dev.remoteclaude.task.TaskFixtures.runToCompletion;
import static dev.remoteclaude.task.TaskFixtures.sendGateway;
import static dev.remoteclaude.task.TaskFixtures.sessionChanged;
import static dev.remoteclaude.task.TaskFixtures.sessionIn;
import static dev.remoteclaude.task.TaskFixtures.stateOf;
import static dev.remoteclaude.task.TaskFixtures.submit;
import static dev.remoteclaude.task.TaskFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.TaskCancelled;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.TaskQueued;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.events.Usage;
import dev.remoteclaude.task.TaskDb;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SessionLifecycleTest {

  @Test
  void taskSubmittedToAPausedSessionWaitsAndRunsOnceItIsReadyAgain() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String taskId =
          submit(
                  user,
                  session,
                  Map.of(
                      "prompt",
                      "Run the tests",
                      "maxTurns",
                      5,
                      "allowedTools",
                      List.of("Bash(mvn:*)"),
                      "permissionMode",
                      "plan"))
              .statusCode(202)
              .extract()
              .path("id");
      // TaskQueued is what session-service resumes the session on.
      awaitEmitted(probe, session, TaskQueued.class, q -> q.taskId().toString().equals(taskId));
      assertThat(stateOf(user, taskId)).isEqualTo("QUEUED");

      sessionChanged(session, user, "PAUSED", "RESUMING", "task queued");
      awaitSessionState(session, "RESUMING");
      assertThat(stateOf(user, taskId)).isEqualTo("QUEUED");

      sessionChanged(session, user, "RESUMING", "READY", "resumed");
      TaskDispatched dispatched =
          awaitEmitted(
              probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(taskId));
      assertThat(dispatched.prompt()).isEqualTo("Run the tests");
      assertThat(dispatched.maxTurns()).isEqualTo(5);
      assertThat(dispatched.allowedTools()).containsExactly("Bash(mvn:*)");
      assertThat(dispatched.permissionMode()).isEqualTo("plan");
      task(user, taskId)
          .statusCode(200)
          .body("state", equalTo("DISPATCHED"))
          .body("dispatchedAt", notNullValue());
    }
  }

  @Test
  void queueHoldsWhileTheSessionIsNotReady() {
    String user = newUser();
    String session = sessionIn(user, "READY");

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String first = submit(user, session, "first");
      String second = submit(user, session, "second");
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(first));

      sessionChanged(session, user, "READY", "PAUSING", "idle");
      awaitSessionState(session, "PAUSING");
      runToCompletion(session, user, first);
      awaitState(user, first, "SUCCEEDED");
      // the completion and the (absent) dispatch were one transaction
      assertThat(stateOf(user, second)).isEqualTo("QUEUED");

      sessionChanged(session, user, "PAUSING", "PAUSED", "idle");
      sessionChanged(session, user, "PAUSED", "RESUMING", "task queued");
      sessionChanged(session, user, "RESUMING", "READY", "resumed");
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(second));
      assertThat(emitted(probe, session, TaskDispatched.class)).hasSize(2);
    }
  }

  @Test
  void terminatedSessionCancelsItsQueueAndInterruptsTheRunningTask() {
    String user = newUser();
    String session = sessionIn(user, "READY");

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String running = submit(user, session, "running");
      String queued1 = submit(user, session, "queued 1");
      String queued2 = submit(user, session, "queued 2");
      awaitEmitted(
          probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(running));
      fromGateway(session, user, new TaskStarted(UUID.fromString(running), Instant.now()));
      awaitState(user, running, "RUNNING");

      sessionChanged(session, user, "READY", "TERMINATING", "deleted by the user");
      awaitState(user, running, "INTERRUPTED");

      task(user, running)
          .body("failureReason", equalTo("session terminated"))
          .body("finishedAt", notNullValue());
      for (String id : List.of(queued1, queued2)) {
        task(user, id)
            .body("state", equalTo("CANCELLED"))
            .body("failureReason", equalTo("session terminated"));
      }
      awaitEmitted(probe, session, TaskCancelled.class, c -> c.taskId().toString().equals(queued2));
      assertThat(emitted(probe, session, TaskCancelled.class))
          .extracting(c -> c.taskId().toString(), TaskCancelled::reason)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(queued1, "session terminated"),
              org.assertj.core.groups.Tuple.tuple(queued2, "session terminated"));

      // The gateway's late report of the killed run changes nothing; the session takes no more.
      EventEnvelope lateReport =
          gatewayEnvelope(
              session,
              user,
              new TaskFailed(
                  UUID.fromString(running),
                  TaskFailed.INTERRUPTED,
                  "sandbox gone",
                  137,
                  Usage.none(),
                  Instant.now()));
      sendGateway(session, lateReport);
      await().atMost(PATIENCE).until(() -> TaskDb.inboxCount(lateReport.id()) == 1);
      task(user, running)
          .body("state", equalTo("INTERRUPTED"))
          .body("failureReason", equalTo("session terminated"))
          .body("$", not(hasKey("exitCode")));
      sessionChanged(session, user, "TERMINATING", "TERMINATED", "deleted by the user");
      awaitSessionState(session, "TERMINATED");
      submit(user, session, Map.of("prompt", "too late")).statusCode(409);
      assertThat(emitted(probe, session, TaskDispatched.class)).hasSize(1);
    }
  }

  @Test
  void failedSessionCancelsItsQueueWithTheFailureReason() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String first = submit(user, session, "first");
      String second = submit(user, session, "second");

      sessionChanged(session, user, "PAUSED", "FAILED", "sandbox lost: provider outage");
      awaitState(user, second, "CANCELLED");

      for (String id : List.of(first, second)) {
        task(user, id)
            .body("state", equalTo("CANCELLED"))
            .body("failureReason", equalTo("sandbox lost: provider outage"));
      }
      awaitEmitted(probe, session, TaskCancelled.class, c -> c.taskId().toString().equals(second));
      assertThat(emitted(probe, session, TaskCancelled.class))
          .extracting(TaskCancelled::reason)
          .containsOnly("sandbox lost: provider outage");
      history(user, session).statusCode(200).body("state", contains("CANCELLED", "CANCELLED"));
    }
  }
}
