package dev.remoteclaude.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.infra.Ports;
import dev.remoteclaude.launcher.Platform;
import dev.remoteclaude.launcher.ServiceProcess;
import dev.remoteclaude.testing.StreamClient;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Two gateway instances behind one database and broker, and gateways dying mid-session. */
class GatewayReplicasTest {

  private static final String GATEWAY = "sandbox-gateway";
  private static final String SECOND = "sandbox-gateway-2";

  private static ServiceProcess second() {
    Platform platform = TestPlatform.get();
    ServiceProcess replica = platform.services().get(SECOND);
    return replica != null ? replica : platform.startReplica(GATEWAY, SECOND, Ports.free());
  }

  @Test
  void aClientOnOneReplicaSeesWhatRunsOnTheOther() {
    ServiceProcess second = second();
    ServiceProcess first = TestPlatform.get().services().get(GATEWAY);
    Api alice = new Api("alice-" + UUID.randomUUID());
    UUID session = alice.createSession(Api.gitRepository("# replicas\n"));
    alice.awaitSessionState(session, "READY");

    try (StreamClient onSecond =
            StreamClient.connect(
                StreamClient.uri("http://127.0.0.1:" + second.port(), session, 0), alice.token());
        StreamClient onFirst =
            StreamClient.connect(
                StreamClient.uri("http://127.0.0.1:" + first.port(), session, 0), alice.token())) {
      // A command streamed through the first replica...
      RestAssured.given()
          .baseUri("http://127.0.0.1:" + first.port())
          .auth()
          .oauth2(alice.token())
          .contentType("application/json")
          .body("{\"script\": \"echo from-the-first-replica\", \"stream\": true}")
          .post("/api/v1/sessions/{id}/commands", session)
          .then()
          .statusCode(202);
      // ...reaches a client of the second, and a task run by either reaches both.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  onSecond.messages().stream()
                      .anyMatch(
                          m ->
                              m.path("data")
                                  .path("text")
                                  .asText()
                                  .contains("from-the-first-replica")));
      alice.submitTask(session, "do something");
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  onSecond.messages().stream()
                          .anyMatch(m -> m.path("type").asText().equals("task.completed"))
                      && onFirst.messages().stream()
                          .anyMatch(m -> m.path("type").asText().equals("task.completed")));
      long last = alice.events(session, 0).getLong("next");
      await().until(() -> onFirst.lastSeq() >= last && onSecond.lastSeq() >= last);
      assertThat(onSecond.seqs()).isEqualTo(onFirst.seqs().subList(0, onSecond.seqs().size()));
      assertThat(onSecond.seqs()).startsWith(1L).doesNotHaveDuplicates();
    }
  }

  @Test
  void aSandboxMissingWhenTheGatewayRestartsIsReportedLostAndTheSessionRecovers() throws Exception {
    second();
    Platform platform = TestPlatform.get();
    Api alice = new Api("alice-" + UUID.randomUUID());
    UUID session = alice.createSession(Api.gitRepository("# recover me\n"));
    alice.awaitSessionState(session, "READY");
    String marker = ".marker-" + session;
    alice
        .call()
        .contentType("application/octet-stream")
        .queryParam("path", marker)
        .body(new byte[0])
        .put("/api/v1/sessions/{id}/files", session)
        .then()
        .statusCode(204);

    platform.services().get(GATEWAY).kill();
    platform.services().get(SECOND).kill();
    // The host loses the sandbox while no gateway runs.
    java.nio.file.Path sandboxes = platform.home().resolve("data/sandboxes/sandboxes");
    int deleted = 0;
    try (var dirs = java.nio.file.Files.list(sandboxes)) {
      for (java.nio.file.Path dir : dirs.toList()) {
        if (java.nio.file.Files.exists(dir.resolve("workspace").resolve(marker))) {
          try (var tree = java.nio.file.Files.walk(dir)) {
            for (java.nio.file.Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
              java.nio.file.Files.delete(p);
            }
          }
          deleted++;
        }
      }
    }
    assertThat(deleted).as("the session's sandbox directory was found and removed").isEqualTo(1);
    platform.restart(GATEWAY, true);
    platform.restart(SECOND, true);

    // Reconciliation reports it lost; session-service re-provisions it (a fresh clone).
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              List<String> states =
                  alice
                      .events(session, 0)
                      .getList("events.findAll { it.type == 'session.state' }.data.to");
              int recovering = states.indexOf("RECOVERING");
              return recovering >= 0 && states.subList(recovering, states.size()).contains("READY");
            });
    assertThat(alice.sessionState(session)).isEqualTo("READY");
    alice
        .call()
        .queryParam("path", "README.md")
        .get("/api/v1/sessions/{id}/files", session)
        .then()
        .statusCode(200);
  }

  @Test
  void gatewaysDyingDuringATaskInterruptItAndTheSessionCarriesOn() {
    second();
    Platform platform = TestPlatform.get();
    Api alice = new Api("alice-" + UUID.randomUUID());
    UUID session = alice.createSession(Api.gitRepository("# restart\n"));
    alice.awaitSessionState(session, "READY");

    // The demo model runs "run: <command>" prompts with its Bash tool: a task that takes a while.
    UUID task = alice.submitTask(session, "run: sleep 120");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> alice.task(task).getString("state").equals("RUNNING"));
    platform.services().get(GATEWAY).kill();
    platform.services().get(SECOND).kill();
    platform.restart(GATEWAY, true);
    platform.restart(SECOND, true);

    assertThat(alice.awaitTaskState(task, "INTERRUPTED").getString("state"))
        .isEqualTo("INTERRUPTED");

    // The sandbox survived: its files are there and the next task runs.
    alice
        .call()
        .queryParam("path", "README.md")
        .get("/api/v1/sessions/{id}/files", session)
        .then()
        .statusCode(200);
    UUID next = alice.submitTask(session, "carry on");
    assertThat(alice.awaitTaskState(next, "SUCCEEDED").getString("state")).isEqualTo("SUCCEEDED");
  }
}
