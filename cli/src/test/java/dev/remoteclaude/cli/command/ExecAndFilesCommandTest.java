package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecAndFilesCommandTest {

  private static final FakePlatform PLATFORM = new FakePlatform();
  private static final UUID SESSION = PLATFORM.session("READY");

  @TempDir Path dir;

  @AfterAll
  static void stop() {
    PLATFORM.close();
  }

  private CliRun cli() {
    return CliRun.against(PLATFORM, dir);
  }

  @Test
  void execPrintsTheOutputAndExitsWithTheCommandsExitCode() {
    PLATFORM.commandResult(3, "out\n", "err\n", false);
    CliRun cli = cli();

    int code =
        cli.run("exec", SESSION.toString(), "--", "sh", "-c", "echo out; echo err >&2; exit 3");

    assertThat(code).isEqualTo(3);
    assertThat(cli.out()).isEqualTo("out\n");
    assertThat(cli.err()).isEqualTo("err\n");
    JsonNode body = PLATFORM.lastBody("POST /api/v1/sessions/" + SESSION + "/commands");
    assertThat(body.path("argv").toString())
        .isEqualTo("[\"sh\",\"-c\",\"echo out; echo err >&2; exit 3\"]");
  }

  @Test
  void execOfAScriptWithATimeoutAndWorkdir() {
    PLATFORM.commandResult(0, "", "", false);

    assertThat(
            cli()
                .run(
                    "exec",
                    SESSION.toString(),
                    "--script",
                    "npm ci && npm test",
                    "--timeout",
                    "10m",
                    "-C",
                    "web"))
        .isZero();
    JsonNode body = PLATFORM.lastBody("POST /api/v1/sessions/" + SESSION + "/commands");
    assertThat(body.path("script").asText()).isEqualTo("npm ci && npm test");
    assertThat(body.path("timeoutSeconds").asInt()).isEqualTo(600);
    assertThat(body.path("workingDir").asText()).isEqualTo("web");
    assertThat(body.has("argv")).isFalse();
  }

  @Test
  void aCommandThatTimedOutIs124() {
    PLATFORM.commandResult(137, "partial", "", true);
    CliRun cli = cli();

    assertThat(cli.run("exec", SESSION.toString(), "--", "sleep", "999"))
        .isEqualTo(ExitCodes.TIMED_OUT);
    assertThat(cli.err()).contains("timed out");
  }

  @Test
  void execAsJsonKeepsTheExitCode() {
    PLATFORM.commandResult(2, "x", "y", false);
    CliRun cli = cli();

    assertThat(cli.run("exec", "-o", "json", SESSION.toString(), "--", "false")).isEqualTo(2);
    assertThat(Json.parseOrNull(cli.out()).path("exitCode").asInt()).isEqualTo(2);
  }

  @Test
  void execNeedsACommandOrAScript() {
    CliRun neither = cli();
    CliRun both = cli();

    assertThat(neither.run("exec", SESSION.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(both.run("exec", SESSION.toString(), "--script", "ls", "--", "ls"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(neither.err()).contains("not neither");
  }

  @Test
  void execOnAnUnknownSessionIsExitFourNotTheCommandsCode() {
    CliRun cli = cli();

    assertThat(cli.run("exec", UUID.randomUUID().toString(), "--", "true"))
        .isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void filesGoUpAndComeBackByteForByte() throws IOException {
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    Path local = dir.resolve("data.bin");
    Files.write(local, binary);
    CliRun put = cli();
    CliRun get = cli();
    CliRun toStdout = cli();

    assertThat(put.run("files", "put", SESSION.toString(), local.toString(), "dir/data.bin"))
        .isZero();
    assertThat(
            get.run(
                "files",
                "get",
                SESSION.toString(),
                "dir/data.bin",
                dir.resolve("back.bin").toString()))
        .isZero();
    assertThat(toStdout.run("files", "get", SESSION.toString(), "dir/data.bin")).isZero();

    assertThat(PLATFORM.file("dir/data.bin")).isEqualTo(binary);
    assertThat(Files.readAllBytes(dir.resolve("back.bin"))).isEqualTo(binary);
    assertThat(toStdout.outBytes()).isEqualTo(binary);
    assertThat(put.out()).isEqualTo("Wrote dir/data.bin (256 bytes) in session " + SESSION + "\n");
  }

  @Test
  void putReadsStdinAndGetIntoADirectoryKeepsTheName() throws IOException {
    assertThat(cli().stdin("hello\n").run("files", "put", SESSION.toString(), "-", "notes/hi.txt"))
        .isZero();

    assertThat(cli().run("files", "get", SESSION.toString(), "notes/hi.txt", dir.toString()))
        .isZero();
    assertThat(Files.readString(dir.resolve("hi.txt"), StandardCharsets.UTF_8))
        .isEqualTo("hello\n");
  }

  @Test
  void aMissingFileIsExitFour() {
    CliRun remote = cli();
    CliRun local = cli();

    assertThat(remote.run("files", "get", SESSION.toString(), "nope.txt"))
        .isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(local.run("files", "put", SESSION.toString(), dir.resolve("none").toString(), "x"))
        .isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(remote.err()).isEqualTo("error: file was not found (404)\n");
    assertThat(local.err()).startsWith("error: no such local file");
  }
}
