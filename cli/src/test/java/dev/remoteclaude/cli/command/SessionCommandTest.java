package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SessionCommandTest {

  private final FakePlatform platform = new FakePlatform().heartbeats(200);

  @TempDir Path dir;

  @AfterEach
  void stop() {
    platform.close();
  }

  private CliRun cli() {
    return CliRun.against(platform, dir);
  }

  /** The session the fake created last (the CLI's POST). */
  private UUID created() {
    await().until(() -> platform.requests().contains("POST /api/v1/sessions"));
    JsonNode list = Json.parseOrNull(cliOut("session", "list", "-o", "json"));
    return UUID.fromString(
        list.path("items").get(list.path("items").size() - 1).path("id").asText());
  }

  private String cliOut(String... args) {
    CliRun run = cli();
    run.run(args);
    return run.out();
  }

  @Test
  void createWaitShowsTheProvisioningUntilReady() throws Exception {
    CliRun cli = cli();
    CompletableFuture<Integer> run =
        cli.start("session", "create", "--repo", "https://example.com/acme/app.git", "--wait");
    UUID id = created();
    await().until(() -> platform.openStreams(id) == 1);

    platform.append(id, "sandbox.progress", null, Map.of("step", "requested", "provider", "local"));
    platform.append(id, "sandbox.progress", null, Map.of("step", "cloning"));
    platform.append(id, "sandbox.ready", null, Map.of("provider", "local"));
    platform.state(id, "READY");
    platform.append(
        id,
        "session.state",
        null,
        Map.of("from", "PROVISIONING", "to", "READY", "reason", "sandbox ready"));

    assertThat(run.get(20, TimeUnit.SECONDS)).isZero();
    assertThat(cli.out().lines())
        .containsSubsequence(
            "Session " + id + " created (PROVISIONING) · https://example.com/acme/app.git @ main",
            "● session PROVISIONING: created",
            "▸ sandbox requested (provider local)",
            "▸ cloning the repository",
            "✓ sandbox ready (local)",
            "● session PROVISIONING → READY: sandbox ready")
        .anyMatch(line -> line.startsWith("✓ session " + id + " is READY ("))
        .contains("Next: rclaude task run " + id + " \"<prompt>\"");
    JsonNode body = platform.lastBody("POST /api/v1/sessions");
    assertThat(body.path("repositoryUrl").asText()).isEqualTo("https://example.com/acme/app.git");
  }

  @Test
  void createWaitExitsOneWhenProvisioningFails() throws Exception {
    CliRun cli = cli();
    CompletableFuture<Integer> run =
        cli.start("session", "create", "--repo", "https://example.com/none.git", "--wait");
    UUID id = created();
    await().until(() -> platform.openStreams(id) == 1);

    platform.append(
        id, "sandbox.failed", null, Map.of("code", "CLONE_FAILED", "reason", "no such repository"));
    platform.state(id, "FAILED");
    platform.append(
        id,
        "session.state",
        null,
        Map.of("from", "PROVISIONING", "to", "FAILED", "reason", "no such repository"));

    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(ExitCodes.FAILED);
    assertThat(cli.out()).contains("✗ sandbox failed: no such repository [CLONE_FAILED]");
    assertThat(cli.err()).contains("error: session " + id + " is FAILED");
  }

  @Test
  void createWaitFindsAStateTheStreamDidNotMention() throws Exception {
    CliRun cli = cli();
    CompletableFuture<Integer> run =
        cli.start(
            "session", "create", "--repo", "https://example.com/acme/app.git", "--wait", "-q");
    UUID id = created();

    platform.state(id, "READY"); // no event: the heartbeat check asks the REST API

    assertThat(run.get(20, TimeUnit.SECONDS)).isZero();
    assertThat(cli.out()).isEqualTo(id + "\n");
  }

  @Test
  void createSendsEverythingItWasGiven() {
    CliRun cli = cli();

    int code =
        cli.run(
            "session",
            "create",
            "-r",
            "https://example.com/a.git",
            "-b",
            "dev",
            "--provider",
            "e2b",
            "--idle-timeout",
            "10m",
            "--max-lifetime",
            "PT2H",
            "-e",
            "A=1",
            "-e",
            "B=two",
            "--setup",
            "npm ci",
            "--setup",
            "make",
            "-o",
            "json");

    assertThat(code).isZero();
    JsonNode body = platform.lastBody("POST /api/v1/sessions");
    assertThat(body.path("branch").asText()).isEqualTo("dev");
    assertThat(body.path("provider").asText()).isEqualTo("e2b");
    assertThat(body.path("idleTimeout").asText()).isEqualTo("PT10M");
    assertThat(body.path("maxLifetime").asText()).isEqualTo("PT2H");
    assertThat(body.path("environment").path("B").asText()).isEqualTo("two");
    assertThat(body.path("setupCommands").toString()).isEqualTo("[\"npm ci\",\"make\"]");
    assertThat(Json.parseOrNull(cli.out()).path("state").asText()).isEqualTo("PROVISIONING");
  }

  @Test
  void aLocalDirectoryBecomesAFileUrl() {
    cli().run("session", "create", "--repo", dir.toString());

    assertThat(platform.lastBody("POST /api/v1/sessions").path("repositoryUrl").asText())
        .isEqualTo(dir.toUri().toString().replaceFirst("/$", ""));
  }

  @Test
  void listIsATableAndJsonForScripts() {
    UUID a = platform.session("READY");
    UUID b = platform.session("PAUSED");
    CliRun text = cli();
    CliRun json = cli();

    assertThat(text.run("session", "list")).isZero();
    assertThat(json.run("session", "ls", "-o", "json")).isZero();

    List<String> lines = text.out().lines().toList();
    assertThat(lines.get(0)).matches("ID +STATE +REPOSITORY +BRANCH +CREATED +EXPIRES");
    assertThat(lines).anyMatch(l -> l.startsWith(a + "  READY "));
    assertThat(lines).anyMatch(l -> l.startsWith(b + "  PAUSED "));
    assertThat(Json.parseOrNull(json.out()).path("items")).hasSize(2);
  }

  @Test
  void listOnAnEmptyAccountSaysWhatToDo() {
    CliRun cli = cli();

    assertThat(cli.run("session", "list")).isZero();
    assertThat(cli.out()).startsWith("No sessions. Create one: rclaude session create");
  }

  @Test
  void showPrintsTheDetails() {
    UUID id = platform.session("READY");
    CliRun cli = cli();

    assertThat(cli.run("session", "show", id.toString())).isZero();
    assertThat(cli.out())
        .contains("Session       " + id)
        .contains("State         READY")
        .contains("Repository    https://example.com/acme/app.git @ main")
        .contains("Idle timeout  5m")
        .contains("Max lifetime  12h");
  }

  @Test
  void aRefusedActionIsOneLineOnStderrWithItsExitCode() {
    UUID id = platform.session("PAUSED");
    CliRun cli = cli();

    assertThat(cli.run("session", "pause", id.toString())).isEqualTo(ExitCodes.CONFLICT);
    assertThat(cli.out()).isEmpty();
    assertThat(cli.err().lines())
        .containsExactly("error: a session in state PAUSED cannot be paused (409 Conflict)");
  }

  @Test
  void aMissingSessionIsExitFour() {
    CliRun cli = cli();

    assertThat(cli.run("session", "show", UUID.randomUUID().toString()))
        .isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli.err()).endsWith("was not found (404)\n");
  }

  @Test
  void pauseWaitFollowsUntilPaused() throws Exception {
    UUID id = platform.session("READY");
    CliRun cli = cli();

    CompletableFuture<Integer> run = cli.start("session", "pause", id.toString(), "--wait");
    await().until(() -> platform.requests().contains("POST /api/v1/sessions/" + id + "/pause"));
    platform.state(id, "PAUSED");

    assertThat(run.get(20, TimeUnit.SECONDS)).isZero();
    assertThat(cli.out()).contains("Session " + id + " PAUSED");
  }

  @Test
  void resumeAndExtendAndRemove() {
    UUID id = platform.session("PAUSED");
    CliRun resume = cli();
    CliRun extend = cli();
    CliRun remove = cli();

    assertThat(resume.run("session", "resume", id.toString())).isZero();
    assertThat(extend.run("session", "extend", id.toString(), "90m")).isZero();
    assertThat(remove.run("session", "rm", id.toString())).isZero();

    assertThat(resume.out()).isEqualTo("Session " + id + " RESUMING\n");
    assertThat(
            platform.lastBody("POST /api/v1/sessions/" + id + "/extend").path("duration").asText())
        .isEqualTo("PT1H30M");
    assertThat(extend.out()).startsWith("Session " + id + " now expires ");
    assertThat(remove.out()).isEqualTo("Session " + id + " TERMINATING\n");
  }

  @Test
  void badArgumentsAreUsageErrors() {
    CliRun id = cli();
    CliRun duration = cli();
    CliRun unknown = cli();

    assertThat(id.run("session", "show", "nope")).isEqualTo(ExitCodes.USAGE);
    assertThat(duration.run("session", "extend", UUID.randomUUID().toString(), "soon"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.run("session", "frobnicate")).isEqualTo(ExitCodes.USAGE);
    assertThat(id.err()).contains("'nope' is not an id").contains("rclaude session show --help");
    assertThat(duration.err()).contains("'soon' is not a duration");
    assertThat(platform.requests()).isEmpty();
  }
}
