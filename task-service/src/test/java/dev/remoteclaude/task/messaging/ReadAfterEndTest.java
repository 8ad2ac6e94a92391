package dev.remoteclaude.task.messaging;

import static dev.remoteclaude.task.TaskFixtures.as;
import static dev.remoteclaude.task.TaskFixtures.awaitEmitted;
import static dev.remoteclaude.task.TaskFixtures.awaitState;
import static dev.remoteclaude.task.TaskFixtures.fromGateway;
import static dev.remoteclaude.task.TaskFixtures.newUser;
import static dev.remoteclaude.task.TaskFixtures.sessionIn;
import static dev.remoteclaude.task.TaskFixtures.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskStarted;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.common.events.Usage;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes: a client that saw a task end on the session's stream reads the final task with
 * {@code waitSeconds}, although this service applies the gateway's report later.
 */
@QuarkusTest
class ReadAfterEndTest {

  @Test
  void aWaitingReadAnswersTheTaskOnceItsEndArrives() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    String taskId = runningTask(user, session);

    // The read is under way before the end is reported: it waits for it.
    CompletableFuture<ExtractableResponse<Response>> read =
        CompletableFuture.supplyAsync(
            () ->
                as(user)
                    .queryParam("waitSeconds", 10)
                    .get("/api/v1/tasks/{id}", taskId)
                    .then()
                    .extract());
    fromGateway(
        session,
        user,
        new TaskCompleted(
            UUID.fromString(taskId), "Done late.", Usage.none(), "claude-1", Instant.now()));

    ExtractableResponse<Response> answer = read.join();
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.<String>path("state")).isEqualTo("SUCCEEDED");
    assertThat(answer.<String>path("result")).isEqualTo("Done late.");
  }

  @Test
  void aTaskThatDoesNotEndIsAnsweredAsItIsAfterTheBound() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    String taskId = runningTask(user, session);

    as(user)
        .queryParam("waitSeconds", 1)
        .get("/api/v1/tasks/{id}", taskId)
        .then()
        .statusCode(200)
        .body("state", equalTo("RUNNING"));
    // Far more than task.max-read-wait (10 s): clamped to it, never hangs.
    as(user)
        .queryParam("waitSeconds", 3600)
        .get("/api/v1/tasks/{id}", taskId)
        .then()
        .statusCode(200)
        .body("state", equalTo("RUNNING"));
  }

  @Test
  void badWaitsAnswer400AndUnknownTasks404() {
    String user = newUser();
    for (String bad : new String[] {"-1", "3601"}) {
      as(user)
          .queryParam("waitSeconds", bad)
          .get("/api/v1/tasks/{id}", UUID.randomUUID())
          .then()
          .statusCode(400)
          .contentType(startsWith("application/problem+json"));
    }
    as(user)
        .queryParam("waitSeconds", 5)
        .get("/api/v1/tasks/{id}", UUID.randomUUID())
        .then()
        .statusCode(404)
        .contentType(startsWith("application/problem+json"));
  }

  private static String runningTask(String user, String session) {
    String taskId;
    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      taskId = submit(user, session, "do something");
      awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(taskId));
    }
    fromGateway(session, user, new TaskStarted(UUID.fromString(taskId), Instant.now()));
    awaitState(user, taskId, "RUNNING");
    return taskId;
  }
}
