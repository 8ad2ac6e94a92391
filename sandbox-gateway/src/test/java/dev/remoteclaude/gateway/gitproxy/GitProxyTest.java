package dev.remoteclaude.gateway.gitproxy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.EventEnvelope;
import dev.remoteclaude.common.events.GitPushed;
import dev.remoteclaude.common.events.PullRequestOption;
import dev.remoteclaude.common.events.SessionTerminateRequested;
import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.gateway.support.GitHttpServer;
import dev.remoteclaude.gateway.support.GitRepos;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.infra.anthropic.AnthropicStub;
import dev.remoteclaude.infra.anthropic.Turn;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The git proxy against a real private git server (git's http-backend behind Basic auth): the
 * sandbox clones and pushes through it with its session's token only, and the proxy enforces what
 * may be pushed, answering with git's own rejections.
 */
@QuarkusTest
class GitProxyTest {

  private static final String GIT = "git -c user.name=Claude -c user.email=claude@example.com";

  @Test
  void aSandboxClonesAndPushesThroughTheProxyWithinItsBranchPolicyAndNeverSeesTheCredential()
      throws Exception {
    String credential = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    Path root = Files.createTempDirectory("rc-git-server-");
    GitRepos.git(
        root, "clone", "--quiet", "--bare", GitRepos.withReadme("private stuff\n"), "up.git");
    Path upstream = root.resolve("up.git");
    UUID session = UUID.randomUUID();
    UUID other = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    List<String> logs = new ArrayList<>();
    Handler capture = capture(logs);
    Logger.getLogger("").addHandler(capture);
    try (GitHttpServer git = GitHttpServer.start(root, credential);
        KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      for (UUID id : List.of(session, other)) {
        Sessions.send(
            id,
            user,
            Sessions.request(
                git.url("up.git"),
                "main",
                List.of(),
                Map.of(),
                Sessions.sealGitToken(id, credential)));
      }
      Sessions.await(gateway, session, "sandbox.provisioned");
      Sessions.await(gateway, other, "sandbox.provisioned");

      // The clone came through the proxy: origin is the proxy, with the session's own token.
      String origin = run(user, session, "git", "remote", "get-url", "origin").getString("stdout");
      Matcher remote =
          Pattern.compile("^http://rc:(rc-git-[^@]+)@127\\.0\\.0\\.1:(\\d+)/git/" + session)
              .matcher(origin.strip());
      assertThat(remote.find()).as(origin).isTrue();
      String token = remote.group(1);
      assertThat(Integer.parseInt(remote.group(2))).isEqualTo(GatewayTestResource.modelProxyPort());
      assertThat(run(user, session, "cat", "README.md").getString("stdout"))
          .isEqualTo("private stuff\n");

      // A push to a branch of the session's own (under claude/<first 8 of its id>/) reaches the
      // upstream repository, and is announced.
      String feature = "claude/" + session.toString().substring(0, 8) + "/feature";
      JsonPath pushed =
          sh(
              user,
              session,
              "echo work > work.txt && git add work.txt && "
                  + GIT
                  + " commit -q -m work && git push -q origin HEAD:refs/heads/"
                  + feature
                  + " && git rev-parse HEAD");
      assertThat(pushed.getInt("exitCode")).as(pushed.getString("stderr")).isZero();
      String commit = pushed.getString("stdout").strip();
      assertThat(upstreamRef(upstream, feature)).isEqualTo(commit);
      GitPushed event =
          Sessions.payload(Sessions.await(gateway, session, "git.pushed"), GitPushed.class);
      assertThat(event.branch()).isEqualTo(feature);
      assertThat(event.commit()).isEqualTo(commit);
      assertThat(event.previousCommit()).isNull();
      assertThat(event.repositoryUrl()).isEqualTo(git.url("up.git"));
      assertThat(event.taskId()).isNull();
      assertThat(events(user, session)).contains("\"git.pushed\"").contains(commit);

      // Refused, each with git's own rejection and the reason; the upstream is unchanged.
      String mainBefore = upstreamRef(upstream, "main");
      JsonPath toMain = sh(user, session, "git push origin HEAD:main");
      assertThat(toMain.getInt("exitCode")).isNotZero();
      assertThat(toMain.getString("stderr"))
          .contains("[remote rejected]")
          .contains("branch main is protected");
      assertThat(upstreamRef(upstream, "main")).isEqualTo(mainBefore);

      JsonPath elsewhere = sh(user, session, "git push origin HEAD:refs/heads/feature/x");
      assertThat(elsewhere.getInt("exitCode")).isNotZero();
      assertThat(elsewhere.getString("stderr"))
          .contains("[remote rejected]")
          .contains("this session may push only to claude/" + session.toString().substring(0, 8));

      // Another session's branch of the same repository (same user) is not this session's: it
      // is refused, whether the other session's working branch or one under it; upstream keeps it.
      String others = "claude/" + other.toString().substring(0, 8);
      GitRepos.git(root, "--git-dir", upstream.toString(), "branch", others, "main");
      String othersBefore = upstreamRef(upstream, others);
      for (String target : List.of(others, others + "/feature", "claude/feature")) {
        JsonPath clobber = sh(user, session, "git push origin HEAD:refs/heads/" + target);
        assertThat(clobber.getInt("exitCode")).as(target).isNotZero();
        assertThat(clobber.getString("stderr"))
            .as(target)
            .contains("[remote rejected]")
            .contains("branch " + target + " is not this session's");
      }
      assertThat(upstreamRef(upstream, others)).isEqualTo(othersBefore);
      assertThat(upstreamRef(upstream, others + "/feature")).doesNotMatch("[0-9a-f]{40}");

      JsonPath tag = sh(user, session, "git tag v1 && git push origin v1");
      assertThat(tag.getInt("exitCode")).isNotZero();
      assertThat(tag.getString("stderr"))
          .contains("[remote rejected]")
          .contains("tags cannot be pushed");

      JsonPath force =
          sh(
              user,
              session,
              GIT
                  + " commit -q --amend -m rewritten && git push --force origin"
                  + " HEAD:refs/heads/"
                  + feature);
      assertThat(force.getInt("exitCode")).isNotZero();
      // JGit refuses it as git's own receive-pack does; git shows "[rejected] (non-fast-forward)".
      assertThat(force.getString("stderr")).contains("rejected").contains("non-fast-forward");
      assertThat(upstreamRef(upstream, feature)).isEqualTo(commit);

      JsonPath delete = sh(user, session, "git push origin :refs/heads/" + feature);
      assertThat(delete.getInt("exitCode")).isNotZero();
      assertThat(upstreamRef(upstream, feature)).isEqualTo(commit);

      // A fetch sees what upstream has now.
      GitRepos.git(
          root, "--git-dir", upstream.toString(), "branch", "claude/from-upstream", "main");
      JsonPath fetched = sh(user, session, "git fetch -q origin && git branch -r");
      assertThat(fetched.getString("stdout")).contains("origin/claude/from-upstream");

      // Only its own session: a wrong token is refused, the other session's token finds nothing.
      String otherOrigin =
          run(user, other, "git", "remote", "get-url", "origin").getString("stdout");
      Matcher otherRemote = Pattern.compile("rc:(rc-git-[^@]+)@").matcher(otherOrigin);
      assertThat(otherRemote.find()).isTrue();
      assertThat(infoRefs(session, "rc-git-wrong")).isEqualTo(401);
      assertThat(infoRefs(session, null)).isEqualTo(401);
      assertThat(infoRefs(session, otherRemote.group(1))).isEqualTo(404);
      assertThat(infoRefs(session, token)).isEqualTo(200);

      // The real credential is nowhere in the sandbox: .git/config, files, environment of every
      // process, command lines; nor in the gateway's log.
      assertThat(run(user, session, "cat", ".git/config").getString("stdout"))
          .doesNotContain(credential);
      // The credential goes in encoded, and is decoded into a pattern file descriptor: so no
      // command line of the search holds it.
      JsonPath search =
          run(
              user,
              session,
              "bash",
              "-c",
              "c=$(printf %s \"$1\" | base64 -d); grep -rlsF -f <(printf '%s\\n' \"$c\") ."
                  + " \"$HOME\" /tmp; cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null"
                  + " | tr '\\0' '\\n' | grep -cF -f <(printf '%s\\n' \"$c\"); grep -lF"
                  + " 'private stuff' README.md",
              "bash",
              Base64.getEncoder().encodeToString(credential.getBytes(StandardCharsets.UTF_8)));
      assertThat(search.getString("stdout")).isEqualTo("0\nREADME.md\n");
      assertThat(run(user, session, "env").getString("stdout")).doesNotContain(credential);
      // A clone the upstream refuses (wrong credential) is logged: the capture sees the gateway's
      // log, and no line of it holds the real credential or a session token.
      UUID refused = UUID.randomUUID();
      Sessions.send(
          refused,
          user,
          Sessions.request(
              git.url("up.git"),
              "main",
              List.of(),
              Map.of(),
              Sessions.sealGitToken(refused, "ghp_wrong")));
      Sessions.await(gateway, refused, "sandbox.failed");
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                synchronized (logs) {
                  assertThat(logs).anyMatch(line -> line.contains(refused.toString()));
                }
              });
      synchronized (logs) {
        assertThat(logs).noneMatch(line -> line.contains(credential));
      }
      synchronized (logs) {
        assertThat(logs).noneMatch(line -> line.contains(token));
      }

      // After the session ends, its token no longer opens anything.
      Sessions.send(session, user, new SessionTerminateRequested("user"));
      Sessions.await(gateway, session, "sandbox.terminated");
      assertThat(infoRefs(session, token)).isEqualTo(401);
    } finally {
      Logger.getLogger("").removeHandler(capture);
    }
  }

  @Test
  void aTaskWithAPullRequestOptionEndsWithItsCommitPushedBeforeItCompletes() throws Exception {
    String credential = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    Path root = Files.createTempDirectory("rc-git-server-");
    GitRepos.git(root, "clone", "--quiet", "--bare", GitRepos.withReadme("app\n"), "app.git");
    Path upstream = root.resolve("app.git");
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    AnthropicStub stub = GatewayTestResource.stub();
    String marker = "[m-" + UUID.randomUUID() + "]";
    stub.when(marker, Turn.bash("echo fixed > fix.txt"), Turn.text("Fixed it."));
    String quiet = "[m-" + UUID.randomUUID() + "]";
    stub.when(quiet, Turn.text("Nothing to change."));
    PullRequestOption option = new PullRequestOption("main", true, null, null);
    try (GitHttpServer git = GitHttpServer.start(root, credential);
        KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session,
          user,
          Sessions.request(
              git.url("app.git"),
              "main",
              List.of(),
              Map.of(),
              Sessions.sealGitToken(session, credential)));
      Sessions.await(gateway, session, "sandbox.provisioned");

      UUID task = UUID.randomUUID();
      Sessions.send(
          session,
          user,
          new TaskDispatched(
              task,
              "  Fix the bug " + marker + "\nand explain why",
              null,
              null,
              null,
              null,
              option,
              null,
              Instant.now()));
      Sessions.awaitTask(gateway, task, "task.completed");
      String branch = "claude/" + session.toString().substring(0, 8);
      List<EventEnvelope> ordered =
          gateway.records().stream()
              .filter(r -> r.key().equals(session.toString()))
              .map(r -> EventCodec.read(r.value()))
              .filter(e -> e.type().equals("git.pushed") || e.type().equals("task.completed"))
              .toList();
      assertThat(ordered)
          .extracting(EventEnvelope::type)
          .containsExactly("git.pushed", "task.completed");
      GitPushed pushed = Sessions.payload(ordered.get(0), GitPushed.class);
      assertThat(pushed.taskId()).isEqualTo(task);
      assertThat(pushed.pullRequest()).isEqualTo(option);
      assertThat(pushed.branch()).isEqualTo(branch);
      assertThat(upstreamRef(upstream, branch)).isEqualTo(pushed.commit());
      assertThat(gitOutput(upstream, "show", "-s", "--format=%B", branch).strip())
          .isEqualTo("Fix the bug " + marker + "\n\nRemote-Claude-Task: " + task);
      assertThat(gitOutput(upstream, "show", branch + ":fix.txt")).isEqualTo("fixed\n");
      assertThat(events(user, session)).contains("\"git.pushed\"");

      // A task that changes nothing: no commit, no push, a notice; it still completes.
      UUID second = UUID.randomUUID();
      Sessions.send(
          session,
          user,
          new TaskDispatched(
              second, "Look " + quiet, null, null, null, null, option, null, Instant.now()));
      Sessions.awaitTask(gateway, second, "task.completed");
      assertThat(events(user, session)).contains("NOTHING_CHANGED");
      assertThat(upstreamRef(upstream, branch)).isEqualTo(pushed.commit());
    }
  }

  @Test
  void aGzipEncodedRequestThatInflatesPastTheCapIsRefusedWith413AndLeavesNothingOnTheMirror()
      throws Exception {
    String credential = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    Path root = Files.createTempDirectory("rc-git-server-");
    GitRepos.git(root, "clone", "--quiet", "--bare", GitRepos.withReadme("bomb\n"), "b.git");
    Path upstream = root.resolve("b.git");
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    long max = ConfigProvider.getConfig().getValue("gateway.git.max-request-bytes", Long.class);
    try (GitHttpServer git = GitHttpServer.start(root, credential);
        KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session,
          user,
          Sessions.request(
              git.url("b.git"),
              "main",
              List.of(),
              Map.of(),
              Sessions.sealGitToken(session, credential)));
      Sessions.await(gateway, session, "sandbox.provisioned");
      String origin = run(user, session, "git", "remote", "get-url", "origin").getString("stdout");
      Matcher remote = Pattern.compile("rc:(rc-git-[^@]+)@").matcher(origin);
      assertThat(remote.find()).isTrue();
      String token = remote.group(1);
      Path mirror =
          GatewayTestResource.sandboxRoot().resolve("git-mirrors").resolve(session + ".git");
      List<String> before = files(mirror);

      // A fetch request of a few hundred KiB that inflates past the cap (flush packets, which
      // git would read on and on): refused before git sees it.
      byte[] fetchBomb = gzip(new byte[0], "0000".getBytes(StandardCharsets.US_ASCII), max + 1);
      assertThat(fetchBomb.length).isLessThan(4 << 20);
      var fetch = post(session, token, "git-upload-pack", fetchBomb);
      assertThat(fetch.statusCode()).isEqualTo(413);
      assertThat(fetch.body()).contains("larger than " + max + " bytes");

      // A push whose pack inflates past the cap: refused, nothing of it on the mirror, nothing
      // upstream.
      String branch = "claude/" + session.toString().substring(0, 8);
      String head = upstreamRef(upstream, "main");
      String command = "0".repeat(40) + " " + head + " refs/heads/" + branch + "\0 report-status\n";
      byte[] header =
          (String.format("%04x", command.length() + 4) + command + "0000PACK")
              .getBytes(StandardCharsets.ISO_8859_1);
      byte[] pushBomb =
          gzip(
              java.nio.ByteBuffer.allocate(header.length + 8)
                  .put(header)
                  .putInt(2)
                  .putInt(1)
                  .array(),
              new byte[] {0},
              max + 1);
      var push = post(session, token, "git-receive-pack", pushBomb);
      assertThat(push.statusCode()).isEqualTo(413);
      assertThat(files(mirror)).isEqualTo(before);
      assertThat(upstreamRef(upstream, branch)).doesNotMatch("[0-9a-f]{40}");

      // Git itself still fetches through the proxy.
      JsonPath fetched = sh(user, session, "git fetch -q origin && echo fetched");
      assertThat(fetched.getString("stdout")).as(fetched.getString("stderr")).contains("fetched");
    }
  }

  @Test
  void aTaskWhosePushFailsToRunLeavesNoMarkThatWouldClaimTheSessionsNextPush() throws Exception {
    String credential = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    Path root = Files.createTempDirectory("rc-git-server-");
    GitRepos.git(root, "clone", "--quiet", "--bare", GitRepos.withReadme("app\n"), "m.git");
    Path upstream = root.resolve("m.git");
    UUID session = UUID.randomUUID();
    String user = "u-" + UUID.randomUUID();
    String marker = "[m-" + UUID.randomUUID() + "]";
    GatewayTestResource.stub()
        .when(marker, Turn.bash("echo fixed > fix.txt"), Turn.text("Fixed it."));
    PullRequestOption option = new PullRequestOption("main", true, null, null);
    try (GitHttpServer git = GitHttpServer.start(root, credential);
        KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      // Its provider fails the gateway's exec of "git push" (the task's push), as an outage would.
      Sessions.send(
          session,
          user,
          Sessions.request(
              "failing-push",
              git.url("m.git"),
              "main",
              List.of(),
              Map.of(),
              Sessions.sealGitToken(session, credential)));
      Sessions.await(gateway, session, "sandbox.provisioned");
      UUID task = UUID.randomUUID();
      Sessions.send(
          session,
          user,
          new TaskDispatched(
              task, "Fix it " + marker, null, null, null, null, option, null, Instant.now()));
      Sessions.awaitTask(gateway, task, "task.completed");
      assertThat(events(user, session)).contains("PUSH_FAILED");

      // The user pushes the branch later: it is their push, not the task's (no pull request).
      String branch = "claude/" + session.toString().substring(0, 8);
      JsonPath pushed = sh(user, session, "git push -q origin HEAD:refs/heads/" + branch);
      assertThat(pushed.getInt("exitCode")).as(pushed.getString("stderr")).isZero();
      GitPushed event =
          Sessions.payload(Sessions.await(gateway, session, "git.pushed"), GitPushed.class);
      assertThat(event.branch()).isEqualTo(branch);
      assertThat(event.taskId()).isNull();
      assertThat(event.pullRequest()).isNull();
      assertThat(gitOutput(upstream, "show", branch + ":fix.txt")).isEqualTo("fixed\n");
    }
  }

  /** {@code prefix}, then {@code unit} repeated until {@code size} bytes, gzip-compressed. */
  private static byte[] gzip(byte[] prefix, byte[] unit, long size) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes, 1 << 16)) {
      out.write(prefix);
      byte[] block = new byte[1 << 20];
      for (int i = 0; i < block.length; i++) {
        block[i] = unit[i % unit.length];
      }
      long left = size - prefix.length;
      while (left > 0) {
        int n = (int) Math.min(left, block.length);
        out.write(block, 0, n);
        left -= n;
      }
    }
    return bytes.toByteArray();
  }

  /** A gzip-encoded POST of git's to the proxy (the JDK's client sends the encoding as given). */
  private static java.net.http.HttpResponse<String> post(
      UUID session, String token, String service, byte[] body) throws Exception {
    // HTTP/1.1, as git speaks it.
    try (java.net.http.HttpClient client =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build()) {
      return client.send(
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create(
                      "http://127.0.0.1:"
                          + GatewayTestResource.modelProxyPort()
                          + "/git/"
                          + session
                          + "/repo.git/"
                          + service))
              .header(
                  "Authorization",
                  "Basic "
                      + Base64.getEncoder()
                          .encodeToString(("rc:" + token).getBytes(StandardCharsets.UTF_8)))
              .header("Content-Encoding", "gzip")
              .header("Content-Type", "application/x-" + service + "-request")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
              .build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
    }
  }

  /** Every file under {@code dir}, relative, sorted. */
  private static List<String> files(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .filter(p -> !p.equals("FETCH_HEAD"))
          .sorted()
          .toList();
    }
  }

  private static String gitOutput(Path upstream, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("git", "--git-dir", upstream.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static Handler capture(List<String> lines) {
    return new Handler() {
      @Override
      public void publish(LogRecord record) {
        String message = record.getMessage();
        Object[] parameters = record.getParameters();
        StringBuilder line = new StringBuilder(String.valueOf(message));
        if (parameters != null) {
          for (Object p : parameters) {
            line.append(' ').append(p);
          }
        }
        if (record.getThrown() != null) {
          line.append(' ').append(record.getThrown());
        }
        synchronized (lines) {
          lines.add(line.toString());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  /** The status the proxy answers git's first request with, given a token (or none). */
  private static int infoRefs(UUID session, String token) {
    var request = given().baseUri("http://127.0.0.1").port(GatewayTestResource.modelProxyPort());
    if (token != null) {
      request =
          request.header(
              "Authorization",
              "Basic "
                  + Base64.getEncoder()
                      .encodeToString(("rc:" + token).getBytes(StandardCharsets.UTF_8)));
    }
    return request
        .queryParam("service", "git-upload-pack")
        .get("/git/{id}/repo.git/info/refs", session)
        .then()
        .extract()
        .statusCode();
  }

  private static String upstreamRef(Path upstream, String branch) throws IOException {
    Process process =
        new ProcessBuilder("git", "--git-dir", upstream.toString(), "rev-parse", branch)
            .redirectErrorStream(true)
            .start();
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }

  private static String events(String user, UUID session) {
    return given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .get("/api/v1/sessions/{id}/events", session)
        .then()
        .statusCode(200)
        .extract()
        .asString();
  }

  private static JsonPath sh(String user, UUID session, String script) {
    return run(user, session, "sh", "-c", script);
  }

  private static JsonPath run(String user, UUID session, String... argv) {
    return given()
        .auth()
        .oauth2(Tokens.forUser(user))
        .contentType("application/json")
        .body(Map.of("argv", List.of(argv), "timeoutSeconds", 120))
        .post("/api/v1/sessions/{id}/commands", session)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }
}
