package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RepoCommandTest {

  private final FakePlatform platform = new FakePlatform();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    platform.close();
  }

  private CliRun cli() {
    return CliRun.against(platform, dir);
  }

  @Test
  void addReadsTheTokenFromStdinAndNeverPrintsIt() {
    String token = "ghp_" + UUID.randomUUID().toString().replace("-", "");
    CliRun add = cli().stdin(token + "\n");
    int code =
        add.run("repo", "add", "https://github.com/acme/private", "-b", "develop", "--token-stdin");

    assertThat(code).isZero();
    JsonNode body = platform.lastBody("POST /api/v1/repositories");
    assertThat(body.path("url").asText()).isEqualTo("https://github.com/acme/private");
    assertThat(body.path("defaultBranch").asText()).isEqualTo("develop");
    assertThat(body.path("credential").path("token").asText()).isEqualTo(token);
    assertThat(add.out())
        .startsWith("Repository ")
        .contains(
            "registered · https://github.com/acme/private (GITHUB, default branch develop,"
                + " token set)")
        .contains("Use it: rclaude session create --repo ")
        .doesNotContain(token);
    assertThat(add.err()).doesNotContain(token);
    // Nor anywhere in what the CLI keeps.
    assertThat(platform.requests()).noneMatch(r -> r.contains(token));
  }

  @Test
  void addReadsTheTokenFromANamedVariable() {
    String token = "glpat-" + UUID.randomUUID();
    CliRun add = cli().env("ACME_TOKEN", token);
    assertThat(
            add.run(
                "repo",
                "add",
                "https://gitlab.com/acme/app",
                "--forge",
                "GITLAB",
                "--token-env",
                "ACME_TOKEN",
                "-q"))
        .isZero();
    JsonNode body = platform.lastBody("POST /api/v1/repositories");
    assertThat(body.path("credential").path("token").asText()).isEqualTo(token);
    assertThat(body.path("forge").asText()).isEqualTo("GITLAB");
    assertThat(add.out().strip()).matches("[0-9a-f-]{36}");

    CliRun missing = cli();
    assertThat(
            missing.run(
                "repo", "add", "https://gitlab.com/acme/other", "--token-env", "NOT_SET_HERE"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("NOT_SET_HERE is not set");
  }

  @Test
  void theTokenIsNeverAnOptionValue() {
    CliRun add = cli();
    assertThat(add.run("repo", "add", "https://github.com/acme/app", "--git-token", "ghp_x"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(platform.requests()).noneMatch(r -> r.startsWith("POST"));
    CliRun both = cli().stdin("t\n").env("T", "t");
    assertThat(
            both.run(
                "repo", "add", "https://github.com/acme/app", "--token-stdin", "--token-env", "T"))
        .isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void listShowAndRemove() {
    CliRun add = cli();
    assertThat(add.run("repo", "add", "https://github.com/acme/app", "-q")).isZero();
    String id = add.out().strip();

    CliRun list = cli();
    assertThat(list.run("repo", "list")).isZero();
    assertThat(list.out().lines())
        .first()
        .satisfies(h -> assertThat(h).contains("ID", "URL", "FORGE", "BRANCH", "TOKEN"));
    assertThat(list.out()).contains(id).contains("https://github.com/acme/app").contains("main");

    CliRun json = cli();
    assertThat(json.run("repo", "list", "-o", "json")).isZero();
    assertThat(Json.parseOrNull(json.out()).get(0).path("id").asText()).isEqualTo(id);

    CliRun show = cli();
    assertThat(show.run("repo", "show", id)).isZero();
    assertThat(show.out()).contains("Repository").contains(id).contains("Token").contains("none");

    CliRun duplicate = cli();
    assertThat(duplicate.run("repo", "add", "https://github.com/acme/app"))
        .isEqualTo(ExitCodes.CONFLICT);

    CliRun rm = cli();
    assertThat(rm.run("repo", "rm", id)).isZero();
    assertThat(rm.out()).contains("Repository " + id + " removed");
    CliRun gone = cli();
    assertThat(gone.run("repo", "show", id)).isEqualTo(ExitCodes.NOT_FOUND);
    CliRun empty = cli();
    assertThat(empty.run("repo", "list")).isZero();
    assertThat(empty.out()).contains("No repositories.");
  }

  @Test
  void aSessionOnARegisteredRepositoryIsAskedForByItsId() {
    CliRun add = cli();
    assertThat(add.run("repo", "add", "https://github.com/acme/app", "-q")).isZero();
    String id = add.out().strip();

    CliRun create = cli();
    assertThat(create.run("session", "create", "--repo", id, "-q")).isZero();
    JsonNode body = platform.lastBody("POST /api/v1/sessions");
    assertThat(body.path("repositoryId").asText()).isEqualTo(id);
    assertThat(body.has("repositoryUrl")).isFalse();
  }
}
