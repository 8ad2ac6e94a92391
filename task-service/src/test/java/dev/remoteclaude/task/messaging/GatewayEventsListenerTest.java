package dev.remoteclaude.task.messaging;

import static dev.remoteclaude.task.TaskFixtures.PATIENCE;
import static dev.remoteclaude.task.TaskFixtures.as;
import static dev.remoteclaude.task.TaskFixtures.awaitEmitted;
import static dev.remoteclaude.task.TaskFixtures.awaitState;
import static dev.remoteclaude.task.TaskFixtures.fromGateway;
import static dev.remoteclaude.task.TaskFixtures.gatewayEnvelope;
import static dev.remoteclaude.task.TaskFixtures.newUser;
import static dev.remoteclaude.task.TaskFixtures.sendGateway;
import static dev.remoteclaude.task.TaskFixtures.sessionIn;
import static dev.remoteclaude.task.TaskFixtures.submit;
import static dev.remoteclaude.task.TaskFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.TaskProgress;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.events.Usage;
import dev.remoteclaude.task.TaskDb;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.JsonConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.path.json.config.JsonPathConfig;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GatewayEventsListenerTest {

  /** Reads decimals exactly, to compare costs with what the gateway reported. */
  private static final RestAssuredConfig EXACT =
      RestAssuredConfig.config()
          .jsonConfig(
              JsonConfig.jsonConfig()
                  .numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL));

  @Test
  void completedTaskKeepsItsResultAndUsageAsReported() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    String taskId = dispatchedTask(user, session);
    UUID id = UUID.fromString(taskId);

    fromGateway(session, user, new TaskStarted(id, Instant.now()));
    awaitState(user, taskId, "RUNNING");
    task(user, taskId).body("startedAt", notNullValue()).body("$", not(hasKey("progress")));

    fromGateway(
        session,
        user,
        new TaskProgress(id, 2, "Bash", new BigDecimal("0.0061"), 800, 90, Instant.now()));
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                task(user, taskId)
                    .body("progress.turns", equalTo(2))
                    .body("progress.lastTool", equalTo("Bash"))
                    .body("progress.inputTokens", equalTo(800)));

    Usage usage =
        new Usage(new BigDecimal("0.123456789"), 1200, 340, 5000, 800, 3, 4567, "claude-opus-4");
    fromGateway(
        session,
        user,
        new TaskCompleted(id, "All tests pass.", usage, "claude-session-1", Instant.now()));
    awaitState(user, taskId, "SUCCEEDED");

    as(user)
        .config(EXACT)
        .get("/api/v1/tasks/{id}", taskId)
        .then()
        .statusCode(200)
        .body("result", equalTo("All tests pass."))
        .body("costUsd", equalTo(new BigDecimal("0.123456789")))
        .body("inputTokens", equalTo(1200))
        .body("outputTokens", equalTo(340))
        .body("cacheReadTokens", equalTo(5000))
        .body("cacheCreationTokens", equalTo(800))
        .body("turns", equalTo(3))
        .body("durationMs", equalTo(4567))
        .body("finishedAt", notNullValue())
        .body("$", not(hasKey("progress")))
        .body("$", not(hasKey("failureReason")));
  }

  @Test
  void failedRunKeepsTheGatewaysCodeAndReasonAndTheNextTaskRuns() {
    String user = newUser();
    String session = sessionIn(user, "READY");

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String failing = submit(user, session, "fails");
      String interrupted = submit(user, session, "is interrupted");
      String last = submit(user, session, "runs last");
      awaitEmitted(
          probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(failing));

      fromGateway(
          session,
          user,
          new TaskFailed(
              UUID.fromString(failing),
              TaskFailed.ERROR,
              "API Error: overloaded",
              1,
              new Usage(new BigDecimal("0.002"), 10, 0, 0, 0, 1, 900, "sonnet"),
              Instant.now()));
      awaitState(user, failing, "FAILED");
      task(user, failing)
          .body("failureCode", equalTo("ERROR"))
          .body("failureReason", equalTo("API Error: overloaded"))
          .body("exitCode", equalTo(1))
          .body("inputTokens", equalTo(10));

      awaitEmitted(
          probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(interrupted));
      fromGateway(
          session,
          user,
          new TaskFailed(
              UUID.fromString(interrupted),
              TaskFailed.INTERRUPTED,
              "gateway restarted",
              null,
              null,
              Instant.now()));
      awaitState(user, interrupted, "INTERRUPTED");
      task(user, interrupted).body("failureReason", equalTo("gateway restarted"));
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(last));
    }
  }

  @Test
  void redeliveredEventIsIgnored() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    String taskId = dispatchedTask(user, session);
    UUID id = UUID.fromString(taskId);

    EventEnvelope early =
        gatewayEnvelope(
            session, user, new TaskProgress(id, 1, "Read", BigDecimal.ONE, 1, 1, Instant.now()));
    sendGateway(session, early);
    fromGateway(
        session, user, new TaskProgress(id, 3, "Edit", BigDecimal.TEN, 3, 3, Instant.now()));
    sendGateway(session, early); // the same event again, as after a rebalance
    EventEnvelope marker =
        gatewayEnvelope(session, user, new TaskStarted(id, Instant.now())); // a no-op by now
    sendGateway(session, marker);

    // One partition, in order: once the marker is handled, so is the redelivered copy.
    await().atMost(PATIENCE).until(() -> TaskDb.inboxCount(marker.id()) == 1);
    assertThat(TaskDb.inboxCount(early.id())).isEqualTo(1);
    task(user, taskId)
        .body("state", equalTo("RUNNING"))
        .body("progress.turns", equalTo(3))
        .body("progress.lastTool", equalTo("Edit"));
  }

  @Test
  void reportsAboutUnknownOrFinishedTasksChangeNothing() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    String taskId = dispatchedTask(user, session);
    UUID id = UUID.fromString(taskId);
    fromGateway(session, user, new TaskCompleted(id, "done", Usage.none(), "c", Instant.now()));
    awaitState(user, taskId, "SUCCEEDED");

    fromGateway(
        session,
        user,
        new TaskCompleted(UUID.randomUUID(), "not ours", Usage.none(), "c", Instant.now()));
    fromGateway(session, user, new TaskStarted(id, Instant.now()));
    EventEnvelope marker =
        gatewayEnvelope(
            session,
            user,
            new TaskFailed(id, TaskFailed.ERROR, "late", 1, Usage.none(), Instant.now()));
    sendGateway(session, marker);

    await().atMost(PATIENCE).until(() -> TaskDb.inboxCount(marker.id()) == 1);
    task(user, taskId)
        .body("state", equalTo("SUCCEEDED"))
        .body("result", equalTo("done"))
        .body("$", not(hasKey("failureReason")));
  }

  private static String dispatchedTask(String user, String session) {
    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String taskId = submit(user, session, "do something");
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(taskId));
      return taskId;
    }
  }
}
