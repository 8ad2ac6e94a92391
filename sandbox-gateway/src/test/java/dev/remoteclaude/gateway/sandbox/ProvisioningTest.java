package dev.remoteclaude.gateway.sandbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.common.events.SandboxProvisioned;
import dev.remoteclaude.common.events.SandboxSnapshotted;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.SessionResumeRequested;
import dev.remoteclaude.common.events.SessionSnapshotRequested;
import dev.remoteclaude.common.events.SessionTerminateRequested;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.gateway.support.GitHttpServer;
import dev.remoteclaude.gateway.support.GitRepos;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
    // No file of the sandbox holds it: the workspace (.git included), home and /tmp (the second
    // grep shows the search itself works).
    String search =
        given()
            .auth()
            .oauth2(Tokens.forUser(user))
            .contentType("application/json")
            .body(
                Map.of(
                    "argv",
                    List.of(
                        "sh",
                        "-c",
                        "grep -rlsF -e \"$1\" . \"$HOME\" /tmp; grep -lF 'private stuff' README.md",
                        "sh",
                        token)))
            .post("/api/v1/sessions/{id}/commands", session)
            .then()
            .statusCode(200)
            .extract()
            .path("stdout");
    assertThat(search).isEqualTo("README.md\n");
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
  void aFailingSetupCommandFailsTheSandboxNamedByItsIndexNeverByItsText() {
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    String secret = "marker-" + UUID.randomUUID();
    String repo = GitRepos.withReadme("x");
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session,
          user,
          Sessions.request(
              repo,
              "main",
              List.of(
                  "true",
                  "export TOKEN=" + secret + "; echo visible-output >&2; exit 3",
                  "echo never")));
      SandboxFailed failed =
          Sessions.payload(Sessions.await(gateway, session, "sandbox.failed"), SandboxFailed.class);
      assertThat(failed.code()).isEqualTo(SandboxFailed.SETUP_FAILED);
      assertThat(failed.reason())
          .startsWith("setup command 2 of 3 failed with exit code 3")
          .contains("visible-output")
          .doesNotContain(secret)
          .doesNotContain("export");
      assertThat(gateway.records())
          .filteredOn(r -> r.key().equals(session.toString()))
          .allSatisfy(r -> assertThat(r.value()).doesNotContain(secret));
    }
    String events =
        given()
            .auth()
            .oauth2(Tokens.forUser(user))
            .get("/api/v1/sessions/{id}/events", session)
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(events).contains("\"index\"").contains("sandbox.failed").doesNotContain(secret);
  }

  @Test
  void aRedirectIsNotFollowed() throws Exception {
    String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    Path root = Files.createTempDirectory("rc-git-server-");
    GitRepos.git(root, "clone", "--quiet", "--bare", GitRepos.withReadme("moved\n"), "moved.git");
    UUID session = UUID.randomUUID();
    com.sun.net.httpserver.HttpServer redirect =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 4);
    try (GitHttpServer git = GitHttpServer.start(root, token);
        KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      // Every request is sent on to the same path of another server, which holds the repository.
      redirect.createContext(
          "/",
          exchange -> {
            try (exchange) {
              String target =
                  git.url("moved.git")
                      + exchange.getRequestURI().getRawPath().substring("/old.git".length())
                      + (exchange.getRequestURI().getRawQuery() == null
                          ? ""
                          : "?" + exchange.getRequestURI().getRawQuery());
              exchange.getResponseHeaders().add("Location", target);
              exchange.sendResponseHeaders(302, -1);
            }
          });
      redirect.start();
      String url = "http://127.0.0.1:" + redirect.getAddress().getPort() + "/old.git";
      Sessions.send(
          session,
          "u1",
          Sessions.request(
              url, "main", List.of(), Map.of(), Sessions.sealGitToken(session, token)));
      SandboxFailed failed =
          Sessions.payload(Sessions.await(gateway, session, "sandbox.failed"), SandboxFailed.class);
      assertThat(failed.code()).isEqualTo(SandboxFailed.BAD_REPOSITORY_URL);
      assertThat(failed.reason())
          .contains(url)
          .contains("redirect (HTTP 302)")
          .contains("not followed");
    } finally {
      redirect.stop(0);
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
  void requestsFromSomeoneWhoDoesNotOwnTheSandboxChangeNothing() {
    Sessions.Ready owned = Sessions.provision();
    UUID session = owned.sessionId();
    String mallory = "mallory-" + UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      // Whoever can write to the broker: another user ends, pauses or re-requests the sandbox.
      Sessions.send(session, mallory, new SessionTerminateRequested("forged"));
      Sessions.send(session, mallory, new SessionPauseRequested("forged"));
      Sessions.send(
          session, mallory, Sessions.request(GitRepos.withReadme("y"), "main", List.of()));
      // The owner's own request comes after them on the session's partition.
      Sessions.send(session, owned.userId(), new SessionPauseRequested("user"));

      EventEnvelope paused = Sessions.await(gateway, session, "sandbox.paused");
      assertThat(paused.userId()).isEqualTo(owned.userId());
      assertThat(gateway.records())
          .filteredOn(r -> r.key().equals(session.toString()))
          .extracting(r -> EventCodec.read(r.value()).type())
          .containsOnly("sandbox.paused");
    }
  }

  @Test
  void aHugeSparseFileIsSnapshottedAsItsData() throws Exception {
    Sessions.Ready ready = Sessions.provision();
    given()
        .auth()
        .oauth2(Tokens.forUser(ready.userId()))
        .contentType("application/json")
        // 3 GiB of holes: under the sandbox's largest file (4 GiB), which a terabyte is not.
        .body("{\"script\": \"truncate -s 3G huge.bin\"}")
        .post("/api/v1/sessions/{id}/commands", ready.sessionId())
        .then()
        .statusCode(200)
        .body("exitCode", equalTo(0));
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(ready.sessionId(), ready.userId(), new SessionSnapshotRequested());
      // Read byte by byte, the holes would be gigabytes of zeros: megabytes even compressed.
      String snapshot =
          Sessions.payload(
                  Sessions.await(gateway, ready.sessionId(), "sandbox.snapshotted"),
                  SandboxSnapshotted.class)
              .snapshotId();
      Path archive =
          GatewayTestResource.sandboxRoot().resolve("snapshots").resolve(snapshot + ".tar.gz");
      assertThat(Files.size(archive)).isLessThan(256L << 10);
    }
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

  @Test
  void sandboxSecretsAreOnNoCommandLineOfTheHost() throws Exception {
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    String secret = "s3cr3t-" + UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session,
          user,
          Sessions.requestFor(session, GitRepos.withReadme("x"), Map.of("API_TOKEN", secret)));
      Sessions.await(gateway, session, "sandbox.provisioned");
    }
    // A command that holds the secret in its environment while it runs.
    given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .contentType("application/json")
        .body("{\"script\": \"sleep 30\", \"stream\": true}")
        .post("/api/v1/sessions/{id}/commands", session)
        .then()
        .statusCode(202);
    await().atMost(Duration.ofSeconds(20)).until(() -> hostProcessesWith("sleep 30").size() > 0);

    // Anyone on the host can read every process's command line; the secret is on none of them.
    assertThat(hostProcessesWith(secret)).isEmpty();
  }

  /** Command lines of the host's processes that contain {@code text}. */
  private static List<String> hostProcessesWith(String text) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline =
              new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                  .replace('\0', ' ');
          if (cmdline.contains(text)) {
            found.add(cmdline);
          }
        } catch (IOException gone) {
          // the process ended meanwhile
        }
      }
    }
    return found;
  }
}
