package dev.remoteclaude.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.testing.StreamClient;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A user's whole day, black-box: create a session on a local git repository, watch it become ready
 * on the stream, have Claude edit a file and run a command, see the edit, drop the stream and
 * re-attach without losing a line, pause, resume, continue the conversation, terminate — and
 * another user sees none of it.
 */
class EndToEndTest {

  @Test
  void aSessionFromCreationToTermination() throws Exception {
    Api alice = new Api("alice-" + UUID.randomUUID());
    UUID session = alice.createSession(Api.gitRepository("# Alice's project\n"));

    List<JsonNode> seen = new ArrayList<>();
    long cursor;
    String firstPrompt = "Please add a greeting file " + UUID.randomUUID();
    try (StreamClient stream =
        StreamClient.connect(StreamClient.uri(TestPlatform.baseUrl(), session, 0), alice.token())) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> stream.messages().stream().anyMatch(m -> isState(m, "READY")));

      UUID task = alice.submitTask(session, firstPrompt);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  stream.messages().stream()
                      .anyMatch(m -> m.path("type").asText().equals("task.completed")));
      List<String> types = stream.messages().stream().map(m -> m.path("type").asText()).toList();
      assertThat(types)
          .containsSubsequence(
              "session.state",
              "sandbox.ready",
              "task.queued",
              "task.started",
              "claude.init",
              "claude.tool_use",
              "claude.tool_result",
              "claude.text",
              "claude.result",
              "task.completed");
      assertThat(alice.awaitTaskState(task, "SUCCEEDED").getString("state")).isEqualTo("SUCCEEDED");
      seen.addAll(stream.messages());
      cursor = stream.lastSeq();
    }

    // The edit Claude made is in the sandbox.
    String hello =
        alice
            .call()
            .queryParam("path", "HELLO.md")
            .get("/api/v1/sessions/{id}/files", session)
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(hello).contains("You asked: " + firstPrompt);

    // While nobody is attached, the session is paused and resumed; then we re-attach.
    alice.call().post("/api/v1/sessions/{id}/pause", session).then().statusCode(202);
    alice.awaitSessionState(session, "PAUSED");
    alice.call().post("/api/v1/sessions/{id}/resume", session).then().statusCode(202);
    alice.awaitSessionState(session, "READY");

    String secondPrompt = "And what did I ask you first?";
    try (StreamClient again =
        StreamClient.connect(
            StreamClient.uri(TestPlatform.baseUrl(), session, cursor), alice.token())) {
      UUID second = alice.submitTask(session, secondPrompt);
      JsonPath result = alice.awaitTaskState(second, "SUCCEEDED");
      assertThat(result.getString("state")).isEqualTo("SUCCEEDED");
      assertThat(result.getString("result")).contains("You first asked: \"" + firstPrompt + "\"");
      long last = alice.events(session, 0).getLong("next");
      await().atMost(Duration.ofSeconds(30)).until(() -> again.lastSeq() >= last);
      seen.addAll(again.messages());
    }

    // Nothing was lost or duplicated across the two connections.
    List<Long> seqs = seen.stream().map(m -> m.path("seq").asLong()).toList();
    assertThat(seqs).isEqualTo(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
    assertThat(seen.stream().map(m -> m.path("type").asText()))
        .contains("session.state")
        .filteredOn(t -> t.equals("task.completed"))
        .hasSize(2);

    alice.call().delete("/api/v1/sessions/{id}", session).then().statusCode(202);
    alice.awaitSessionState(session, "TERMINATED");
  }

  @Test
  void anotherUserSeesNoneOfIt() {
    Api alice = new Api("alice-" + UUID.randomUUID());
    Api mallory = new Api("mallory-" + UUID.randomUUID());
    UUID session = alice.createSession(Api.gitRepository("# private\n"));
    alice.awaitSessionState(session, "READY");
    UUID task = alice.submitTask(session, "secret work");

    mallory.call().get("/api/v1/sessions/{id}", session).then().statusCode(404);
    mallory.call().post("/api/v1/sessions/{id}/pause", session).then().statusCode(404);
    mallory.call().delete("/api/v1/sessions/{id}", session).then().statusCode(404);
    mallory.call().get("/api/v1/sessions/{id}/tasks", session).then().statusCode(404);
    mallory.call().get("/api/v1/tasks/{id}", task).then().statusCode(404);
    mallory.call().post("/api/v1/tasks/{id}/cancel", task).then().statusCode(404);
    mallory.call().get("/api/v1/sessions/{id}/events", session).then().statusCode(404);
    mallory
        .call()
        .queryParam("path", "README.md")
        .get("/api/v1/sessions/{id}/files", session)
        .then()
        .statusCode(404);
    mallory
        .call()
        .contentType("application/json")
        .body("{\"script\": \"cat README.md\"}")
        .post("/api/v1/sessions/{id}/commands", session)
        .then()
        .statusCode(404);
    assertThat(
            StreamClient.refusal(
                StreamClient.uri(TestPlatform.baseUrl(), session, 0), mallory.token()))
        .isEqualTo(404);
    mallory.call().get("/api/v1/sessions").then().statusCode(200).body("items.size()", equalTo(0));
    alice.awaitTaskState(task, "SUCCEEDED");
  }

  @Test
  void eventsCrossTheBrokerFromServiceToService() {
    // session-service → gateway (provisioning) → session-service (READY) → billing (metering).
    Api bob = new Api("bob-" + UUID.randomUUID());
    UUID session = bob.createSession(Api.gitRepository("# billing\n"));
    bob.awaitSessionState(session, "READY");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                bob.call()
                    .get("/api/v1/billing/usage")
                    .then()
                    .statusCode(200)
                    .body("sessionSeconds", hasKey("READY")));
  }

  private static boolean isState(JsonNode message, String state) {
    return message.path("type").asText().equals("session.state")
        && message.path("data").path("to").asText().equals(state);
  }
}
