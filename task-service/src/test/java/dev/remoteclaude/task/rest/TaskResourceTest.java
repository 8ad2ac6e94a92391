package dev.remoteclaude.task.rest;

import static dev.remoteclaude.task.TaskFixtures.as;
import static dev.remoteclaude.task.TaskFixtures.awaitEmitted;
import static dev.remoteclaude.task.TaskFixtures.history;
import static dev.remoteclaude.task.TaskFixtures.newSessionId;
import static dev.remoteclaude.task.TaskFixtures.newUser;
import static dev.remoteclaude.task.TaskFixtures.sessionIn;
import static dev.remoteclaude.task.TaskFixtures.submit;
import static dev.remoteclaude.task.TaskFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.remoteclaude.api.NewTask;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.TaskQueued;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.task.TaskFixtures;
import dev.remoteclaude.testing.KafkaProbe;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TaskResourceTest {

  private static final String PROBLEM = "application/problem+json";

  @Test
  void submittingATaskAnswers202WithItsLocationAndQueuesIt() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");
    Map<String, Object> body =
        Map.of(
            "prompt", "Add a README that explains how to build the project",
            "model", "claude-sonnet-4-5",
            "maxTurns", 12,
            "allowedTools", List.of("Read", "Edit", "Bash(git status:*)"),
            "permissionMode", "acceptEdits");

    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      ExtractableResponse<Response> accepted =
          submit(user, session, body)
              .statusCode(202)
              .body("state", equalTo("QUEUED"))
              .body("queuePosition", equalTo(1))
              .body("sessionId", equalTo(session))
              .body("prompt", equalTo(body.get("prompt")))
              .body("queuedAt", notNullValue())
              .extract();
      String id = accepted.path("id");
      assertThat(accepted.header("Location")).endsWith("/api/v1/tasks/" + id);

      as(user)
          .get(accepted.header("Location"))
          .then()
          .statusCode(200)
          .body("id", equalTo(id))
          .body("state", equalTo("QUEUED"))
          .body("model", equalTo("claude-sonnet-4-5"))
          .body("maxTurns", equalTo(12))
          .body("allowedTools", contains("Read", "Edit", "Bash(git status:*)"))
          .body("permissionMode", equalTo("acceptEdits"))
          .body("$", not(hasKey("result")))
          .body("$", not(hasKey("finishedAt")));

      TaskQueued queued =
          awaitEmitted(probe, session, TaskQueued.class, q -> q.taskId().toString().equals(id));
      assertThat(queued.position()).isEqualTo(1);
      assertThat(queued.promptPreview()).isEqualTo(body.get("prompt"));
      EventEnvelope envelope = TaskFixtures.envelopes(probe, session).getFirst();
      assertThat(envelope.subject()).isEqualTo(session);
      assertThat(envelope.userId()).isEqualTo(user);
      assertThat(envelope.source()).isEqualTo("task-service");
    }
  }

  @Test
  void emptyPromptIs400NamingTheField() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");
    List<Map<String, String>> bodies =
        List.of(Map.of("prompt", ""), Map.of("prompt", "  \n "), Map.of());
    for (Map<String, String> body : bodies) {
      submit(user, session, body)
          .statusCode(400)
          .contentType(PROBLEM)
          .body("errors.field", hasItem("prompt"));
    }
    history(user, session).statusCode(200).body("$", hasSize(0));
  }

  @Test
  void oversizedPromptIs400NamingTheField() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");
    String largest = "x".repeat(NewTask.MAX_PROMPT_LENGTH);

    submit(user, session, Map.of("prompt", largest + "y"))
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", contains("prompt"));
    submit(user, session, Map.of("prompt", largest)).statusCode(202);
  }

  @Test
  void unknownFieldInTheBodyIs400() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");

    submit(user, session, Map.of("prompt", "hello", "temperature", 0.2))
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", contains("temperature"));
    history(user, session).statusCode(200).body("$", hasSize(0));
  }

  @Test
  void invalidOptionsAre400NamingEachField() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");
    List<Map<String, Object>> bodies =
        List.of(
            Map.of("prompt", "p", "maxTurns", 0),
            Map.of("prompt", "p", "maxTurns", 201),
            Map.of("prompt", "p", "permissionMode", "yolo"),
            Map.of("prompt", "p", "model", "sonnet; rm -rf /"),
            Map.of("prompt", "p", "allowedTools", List.of("Read", "")),
            Map.of("prompt", "p\u0000p"));
    // rc-common names a list element "allowedTools.<list element>[1]"; the prefix is what counts.
    List<String> fields =
        List.of("maxTurns", "maxTurns", "permissionMode", "model", "allowedTools", "prompt");
    for (int i = 0; i < bodies.size(); i++) {
      submit(user, session, bodies.get(i))
          .statusCode(400)
          .contentType(PROBLEM)
          .body("errors", hasSize(1))
          .body("errors[0].field", startsWith(fields.get(i)));
    }
    submit(user, session, Map.of("prompt", "p", "maxTurns", 200, "permissionMode", "plan"))
        .statusCode(202);
  }

  @Test
  void aTasksCostCapIsPassedToTheGatewayWithItsDispatch() {
    String user = newUser();
    String session = sessionIn(user, "READY");
    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String id =
          submit(user, session, Map.of("prompt", "refactor it", "maxCostUsd", 2.5))
              .statusCode(202)
              .extract()
              .path("id");
      TaskDispatched dispatched =
          awaitEmitted(probe, session, TaskDispatched.class, d -> d.taskId().toString().equals(id));
      assertThat(dispatched.maxCostUsd()).isEqualByComparingTo("2.5");
    }
    // Without one the task has no cap of its own.
    String other = sessionIn(user, "READY");
    try (KafkaProbe probe = KafkaProbe.watch(Topics.TASKS)) {
      String id = submit(user, other, "no cap");
      TaskDispatched dispatched =
          awaitEmitted(probe, other, TaskDispatched.class, d -> d.taskId().toString().equals(id));
      assertThat(dispatched.maxCostUsd()).isNull();
    }
  }

  @Test
  void anInvalidCostCapIs400NamingTheField() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");
    List<Object> caps = List.of(0, -1, 10000.01, 0.0000001, "a lot");
    for (Object cap : caps) {
      submit(user, session, Map.of("prompt", "p", "maxCostUsd", cap))
          .statusCode(400)
          .contentType(PROBLEM)
          .body("errors", hasSize(1))
          .body("errors[0].field", startsWith("maxCostUsd"));
    }
    history(user, session).statusCode(200).body("$", hasSize(0));
    submit(user, session, Map.of("prompt", "p", "maxCostUsd", 10000)).statusCode(202);
  }

  @Test
  void anInvalidPullRequestOptionIs400NamingTheField() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");
    List<Map<String, Object>> options =
        List.of(
            Map.of("base", "../etc"),
            Map.of("base", "-x"),
            Map.of("base", ".hidden"),
            Map.of("base", "a/.b"),
            Map.of("base", ""),
            Map.of("title", "two\nlines"),
            Map.of("title", "t".repeat(257)));
    for (Map<String, Object> option : options) {
      submit(user, session, Map.of("prompt", "p", "pullRequest", option))
          .statusCode(400)
          .contentType(PROBLEM)
          .body("errors", not(empty()))
          .body("errors.field", everyItem(startsWith("pullRequest.")));
    }
    history(user, session).statusCode(200).body("$", hasSize(0));
    submit(user, session, Map.of("prompt", "p", "pullRequest", Map.of("base", "release/1.2")))
        .statusCode(202);
  }

  @Test
  void anotherUserGets404() {
    String owner = newUser();
    String session = sessionIn(owner, "PAUSED");
    String taskId = submit(owner, session, "the owner's task");
    String stranger = newUser();

    submit(stranger, session, Map.of("prompt", "mine now")).statusCode(404).contentType(PROBLEM);
    history(stranger, session).statusCode(404).contentType(PROBLEM);
    task(stranger, taskId).statusCode(404).contentType(PROBLEM);
    as(stranger).post("/api/v1/tasks/{id}/cancel", taskId).then().statusCode(404);

    // ... exactly like what does not exist at all
    String missingTask = UUID.randomUUID().toString();
    String strangerDetail = task(stranger, taskId).extract().path("title");
    task(stranger, missingTask).statusCode(404).body("title", equalTo(strangerDetail));

    task(owner, taskId).statusCode(200).body("state", equalTo("QUEUED"));
  }

  @Test
  void sessionTaskServiceNeverHeardOfGets404() {
    String user = newUser();
    String unknown = newSessionId();

    submit(user, unknown, Map.of("prompt", "hello")).statusCode(404).contentType(PROBLEM);
    history(user, unknown).statusCode(404).contentType(PROBLEM);
    as(user).post("/api/v1/tasks/{id}/cancel", UUID.randomUUID()).then().statusCode(404);
  }

  @Test
  void fullQueueAnswers429() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ids.add(submit(user, session, "task " + i));
    }

    submit(user, session, Map.of("prompt", "one too many"))
        .statusCode(429)
        .contentType(PROBLEM)
        .body("status", equalTo(429))
        .body("limit", equalTo(100))
        .body("queued", equalTo(100));

    // a cancelled task frees its place
    as(user).post("/api/v1/tasks/{id}/cancel", ids.getFirst()).then().statusCode(200);
    submit(user, session, Map.of("prompt", "fits again"))
        .statusCode(202)
        .body("queuePosition", equalTo(100));
  }

  @Test
  void historyIsPagedNewestFirstWithAClampedPageSize() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");
    List<String> ids = IntStream.range(0, 5).mapToObj(i -> submit(user, session, "p" + i)).toList();

    as(user)
        .queryParam("size", 2)
        .get("/api/v1/sessions/{id}/tasks", session)
        .then()
        .statusCode(200)
        .body("id", contains(ids.get(4), ids.get(3)))
        .body("[0].promptPreview", equalTo("p4"))
        .body("[0]", not(hasKey("prompt")));
    as(user)
        .queryParam("size", 2)
        .queryParam("page", 2)
        .get("/api/v1/sessions/{id}/tasks", session)
        .then()
        .body("id", contains(ids.get(0)));
    as(user)
        .queryParam("size", 0)
        .get("/api/v1/sessions/{id}/tasks", session)
        .then()
        .body("id", contains(ids.get(4)));
    as(user)
        .queryParam("size", 100_000)
        .get("/api/v1/sessions/{id}/tasks", session)
        .then()
        .body("id", contains(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)));
    as(user)
        .queryParam("page", -1)
        .get("/api/v1/sessions/{id}/tasks", session)
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", contains("page"));
  }

  @Test
  void historyPagesOfAnySizeAnswer200Or400NeverAnError() {
    String user = newUser();
    String session = sessionIn(user, "PAUSED");
    submit(user, session, "p0");
    as(user)
        .queryParam("page", Integer.MAX_VALUE)
        .queryParam("size", Integer.MAX_VALUE)
        .get("/api/v1/sessions/{id}/tasks", session)
        .then()
        .statusCode(400)
        .contentType(PROBLEM)
        .body("errors.field", contains("page"));
    as(user)
        .queryParam("page", 1_000_000)
        .queryParam("size", Integer.MAX_VALUE)
        .get("/api/v1/sessions/{id}/tasks", session)
        .then()
        .statusCode(200)
        .body("$", hasSize(0));
  }

  @Test
  void submittingToAnEndedSessionIs409() {
    String user = newUser();
    String session = sessionIn(user, "TERMINATED");

    submit(user, session, Map.of("prompt", "too late")).statusCode(409).contentType(PROBLEM);
    history(user, session).statusCode(200).body("$", hasSize(0));
  }
}
