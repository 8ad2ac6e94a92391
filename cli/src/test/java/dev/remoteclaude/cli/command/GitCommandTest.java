package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitCommandTest {

  private static final FakePlatform PLATFORM = new FakePlatform();
  private static final UUID SESSION = PLATFORM.session("READY");
  private static final String GIT = "/api/v1/sessions/" + SESSION + "/git";
  private static final String JSON = "application/json";
  private static final String COMMIT = "7f3c1e2d4b5a69788796a5b4c3d2e1f0a9b8c7d6";

  @TempDir Path dir;

  @AfterAll
  static void stop() {
    PLATFORM.close();
  }

  private CliRun cli() {
    return CliRun.against(PLATFORM, dir);
  }

  @Test
  void statusShowsTheBranchItsUpstreamAndTheChanges() {
    PLATFORM.answer(
        "GET " + GIT,
        200,
        JSON,
        """
        {"branch": "main", "upstream": "origin/main", "ahead": 2, "behind": 1,
         "headCommit": "%s", "clean": false,
         "changes": [{"path": "src/app.js", "status": "modified", "staged": false},
                     {"path": "docs/new.md", "status": "renamed", "originalPath": "docs/old.md",
                      "staged": true}]}
        """
            .formatted(COMMIT));
    CliRun cli = cli();

    assertThat(cli.run("git", "status", SESSION.toString())).isZero();

    assertThat(cli.out())
        .startsWith("On branch main (origin/main: 2 ahead, 1 behind)\n")
        .containsPattern("modified +src/app.js")
        .containsPattern("renamed +yes +docs/old.md -> docs/new.md");
  }

  @Test
  void aCleanWorkspaceSaysSoAndJsonIsTheApisAnswer() {
    PLATFORM.answer(
        "GET " + GIT,
        200,
        JSON,
        "{\"branch\": \"claude/x\", \"ahead\": 0, \"behind\": 0, \"headCommit\": \""
            + COMMIT
            + "\", \"changes\": [], \"clean\": true}");
    CliRun text = cli();
    CliRun json = cli();

    assertThat(text.run("git", "status", SESSION.toString())).isZero();
    assertThat(json.run("git", "status", "-o", "json", SESSION.toString())).isZero();

    assertThat(text.out())
        .isEqualTo("On branch claude/x (no upstream)\nNothing to commit, working tree clean.\n");
    assertThat(Json.parseOrNull(json.out()).path("branch").asText()).isEqualTo("claude/x");
  }

  @Test
  void branchListsOrCreates() {
    PLATFORM.answer(
        "GET " + GIT + "/branches",
        200,
        JSON,
        "[{\"name\": \"main\", \"current\": true, \"upstream\": \"origin/main\", \"commit\": \""
            + COMMIT
            + "\"}, {\"name\": \"claude/fix\", \"current\": false, \"commit\": \""
            + COMMIT
            + "\"}]");
    PLATFORM.answer(
        "POST " + GIT + "/branches",
        201,
        JSON,
        "{\"name\": \"claude/new\", \"current\": false, \"commit\": \"" + COMMIT + "\"}");
    CliRun list = cli();
    CliRun create = cli();

    assertThat(list.run("git", "branch", SESSION.toString())).isZero();
    assertThat(
            create.run("git", "branch", SESSION.toString(), "claude/new", "--from", "origin/main"))
        .isZero();

    assertThat(list.out())
        .containsPattern("\\* +main +origin/main +7f3c1e2")
        .containsPattern("claude/fix +- +7f3c1e2");
    assertThat(create.out()).isEqualTo("Created branch claude/new at 7f3c1e2.\n");
    JsonNode body = PLATFORM.lastBody("POST " + GIT + "/branches");
    assertThat(body.path("name").asText()).isEqualTo("claude/new");
    assertThat(body.path("from").asText()).isEqualTo("origin/main");
  }

  @Test
  void checkoutCommitPushAndPull() {
    PLATFORM.answer("POST " + GIT + "/checkout", 200, JSON, "{\"branch\": \"claude/fix\"}");
    PLATFORM.answer(
        "POST " + GIT + "/commit",
        201,
        JSON,
        "{\"commit\": \""
            + COMMIT
            + "\", \"branch\": \"claude/fix\", \"filesChanged\": 2,"
            + " \"message\": \"Fix the login\\n\\nbody\"}");
    PLATFORM.answer(
        "POST " + GIT + "/push",
        200,
        JSON,
        "{\"branch\": \"claude/fix\", \"upstream\": \"origin/claude/fix\", \"commit\": \""
            + COMMIT
            + "\"}");
    PLATFORM.answer(
        "POST " + GIT + "/pull",
        200,
        JSON,
        "{\"branch\": \"claude/fix\", \"before\": \"1111111aaaa\", \"after\": \""
            + COMMIT
            + "\", \"updated\": true}");
    CliRun checkout = cli();
    CliRun commit = cli();
    CliRun push = cli();
    CliRun pull = cli();

    assertThat(checkout.run("git", "checkout", SESSION.toString(), "claude/fix")).isZero();
    assertThat(commit.run("git", "commit", SESSION.toString(), "-m", "Fix the login", "--staged"))
        .isZero();
    assertThat(push.run("git", "push", SESSION.toString())).isZero();
    assertThat(pull.run("git", "pull", SESSION.toString())).isZero();

    assertThat(checkout.out()).isEqualTo("Switched to branch claude/fix.\n");
    assertThat(PLATFORM.lastBody("POST " + GIT + "/checkout").path("branch").asText())
        .isEqualTo("claude/fix");
    assertThat(commit.out()).isEqualTo("[claude/fix 7f3c1e2] Fix the login (2 files)\n");
    JsonNode body = PLATFORM.lastBody("POST " + GIT + "/commit");
    assertThat(body.path("message").asText()).isEqualTo("Fix the login");
    assertThat(body.path("all").asBoolean(true)).isFalse();
    assertThat(push.out()).isEqualTo("Pushed claude/fix (7f3c1e2) to origin/claude/fix.\n");
    assertThat(pull.out()).isEqualTo("Updated claude/fix: 1111111..7f3c1e2.\n");
  }

  @Test
  void aRejectedPushShowsGitsReasonAndExitsWithTheConflictCode() {
    PLATFORM.answer(
        "POST " + GIT + "/push",
        409,
        "application/problem+json",
        """
        {"type": "https://remote-claude.dev/problems/push-rejected", "title": "Push rejected",
         "status": 409,
         "detail": "the remote rejected the push of 'main': ! [rejected] main -> main (fetch first)"}
        """);
    CliRun cli = cli();

    assertThat(cli.run("git", "push", SESSION.toString(), "main")).isEqualTo(ExitCodes.CONFLICT);

    assertThat(cli.err()).contains("! [rejected] main -> main (fetch first)");
    assertThat(PLATFORM.lastBody("POST " + GIT + "/push").path("branch").asText())
        .isEqualTo("main");
  }

  @Test
  void aCommitWithoutAMessageAsksForAWrittenOneOfEveryChange() {
    PLATFORM.answer(
        "POST " + GIT + "/commit",
        201,
        JSON,
        "{\"commit\": \""
            + COMMIT
            + "\", \"branch\": \"main\", \"filesChanged\": 1,"
            + " \"message\": \"Add hello.py\\n\\nAdd hello.py\\n\"}");
    CliRun cli = cli();

    assertThat(cli.run("git", "commit", SESSION.toString())).isZero();

    JsonNode body = PLATFORM.lastBody("POST " + GIT + "/commit");
    assertThat(body.has("message")).isFalse();
    assertThat(body.path("all").asBoolean()).isTrue();
    assertThat(cli.out()).isEqualTo("[main 7f3c1e2] Add hello.py (1 file)\n");
  }
}
