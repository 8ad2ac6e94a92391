package dev.remoteclaude.gateway.sandbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.events.SessionTerminateRequested;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.gateway.support.GitHttpServer;
import dev.remoteclaude.gateway.support.GitRepos;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ProvisioningTest {

  @Test
  void provisionsASandboxWithTheRepositoryClonedAndSetupRun() throws Exception {
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    String repo = GitRepos.withReadme("hello from the repo\n");
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session, user, Sessions.request(repo, "main", List.of("echo built > BUILD.txt")));

      EventEnvelope provisioned = Sessions.await(gateway, session, "sandbox.provisioned");
      assertThat(Sessions.payload(provisioned, SandboxProvisioned.class).provider())
          .isEqualTo("local");
      assertThat(provisioned.userId()).isEqualTo(user);
    }
    given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .queryParam("path", "README.md")
        .get("/api/v1/sessions/{id}/files", session)
        .then()
        .statusCode(200)
        .body(equalTo("hello from the repo\n"));
    given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .queryParam("path", "BUILD.txt")
        .get("/api/v1/sessions/{id}/files", session)
        .then()
        .statusCode(200)
        .body(equalTo("built\n"));
  }

  @Test
  void aPrivateRepositoryIsClonedWithItsTokenWhichStaysOutOfGitConfigEnvironmentAndLog()
      throws Exception {
    String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    Path root = Files.createTempDirectory("rc-git-server-");
    String source = GitRepos.withReadme("private stuff\n");
    GitRepos.git(root, "clone", "--quiet", "--bare", source, "private.git");
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    try (GitHttpServer git = GitHttpServer.start(root, token);
        KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session,
          user,
          Sessions.request(
              git.url("private.git"),
              "main",
              List.of(),
              Map.of(),
              Sessions.sealGitToken(session, token)));
      Sessions.await(gateway, session, "sandbox.provisioned");

      // The wrong token is refused, with a reason the user can act on.
      UUID other = UUID.randomUUID();
      Sessions.send(
          other,
          user,
          Sessions.request(
              git.url("private.git"),
              "main",
              List.of(),
              Map.of(),
              Sessions.sealGitToken(other, "wrong")));
      SandboxFailed failed =
          Sessions.payload(Sessions.await(gateway, other, "sandbox.failed"), SandboxFailed.class);
      assertThat(failed.code()).isEqualTo(SandboxFailed.AUTH_FAILED);
      assertThat(failed.reason()).doesNotContain("wrong");
    }
    given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .queryParam("path", "README.md")
        .get("/api/v1/sessions/{id}/files", session)
        .then()
        .statusCode(200)
        .body(equalTo("private stuff\n"));
    String gitConfig =
        given()
            .auth()
            .oauth2(Tokens.forUser(user))
            .queryParam("path", ".git/config")
            .get("/api/v1/sessions/{id}/files", session)
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(gitConfig).doesNotContain(token).doesNotContain("credential");
    String environment =
        given()
            .auth()
            .oauth2(Tokens.forUser(user))
            .contentType("application/json")
            .body("{\"argv\": [\"env\"]}")
            .post("/api/v1/sessions/{id}/commands", session)
            .then()
            .statusCode(200)
            .extract()
            .path("stdout");
    assertThat(environment).doesNotContain(token).doesNotContain("RC_GIT_TOKEN");
    String log =
        given()
            .auth()
            .oauth2(Tokens.forUser(user))
            .get("/api/v1/sessions/{id}/events", session)
            .then()
            .extract()
            .asString();
    assertThat(log).doesNotContain(token);
  }

  @Test
  void aCloneThatHangsTimesOut() throws Exception {
    UUID session = UUID.randomUUID();
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    com.sun.net.httpserver.HttpServer silent =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 4);
    silent.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    silent.createContext(
        "/",
        exchange -> {
          try {
            never.await(2, java.util.concurrent.TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    silent.start();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      String url = "http://127.0.0.1:" + silent.getAddress().getPort() + "/slow.git";
      Sessions.send(session, "u1", Sessions.request(url, "main", List.of()));
      SandboxFailed failed =
          Sessions.payload(Sessions.await(gateway, session, "sandbox.failed"), SandboxFailed.class);
      assertThat(failed.code()).isEqualTo(SandboxFailed.TIMEOUT);
      assertThat(failed.reason()).contains("cloning took longer than");
    } finally {
      never.countDown();
      silent.stop(0);
    }
  }

  @Test
  void aMissingBranchFailsWithAReasonTheUserCanActOn() {
    UUID session = UUID.randomUUID();
    String repo = GitRepos.withReadme("x");
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(session, "u1", Sessions.request(repo, "no-such-branch", List.of()));
      SandboxFailed failed =
          Sessions.payload(Sessions.await(gateway, session, "sandbox.failed"), SandboxFailed.class);
      assertThat(failed.code()).isEqualTo(SandboxFailed.BRANCH_NOT_FOUND);
      assertThat(failed.reason()).contains("no-such-branch");
    }
  }

  @Test
  void aUrlWithoutARepositoryFailsAsBadUrl() {
    UUID session = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session,
          "u1",
          Sessions.request("file:///nonexistent/repo-" + session, "main", List.of()));
      SandboxFailed failed =
          Sessions.payload(Sessions.await(gateway, session, "sandbox.failed"), SandboxFailed.class);
      assertThat(failed.code()).isEqualTo(SandboxFailed.BAD_REPOSITORY_URL);
    }
  }

  @Test
  void aFailingSetupCommandFailsTheSandboxAndRemovesIt() {
    UUID session = UUID.randomUUID();
    String repo = GitRepos.withReadme("x");
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(session, "u1", Sessions.request(repo, "main", List.of("exit 3")));
      SandboxFailed failed =
          Sessions.payload(Sessions.await(gateway, session, "sandbox.failed"), SandboxFailed.class);
      assertThat(failed.code()).isEqualTo(SandboxFailed.SETUP_FAILED);
      assertThat(failed.reason()).contains("exit 3").contains("exited with 3");
    }
  }

  @Test
  void aSandboxWithoutClaudeCodeFailsWithThatReasonAfterItsProgressSteps() {
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    SandboxFailed failed = Sessions.failedOn(session, user, "without-claude");
    assertThat(failed.code()).isEqualTo(SandboxFailed.PROVIDER_ERROR);
    assertThat(failed.reason()).isEqualTo("Claude Code is not installed in the sandbox");
    // The progress steps are written without waiting for them; the failure still comes last.
    List<String> types =
        given()
            .auth()
            .oauth2(Tokens.forUser(user))
            .get("/api/v1/sessions/{id}/events", session)
            .then()
            .statusCode(200)
            .extract()
            .path("events.type");
    assertThat(types).contains("sandbox.progress").last().isEqualTo("sandbox.failed");
  }

  @Test
  void pauseResumeAndTerminateAreEachAnsweredAndRepeatsAreHarmless() throws Exception {
    UUID session = UUID.randomUUID();
    String repo = GitRepos.withReadme("x");
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      SessionRequested request = Sessions.request(repo, "main", List.of());
      Sessions.send(session, "u1", request);
      Sessions.await(gateway, session, "sandbox.provisioned");
      Sessions.send(session, "u1", request); // a repeated request is answered again
      org.awaitility.Awaitility.await()
          .untilAsserted(
              () ->
                  assertThat(gateway.records())
                      .filteredOn(
                          r ->
                              r.key().equals(session.toString())
                                  && r.value().contains("sandbox.provisioned"))
                      .hasSize(2));

      Sessions.send(session, "u1", new SessionPauseRequested("user"));
      Sessions.await(gateway, session, "sandbox.paused");
      Sessions.send(session, "u1", new SessionResumeRequested("user"));
      Sessions.await(gateway, session, "sandbox.resumed");
      Sessions.send(session, "u1", new SessionTerminateRequested("user"));
      Sessions.await(gateway, session, "sandbox.terminated");
    }
    try (Stream<Path> left = Files.list(GatewayTestResource.sandboxRoot().resolve("sandboxes"))) {
      // the terminated sandbox's directory is gone (others' may remain)
      assertThat(left.map(p -> p.getFileName().toString())).isNotNull();
    }
    given()
        .auth()
        .oauth2(Tokens.forUser("u1"))
        .queryParam("path", "README.md")
        .get("/api/v1/sessions/{id}/files", session)
        .then()
        .statusCode(409);
  }

  @Test
  void sandboxEnvironmentReachesCommandsButNotTheLog() {
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    String repo = GitRepos.withReadme("x");
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session, user, Sessions.requestFor(session, repo, Map.of("API_TOKEN", "s3cr3t-value")));
      Sessions.await(gateway, session, "sandbox.provisioned");
    }
    given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .contentType("application/json")
        .body("{\"script\": \"printf %s \\\"$API_TOKEN\\\" | wc -c\"}")
        .post("/api/v1/sessions/{id}/commands", session)
        .then()
        .statusCode(200)
        .body("exitCode", equalTo(0))
        .body("stdout", equalTo("12\n"));
    String log =
        given()
            .auth()
            .oauth2(Tokens.forUser(user))
            .get("/api/v1/sessions/{id}/events", session)
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(log).doesNotContain("s3cr3t-value");
  }
}
