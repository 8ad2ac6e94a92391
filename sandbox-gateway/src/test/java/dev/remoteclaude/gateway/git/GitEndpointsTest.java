package dev.remoteclaude.gateway.git;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GitHttpServer;
import dev.remoteclaude.gateway.support.GitRepos;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session git endpoints against a real sandbox (the local provider) whose workspace is a clone
 * of a real upstream: git's smart-HTTP server behind basic authentication ({@link GitHttpServer}).
 * The upstream's credential is in the clone's remote URL here; in the platform the git proxy
 * answers for the sandbox instead, and the endpoints run the same plain {@code git push/pull}.
 */
@QuarkusTest
class GitEndpointsTest {

  private static final String TOKEN = "ghp_" + UUID.randomUUID().toString().replace("-", "");

  private GitHttpServer server;

  /** A session on a fresh upstream repository, and where that repository lives on the host. */
  private record Workspace(UUID sessionId, String userId, Path upstream) {
    RequestSpecification as() {
      return given().auth().oauth2(Tokens.forUser(userId)).contentType(ContentType.JSON);
    }
  }

  private Workspace workspace() throws IOException {
    Path root = Files.createTempDirectory("rc-git-upstream-");
    GitRepos.git(root, "clone", "--quiet", "--bare", GitRepos.withReadme("# demo\n"), "up.git");
    server = GitHttpServer.start(root, TOKEN);
    String url = server.url("up.git").replace("http://", "http://x-access-token:" + TOKEN + "@");
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(session, user, Sessions.request(url, "main", List.of()));
      Sessions.await(gateway, session, "sandbox.provisioned");
    }
    return new Workspace(session, user, root.resolve("up.git"));
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static void write(Workspace w, String path, String content) {
    given()
        .auth()
        .oauth2(Tokens.forUser(w.userId()))
        .contentType("application/octet-stream")
        .queryParam("path", path)
        .body(content.getBytes(StandardCharsets.UTF_8))
        .put("/api/v1/sessions/{id}/files", w.sessionId())
        .then()
        .statusCode(204);
  }

  /** A commit made on the upstream by someone else (a clone on the host, pushed back). */
  private static String commitUpstream(Workspace w, String branch, String file, String content)
      throws IOException {
    Path clone = Files.createTempDirectory("rc-git-other-");
    GitRepos.git(clone, "clone", "--quiet", "--branch", branch, w.upstream().toString(), ".");
    Files.writeString(clone.resolve(file), content);
    GitRepos.git(clone, "add", "--all");
    GitRepos.git(
        clone,
        "-c",
        "user.name=Other",
        "-c",
        "user.email=other@example.com",
        "commit",
        "--quiet",
        "-m",
        "upstream change");
    GitRepos.git(clone, "push", "--quiet", "origin", branch);
    return rev(w.upstream(), "refs/heads/" + branch);
  }

  private static String rev(Path gitDir, String ref) {
    try {
      Process p =
          new ProcessBuilder("git", "--git-dir=" + gitDir, "rev-parse", "--verify", "-q", ref)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor(30, TimeUnit.SECONDS);
      return p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The data of the session's stream events of a type, once there is at least one. */
  private static List<Map<String, Object>> streamed(Workspace w, String type) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                given()
                    .auth()
                    .oauth2(Tokens.forUser(w.userId()))
                    .queryParam("limit", 1000)
                    .get("/api/v1/sessions/{id}/events", w.sessionId())
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .<Map<String, Object>>getList(
                        "events.findAll { it.type == '" + type + "' }.data"),
            events -> !events.isEmpty());
  }

  @Test
  void statusShowsTheBranchAndTheFilesEditedThroughTheFilesApi() throws IOException {
    Workspace w = workspace();
    w.as()
        .get("/api/v1/sessions/{id}/git", w.sessionId())
        .then()
        .statusCode(200)
        .body("branch", equalTo("main"))
        .body("upstream", equalTo("origin/main"))
        .body("headCommit", equalTo(rev(w.upstream(), "refs/heads/main")))
        .body("clean", equalTo(true))
        .body("changes.size()", equalTo(0));

    write(w, "README.md", "# demo, edited\n");
    write(w, "src/new file.txt", "new\n");

    w.as()
        .get("/api/v1/sessions/{id}/git", w.sessionId())
        .then()
        .statusCode(200)
        .body("clean", equalTo(false))
        .body("ahead", equalTo(0))
        .body("behind", equalTo(0))
        .body("changes.find { it.path == 'README.md' }.status", equalTo("modified"))
        .body("changes.find { it.path == 'src/new file.txt' }.status", equalTo("untracked"));
  }

  @Test
  void branchesAreCreatedListedAndSwitchedAndLocalChangesInTheWayAreAConflict() throws IOException {
    Workspace w = workspace();
    w.as()
        .body(Map.of("name", "claude/feature"))
        .post("/api/v1/sessions/{id}/git/branches", w.sessionId())
        .then()
        .statusCode(201)
        .body("name", equalTo("claude/feature"))
        .body("current", equalTo(false))
        .body("commit", equalTo(rev(w.upstream(), "refs/heads/main")));
    w.as()
        .body(Map.of("name", "claude/feature"))
        .post("/api/v1/sessions/{id}/git/branches", w.sessionId())
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("detail", containsString("already exists"));
    w.as()
        .body(Map.of("name", "other", "from", "no-such-branch"))
        .post("/api/v1/sessions/{id}/git/branches", w.sessionId())
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    w.as()
        .get("/api/v1/sessions/{id}/git/branches", w.sessionId())
        .then()
        .statusCode(200)
        .body("find { it.name == 'main' }.current", equalTo(true))
        .body("find { it.name == 'main' }.upstream", equalTo("origin/main"))
        .body("find { it.name == 'claude/feature' }.current", equalTo(false));

    w.as()
        .body(Map.of("branch", "claude/feature"))
        .post("/api/v1/sessions/{id}/git/checkout", w.sessionId())
        .then()
        .statusCode(200)
        .body("branch", equalTo("claude/feature"));
    write(w, "README.md", "# on the feature branch\n");
    w.as()
        .body(Map.of("message", "Feature readme"))
        .post("/api/v1/sessions/{id}/git/commit", w.sessionId())
        .then()
        .statusCode(201)
        .body("branch", equalTo("claude/feature"));
    w.as()
        .body(Map.of("branch", "main"))
        .post("/api/v1/sessions/{id}/git/checkout", w.sessionId())
        .then()
        .statusCode(200)
        .body("branch", equalTo("main"));

    // An uncommitted change to a file that differs between the branches blocks the switch.
    write(w, "README.md", "# local edit on main\n");
    w.as()
        .body(Map.of("branch", "claude/feature"))
        .post("/api/v1/sessions/{id}/git/checkout", w.sessionId())
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("paths", equalTo(List.of("README.md")))
        .body("detail", containsString("would overwrite changes"));
    w.as()
        .body(Map.of("branch", "no-such-branch"))
        .post("/api/v1/sessions/{id}/git/checkout", w.sessionId())
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void aCommitWithAWrittenMessageThenAPushReachTheUpstream() throws IOException {
    Workspace w = workspace();
    w.as()
        .body(Map.of())
        .post("/api/v1/sessions/{id}/git/commit", w.sessionId())
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("detail", startsWith("nothing to commit"));

    write(w, "hello.py", "print('hello')\n");
    String commit =
        w.as()
            .body(Map.of())
            .post("/api/v1/sessions/{id}/git/commit", w.sessionId())
            .then()
            .statusCode(201)
            .body("branch", equalTo("main"))
            .body("filesChanged", equalTo(1))
            .body("message", startsWith("Add hello.py\n"))
            .extract()
            .path("commit");
    assertThat(streamed(w, "git.committed"))
        .singleElement()
        .satisfies(
            data -> {
              assertThat(data.get("commit")).isEqualTo(commit);
              assertThat(data.get("branch")).isEqualTo("main");
              assertThat(data.get("subject")).isEqualTo("Add hello.py");
            });
    w.as()
        .get("/api/v1/sessions/{id}/git", w.sessionId())
        .then()
        .body("ahead", equalTo(1))
        .body("clean", equalTo(true))
        .body("headCommit", equalTo(commit));

    // The git proxy takes no push to the repository's default branch ...
    String before = rev(w.upstream(), "refs/heads/main");
    w.as()
        .body(Map.of())
        .post("/api/v1/sessions/{id}/git/push", w.sessionId())
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("detail", containsString("protected"));
    assertThat(rev(w.upstream(), "refs/heads/main")).isEqualTo(before);

    // ... but a new branch of the session's is pushed and becomes the local branch's upstream.
    String work = "claude/" + w.sessionId().toString().substring(0, 8) + "/work";
    w.as()
        .body(Map.of("name", work))
        .post("/api/v1/sessions/{id}/git/branches", w.sessionId())
        .then()
        .statusCode(201);
    w.as()
        .body(Map.of("branch", work))
        .post("/api/v1/sessions/{id}/git/push", w.sessionId())
        .then()
        .statusCode(200)
        .body("upstream", equalTo("origin/" + work));
    assertThat(rev(w.upstream(), "refs/heads/" + work)).isEqualTo(commit);
    w.as()
        .get("/api/v1/sessions/{id}/git/branches", w.sessionId())
        .then()
        .body("find { it.name == '" + work + "' }.upstream", equalTo("origin/" + work));
  }

  @Test
  void aRejectedPushGivesGitsReasonAndAnUnreachableRemoteIsABadGateway() throws IOException {
    Workspace w = workspace();
    String theirs = commitUpstream(w, "main", "theirs.txt", "theirs\n");
    write(w, "mine.txt", "mine\n");
    w.as()
        .body(Map.of("message", "Mine"))
        .post("/api/v1/sessions/{id}/git/commit", w.sessionId())
        .then()
        .statusCode(201);
    w.as()
        .body(Map.of())
        .post("/api/v1/sessions/{id}/git/push", w.sessionId())
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("detail", containsString("rejected"))
        .body("detail", containsString("main -> main"))
        .body("detail", not(containsString(TOKEN)));
    assertThat(rev(w.upstream(), "refs/heads/main")).isEqualTo(theirs);

    w.as()
        .body(Map.of("branch", "no-such-branch"))
        .post("/api/v1/sessions/{id}/git/push", w.sessionId())
        .then()
        .statusCode(404)
        .contentType("application/problem+json");

    w.as()
        .body(Map.of("name", "claude/down"))
        .post("/api/v1/sessions/{id}/git/branches", w.sessionId())
        .then()
        .statusCode(201);
    server.close();
    w.as()
        .body(Map.of("branch", "claude/down"))
        .post("/api/v1/sessions/{id}/git/push", w.sessionId())
        .then()
        .statusCode(502)
        .contentType("application/problem+json")
        .body("detail", containsString("could not be reached"));
  }

  @Test
  void aPullFastForwardsToANewUpstreamCommitAndLocalChangesInTheWayAreAConflict()
      throws IOException {
    Workspace w = workspace();
    String before = rev(w.upstream(), "refs/heads/main");
    String theirs = commitUpstream(w, "main", "from-upstream.txt", "news\n");
    w.as()
        .post("/api/v1/sessions/{id}/git/pull", w.sessionId())
        .then()
        .statusCode(200)
        .body("branch", equalTo("main"))
        .body("before", equalTo(before))
        .body("after", equalTo(theirs))
        .body("updated", equalTo(true));
    assertThat(streamed(w, "git.pulled"))
        .singleElement()
        .satisfies(data -> assertThat(data.get("after")).isEqualTo(theirs));
    given()
        .auth()
        .oauth2(Tokens.forUser(w.userId()))
        .queryParam("path", "from-upstream.txt")
        .get("/api/v1/sessions/{id}/files", w.sessionId())
        .then()
        .statusCode(200)
        .body(equalTo("news\n"));

    commitUpstream(w, "main", "README.md", "# changed upstream\n");
    write(w, "README.md", "# changed here\n");
    w.as()
        .post("/api/v1/sessions/{id}/git/pull", w.sessionId())
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("paths", equalTo(List.of("README.md")));
  }

  @Test
  void badNamesAndMessagesAreBadRequests() {
    Sessions.Ready session = Sessions.provision();
    Supplier<RequestSpecification> as =
        () -> given().auth().oauth2(Tokens.forUser(session.userId())).contentType(ContentType.JSON);
    for (String name : List.of("-f", "a..b", "with space", "x.lock", "a~1", "bad\u0001name")) {
      as.get()
          .body(Map.of("name", name))
          .post("/api/v1/sessions/{id}/git/branches", session.sessionId())
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("errors.field", hasItem("name"));
    }
    as.get()
        .body(Map.of("name", "ok", "from", "--orphan"))
        .post("/api/v1/sessions/{id}/git/branches", session.sessionId())
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("from"));
    as.get()
        .body(Map.of("branch", "--detach"))
        .post("/api/v1/sessions/{id}/git/checkout", session.sessionId())
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("branch"));
    as.get()
        .body(Map.of("branch", "main:other"))
        .post("/api/v1/sessions/{id}/git/push", session.sessionId())
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("branch"));
    as.get()
        .body(Map.of("message", "ring \u0007 the bell"))
        .post("/api/v1/sessions/{id}/git/commit", session.sessionId())
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("message"));
    as.get()
        .body(Map.of("message", "x".repeat(20000)))
        .post("/api/v1/sessions/{id}/git/commit", session.sessionId())
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    // Nothing reached git: the workspace is as it was.
    as.get()
        .get("/api/v1/sessions/{id}/git/branches", session.sessionId())
        .then()
        .statusCode(200)
        .body("name", equalTo(List.of("main")));
  }

  @Test
  void anotherUserGets404() {
    Sessions.Ready session = Sessions.provision();
    String stranger = "u-" + UUID.randomUUID();
    Supplier<RequestSpecification> as =
        () -> given().auth().oauth2(Tokens.forUser(stranger)).contentType(ContentType.JSON);
    as.get()
        .get("/api/v1/sessions/{id}/git", session.sessionId())
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("detail", not(nullValue()));
    as.get().get("/api/v1/sessions/{id}/git/branches", session.sessionId()).then().statusCode(404);
    Map<String, Map<String, String>> bodies =
        Map.of(
            "branches", Map.of("name", "x"),
            "checkout", Map.of("branch", "main"),
            "commit", Map.of("message", "x"),
            "push", Map.of("branch", "main"));
    for (Map.Entry<String, Map<String, String>> call : bodies.entrySet()) {
      as.get()
          .body(call.getValue())
          .post("/api/v1/sessions/{id}/git/" + call.getKey(), session.sessionId())
          .then()
          .statusCode(404)
          .contentType("application/problem+json");
    }
    as.get().post("/api/v1/sessions/{id}/git/pull", session.sessionId()).then().statusCode(404);
    given()
        .contentType(ContentType.JSON)
        .get("/api/v1/sessions/{id}/git", session.sessionId())
        .then()
        .statusCode(401);
    // The owner's workspace is untouched.
    given()
        .auth()
        .oauth2(Tokens.forUser(session.userId()))
        .get("/api/v1/sessions/{id}/git/branches", session.sessionId())
        .then()
        .statusCode(200)
        .body("name", equalTo(List.of("main")));
  }
}
