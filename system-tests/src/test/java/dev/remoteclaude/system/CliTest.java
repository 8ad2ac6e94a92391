package dev.remoteclaude.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.cli.Rclaude;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The rclaude CLI against the launched platform, as a user types it. */
class CliTest {

  /** One CLI invocation's outcome. */
  record Run(int exit, String out, String err) {}

  private final Path config = tempConfig();

  private Run rclaude(String user, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Rclaude.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of(
                "RCLAUDE_URL", TestPlatform.baseUrl(),
                "RCLAUDE_TOKEN", TestPlatform.token(user),
                "RCLAUDE_CONFIG", config.toString()));
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aUsersDayWithTheCli() {
    String alice = "alice-" + UUID.randomUUID();
    Run created =
        rclaude(alice, "session", "create", "--repo", Api.gitRepository("# cli\n"), "--wait", "-q");
    assertThat(created.exit()).as(created.err()).isZero();
    String session = created.out().strip();
    assertThat(UUID.fromString(session)).isNotNull();

    Run task = rclaude(alice, "task", "run", session, "Please greet me");
    assertThat(task.exit()).as(task.err()).isZero();
    assertThat(task.out()).contains("HELLO.md").contains("Bash");

    Run cat = rclaude(alice, "exec", session, "--", "cat", "HELLO.md");
    assertThat(cat.exit()).isZero();
    assertThat(cat.out()).contains("You asked: Please greet me");
    assertThat(rclaude(alice, "exec", session, "--", "sh", "-c", "exit 3").exit()).isEqualTo(3);

    Run files = rclaude(alice, "files", "get", session, "HELLO.md");
    assertThat(files.exit()).isZero();
    assertThat(files.out()).contains("# Hello from Claude");

    Run list = rclaude(alice, "session", "list", "-o", "json");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains(session);

    assertThat(rclaude(alice, "session", "pause", session, "--wait").exit()).isZero();
    assertThat(rclaude(alice, "session", "resume", session, "--wait").exit()).isZero();
    Run again = rclaude(alice, "task", "run", session, "What did I ask first?");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("You first asked: \"Please greet me\"");

    Run replay = rclaude(alice, "attach", session, "--no-follow");
    assertThat(replay.exit()).isZero();
    assertThat(replay.out()).contains("Please greet me").contains("What did I ask first?");

    assertThat(rclaude(alice, "session", "rm", session, "--wait").exit()).isZero();
    Run gone = rclaude(alice, "exec", session, "--", "true");
    assertThat(gone.exit()).isEqualTo(5);
    assertThat(gone.err().strip().lines()).hasSize(1);
  }

  @Test
  void anotherUsersSessionIsNotFoundFromTheCli() {
    String alice = "alice-" + UUID.randomUUID();
    Run created =
        rclaude(
            alice, "session", "create", "--repo", Api.gitRepository("# mine\n"), "--wait", "-q");
    assertThat(created.exit()).isZero();
    String session = created.out().strip();

    Run show = rclaude("mallory-" + UUID.randomUUID(), "session", "show", session);
    assertThat(show.exit()).isEqualTo(4);
    assertThat(show.err().strip().lines()).hasSize(1);
    assertThat(rclaude("mallory-" + UUID.randomUUID(), "exec", session, "--", "id").exit())
        .isEqualTo(4);
  }

  private static Path tempConfig() {
    try {
      return Files.createTempDirectory("rclaude-").resolve("config.json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
