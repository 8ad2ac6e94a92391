package dev.remoteclaude.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RclaudeTest {

  @TempDir Path dir;

  @Test
  void theFourArgumentEntryPointReturnsTheExitCode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code =
        Rclaude.run(
            new String[] {"session", "list"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of("RCLAUDE_CONFIG", dir.resolve("none.json").toString()));

    assertThat(code).isEqualTo(ExitCodes.AUTH);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: not logged in");
  }

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    CliRun cli = new CliRun(dir);

    assertThat(cli.run("--help")).isZero();
    assertThat(cli.out())
        .contains("login", "session", "task", "attach", "exec", "files", "completion")
        .contains("Exit codes:")
        .contains("130    detached with Ctrl-C");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "login",
        "logout",
        "session",
        "session create",
        "session list",
        "session show",
        "session pause",
        "session resume",
        "session extend",
        "session rm",
        "task",
        "task run",
        "task list",
        "task show",
        "task cancel",
        "attach",
        "exec",
        "files",
        "files get",
        "files put",
        "settings",
        "settings set",
        "settings show",
        "completion"
      })
  void everyCommandHasHelp(String command) {
    CliRun cli = new CliRun(dir);
    String[] args = (command + " --help").split(" ");

    assertThat(cli.run(args)).isZero();
    assertThat(cli.out()).startsWith("Usage: rclaude " + command);
  }

  @Test
  void withoutACommandItIsAUsageError() {
    CliRun cli = new CliRun(dir);

    assertThat(cli.run()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.err()).contains("a command is required").contains("rclaude --help");
  }

  @Test
  void anUnknownCommandSuggestsTheRightOne() {
    CliRun cli = new CliRun(dir);

    assertThat(cli.run("sesion", "list")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.err()).contains("session");
  }

  @Test
  void completionForBash() {
    CliRun cli = new CliRun(dir);

    assertThat(cli.run("completion", "bash")).isZero();
    assertThat(cli.out())
        .contains("complete -F _complete_rclaude")
        .contains("session")
        .contains("attach");
  }

  @Test
  void anUnreachablePlatformIsExitEight() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    CliRun cli =
        new CliRun(dir).env("RCLAUDE_URL", "http://127.0.0.1:" + port).env("RCLAUDE_TOKEN", "t");

    assertThat(cli.run("session", "list")).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(cli.err())
        .isEqualTo(
            "error: cannot reach http://127.0.0.1:"
                + port
                + " (connection refused); is the platform running?\n");
  }

  @Test
  void runsInProcessLeaveNoThreadsBehind() {
    try (FakePlatform platform = new FakePlatform()) {
      UUID session = platform.session("READY");
      platform.append(session, "session.state", null, Map.of("to", "TERMINATED"));
      for (int i = 0; i < 3; i++) {
        CliRun cli = CliRun.against(platform, dir);
        assertThat(cli.run("session", "list")).isZero();
        assertThat(cli.run("attach", session.toString(), "--no-follow")).isZero();
      }

      await()
          .untilAsserted(
              () ->
                  assertThat(Thread.getAllStackTraces().keySet())
                      .noneMatch(t -> t.getName().startsWith("rclaude-http-") && t.isAlive()));
    }
  }

  @Test
  @Timeout(20)
  void followingStopsWhenNobodyReadsTheOutputAnyMore() {
    try (FakePlatform platform = new FakePlatform()) {
      UUID session = platform.session("READY");
      platform.append(session, "claude.text", null, Map.of("text", "hello"));
      OutputStream closedPipe =
          new OutputStream() {
            @Override
            public void write(int b) throws IOException {
              throw new IOException("Broken pipe");
            }
          };

      int code =
          Rclaude.run(
              new String[] {"attach", session.toString()},
              new PrintStream(closedPipe, true, StandardCharsets.UTF_8),
              new PrintStream(OutputStream.nullOutputStream()),
              Map.of(
                  "RCLAUDE_URL", platform.url(),
                  "RCLAUDE_TOKEN", FakePlatform.TOKEN,
                  "RCLAUDE_CONFIG", dir.resolve("c.json").toString()));

      assertThat(code).isZero();
    }
  }

  @Test
  void versionIsPrinted() {
    CliRun cli = new CliRun(dir);

    assertThat(cli.run("--version")).isZero();
    assertThat(cli.out()).startsWith("rclaude ");
  }
}
