package dev.remoteclaude.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.infra.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ./rc up} as a user runs it (the script, its JDK choice, the packaged launcher), on a
 * platform of its own: a quiet terminal, {@code ./rc status}, and a component killed with {@code
 * kill -9} brought back by the launcher, with the work sent to it meanwhile done once it is back.
 */
class LauncherTest {

  private static final Path ROOT =
      Path.of(System.getProperty("rc.project.root", "..")).toAbsolutePath().normalize();

  private static Path home;
  private static Path output;
  private static Process up;
  private static Map<String, String> environment;

  @BeforeAll
  static void rcUp() throws IOException {
    // PostgreSQL runs as 'postgres' when the tests run as root: it must reach this directory.
    home =
        Files.createTempDirectory(
            "rc-launcher-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    output = home.resolve("terminal.txt");
    environment =
        Map.of(
            "RC_HOME", home.toString(),
            "RC_PORT", Integer.toString(Ports.free()),
            "RC_SERVICE_PORTS", Integer.toString(Ports.freeRange(5)),
            "RC_POSTGRES_PORT", Integer.toString(Ports.free()),
            "RC_KAFKA_PORT", Integer.toString(Ports.free()),
            "RC_STUB_PORT", Integer.toString(Ports.free()));
    // This build just made what ./rc up runs: its own build check would find nothing to do, but
    // compares against a stamp in its home, which is new.
    Files.createDirectories(home.resolve("logs"));
    Files.writeString(home.resolve("build.stamp"), "");
    ProcessBuilder builder = rc("up");
    builder.redirectErrorStream(true);
    builder.redirectOutput(output.toFile());
    up = builder.start();
    await()
        .atMost(Duration.ofMinutes(6))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              assertThat(up.isAlive()).as("./rc up ended early:\n%s", terminal()).isTrue();
              return terminal().contains("Remote Claude is up");
            });
  }

  @AfterAll
  static void rcDown() throws Exception {
    if (up != null && up.isAlive()) {
      run("down");
      if (!up.waitFor(2, TimeUnit.MINUTES)) {
        up.destroyForcibly();
      }
    }
  }

  @Test
  void theTerminalShowsStagesAndNothingElse() {
    String terminal = terminal();
    assertThat(terminal)
        .contains("build: nothing changed since the last one")
        .containsPattern("PostgreSQL on port \\d+ \\.\\.\\. \\d+\\.\\d s")
        .containsPattern("5 services on ports \\d+-\\d+ \\.\\.\\. \\d+\\.\\d s")
        .containsPattern("Remote Claude is up \\(\\d+ s\\)");
    assertThat(terminal)
        .doesNotContain("WARNING")
        .doesNotContain("SLF4J")
        .doesNotContain("Exception")
        .doesNotContainPattern("\\n\\s+at [a-z]");
    // What the libraries said went to the launcher's log, not the terminal.
    assertThat(home.resolve("logs/launcher.log")).exists();
  }

  @Test
  void aKilledGatewayIsBackAndRunsTheTaskSentWhileItWasDown() {
    Result status = run("status");
    assertThat(status.code()).as(status.output()).isZero();
    assertThat(status.output())
        .containsPattern("postgresql\\s+UP")
        .containsPattern("kafka\\s+UP")
        .containsPattern("sandbox-gateway\\s+UP\\s+\\S+\\s+0 ")
        .containsPattern("edge\\s+UP")
        .containsPattern("demo-model\\s+UP");

    String baseUrl = "http://localhost:" + environment.get("RC_PORT");
    Api api = new Api(baseUrl, run("token", "launcher-user").output().strip());
    UUID session = api.createSession(Api.gitRepository("# supervised\n"));
    api.awaitSessionState(session, "READY");

    long gateway = pidOf("sandbox-gateway", status.output());
    ProcessHandle.of(gateway).orElseThrow().destroyForcibly();

    // Down, and said so, until the launcher has it back.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              Result down = run("status");
              assertThat(down.code()).isEqualTo(1);
              assertThat(down.output()).containsPattern("sandbox-gateway\\s+DOWN");
            });
    UUID task = api.submitTask(session, "Say hello");

    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              Result back = run("status");
              assertThat(back.code()).as(back.output()).isZero();
              assertThat(back.output()).containsPattern("sandbox-gateway\\s+UP\\s+\\S+\\s+1 ");
            });
    assertThat(pidOf("sandbox-gateway", run("status").output())).isNotEqualTo(gateway);
    assertThat(terminal()).contains("sandbox-gateway exited (code 137); restarting in 1 s");
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> api.task(task).getString("state").equals("SUCCEEDED"));
  }

  private static long pidOf(String component, String status) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(component) + "\\s+\\S+\\s+\\S+\\s+\\d+\\s+(\\d+)")
            .matcher(status);
    assertThat(m.find()).as(status).isTrue();
    return Long.parseLong(m.group(1));
  }

  private record Result(int code, String output) {}

  private static ProcessBuilder rc(String... args) {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("rc").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
    builder.environment().putAll(environment);
    builder.environment().remove("ANTHROPIC_API_KEY");
    builder.environment().remove("ANTHROPIC_BASE_URL");
    return builder;
  }

  private static Result run(String... args) {
    try {
      Process p = rc(args).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("./rc " + String.join(" ", args) + " did not end");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String terminal() {
    try {
      return Files.readString(output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
