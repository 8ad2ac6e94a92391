package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class PrCommandTest {

  private final FakePlatform platform = new FakePlatform();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    platform.close();
  }

  private CliRun cli() {
    return CliRun.against(platform, dir);
  }

  private static String pr(UUID session, long number, String state) {
    return "{\"id\": \""
        + UUID.randomUUID()
        + "\", \"sessionId\": \""
        + session
        + "\", \"repositoryId\": \""
        + UUID.randomUUID()
        + "\", \"forge\": \"GITHUB\", \"number\": "
        + number
        + ", \"url\": \"https://github.com/acme/app/pull/"
        + number
        + "\", \"title\": \"Add hello\", \"head\": \"claude/hello\", \"base\": \"main\","
        + " \"draft\": false, \"state\": \""
        + state
        + "\", \"createdAt\": \"2026-12-06T10:00:00Z\", \"updatedAt\": \"2026-12-06T10:00:00Z\"}";
  }

  @Test
  void createSendsTheOptionsAndPrintsTheLink() {
    UUID session = UUID.randomUUID();
    String path = "/api/v1/sessions/" + session + "/pull-requests";
    platform.answer("POST " + path, 201, "application/json", pr(session, 42, "DRAFT"));

    CliRun run = cli();
    int code =
        run.run(
            "pr",
            "create",
            session.toString(),
            "--title",
            "Add hello",
            "--body",
            "Says hello",
            "--base",
            "main",
            "--head",
            "claude/hello",
            "--draft");

    assertThat(code).isZero();
    JsonNode body = platform.lastBody("POST " + path);
    assertThat(body.path("title").asText()).isEqualTo("Add hello");
    assertThat(body.path("body").asText()).isEqualTo("Says hello");
    assertThat(body.path("base").asText()).isEqualTo("main");
    assertThat(body.path("head").asText()).isEqualTo("claude/hello");
    assertThat(body.path("draft").asBoolean()).isTrue();
    assertThat(run.out())
        .contains("Pull request #42 opened")
        .contains("claude/hello → main (DRAFT)")
        .contains("https://github.com/acme/app/pull/42");
  }

  @Test
  void createWithoutAHeadSendsNoneAndAConflictExitsWithTheReason() {
    UUID session = UUID.randomUUID();
    String path = "/api/v1/sessions/" + session + "/pull-requests";
    platform.answer(
        "POST " + path,
        409,
        "application/problem+json",
        "{\"type\": \"https://remote-claude.dev/problems/conflict\", \"title\": \"Conflict\","
            + " \"status\": 409, \"detail\": \"the session's repository https://github.com/acme/x"
            + " is not registered; register it\"}");

    CliRun run = cli();
    int code = run.run("pr", "create", session.toString(), "--title", "t");

    assertThat(code).isEqualTo(ExitCodes.CONFLICT);
    assertThat(platform.lastBody("POST " + path).has("head")).isFalse();
    assertThat(run.err()).contains("is not registered");
  }

  @Test
  void listShowsEachPullRequestWithItsState() {
    UUID session = UUID.randomUUID();
    platform.answer(
        "GET /api/v1/sessions/" + session + "/pull-requests",
        200,
        "application/json",
        "[" + pr(session, 7, "MERGED") + "," + pr(session, 3, "CLOSED") + "]");

    CliRun run = cli();
    assertThat(run.run("pr", "list", session.toString())).isZero();
    assertThat(run.out())
        .contains("MERGED")
        .contains("CLOSED")
        .contains("https://github.com/acme/app/pull/7")
        .contains("claude/hello");
  }
}
