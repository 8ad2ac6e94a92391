package dev.remoteclaude.task.service;

import static dev.remoteclaude.task.TaskFixtures.as;
import static dev.remoteclaude.task.TaskFixtures.awaitEmitted;
import static dev.remoteclaude.task.TaskFixtures.awaitState;
import static dev.remoteclaude.task.TaskFixtures.emitted;
import static dev.remoteclaude.task.TaskFixtures.fromGateway;
import static dev.remoteclaude.task.TaskFixtures.newUser;
import static dev.remoteclaude.task.TaskFixtures.runToCompletion;
import static dev.remoteclaude.task.TaskFixtures.sessionIn;
import static dev.remoteclaude.task.TaskFixtures.submit;
import static dev.remoteclaude.task.TaskFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.remoteclaude.common.events.TaskCancelRequested;
import dev.remoteclaude.common.events.TaskCancelled;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.events.Usage;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TaskCancelTest {

  @Test
  void cancellingAQueuedTaskCancelsItAtOnce() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String first = submit(user, session, "first");
      String second = submit(user, session, "second");
      task(user, second).body("queuePosition", equalTo(2));

      cancel(user, first)
          .statusCode(200)
          .body("state", equalTo("CANCELLED"))
          .body("failureReason", equalTo("cancelled by the user"))
          .body("finishedAt", notNullValue());

      TaskCancelled cancelled =
          awaitEmitted(
              probe, session, TaskCancelled.class, c -> c.taskId().toString().equals(first));
      assertThat(cancelled.reason()).isEqualTo("cancelled by the user");
      assertThat(emitted(probe, session, TaskCancelRequested.class)).isEmpty();
      task(user, second).body("state", equalTo("QUEUED")).body("queuePosition", equalTo(1));
    }
  }

  @Test
  void cancellingARunningTaskAsksTheGatewayAndEndsCancelledWhenItConfirms() {
    String user = newUser();
    String session = sessionIn(user, "READY");

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String running = submit(user, session, "long job");
      String next = submit(user, session, "next job");
      awaitEmitted(
          probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(running));
      fromGateway(session, user, new TaskStarted(UUID.fromString(running), Instant.now()));
      awaitState(user, running, "RUNNING");

      cancel(user, running)
          .statusCode(202)
          .body("state", equalTo("RUNNING"))
          .body("cancelRequestedAt", notNullValue());
      cancel(user, running).statusCode(202); // asking twice asks the gateway once
      awaitEmitted(
          probe, session, TaskCancelRequested.class, c -> c.taskId().toString().equals(running));

      Usage partial = new Usage(new BigDecimal("0.004"), 300, 12, 0, 0, 1, 2100, "sonnet");
      fromGateway(
          session,
          user,
          new TaskFailed(
              UUID.fromString(running),
              TaskFailed.CANCELLED,
              "killed on request",
              143,
              partial,
              Instant.now()));
      awaitState(user, running, "CANCELLED");
      task(user, running)
          .body("failureReason", equalTo("cancelled by the user"))
          .body("failureCode", equalTo("CANCELLED"))
          .body("exitCode", equalTo(143))
          .body("inputTokens", equalTo(300));

      TaskCancelled cancelled =
          awaitEmitted(
              probe, session, TaskCancelled.class, c -> c.taskId().toString().equals(running));
      assertThat(cancelled.reason()).isEqualTo("cancelled by the user");
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(next));
      assertThat(emitted(probe, session, TaskCancelRequested.class)).hasSize(1);
    }
  }

  @Test
  void cancellingAFinishedTaskIs409() {
    String user = newUser();
    String session = sessionIn(user, "READY");

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String taskId = submit(user, session, "quick");
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(taskId));
      runToCompletion(session, user, taskId);
      awaitState(user, taskId, "SUCCEEDED");

      cancel(user, taskId).statusCode(409).contentType("application/problem+json");
      task(user, taskId).body("state", equalTo("SUCCEEDED"));
      assertThat(emitted(probe, session, TaskCancelRequested.class)).isEmpty();
      assertThat(emitted(probe, session, TaskCancelled.class)).isEmpty();
    }
  }

  private static ValidatableResponse cancel(String user, String taskId) {
    return as(user).post("/api/v1/tasks/{id}/cancel", taskId).then();
  }
}
