package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.cli.ExitCodes;
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
class AttachCommandTest {

  private final FakePlatform platform = new FakePlatform().heartbeats(200);

  @TempDir Path dir;

  @AfterEach
  void stop() {
    platform.close();
  }

  private CliRun cli() {
    return CliRun.against(platform, dir);
  }

  private void lines(UUID session, int from, int to) {
    for (int i = from; i <= to; i++) {
      platform.append(session, "claude.output", null, Map.of("text", "line " + i));
    }
  }

  @Test
  void replaysThenFollowsLiveAcrossDroppedConnectionsWithEveryLineOnce() throws Exception {
    UUID session = platform.session("READY");
    lines(session, 1, 5);
    platform.drop(
        new FakePlatform.Drop(3, (short) 4008, false),
        new FakePlatform.Drop(4, (short) 1001, true));
    CliRun cli = cli();

    CompletableFuture<Integer> run = cli.start("attach", session.toString());
    await().until(() -> cli.out().contains("line 5"));
    lines(session, 6, 9);
    platform.state(session, "TERMINATED");
    platform.append(
        session, "session.state", null, Map.of("from", "TERMINATING", "to", "TERMINATED"));

    assertThat(run.get(20, TimeUnit.SECONDS)).isZero();
    assertThat(cli.out().lines().toList())
        .containsExactly(
            "line 1",
            "line 2",
            "line 3",
            "line 4",
            "line 5",
            "line 6",
            "line 7",
            "line 8",
            "line 9",
            "● session TERMINATING → TERMINATED");
    assertThat(platform.streamCursors()).containsExactly(0L, 3L, 4L);
  }

  @Test
  void ctrlCSaysWhereToResume() throws Exception {
    UUID session = platform.session("READY");
    lines(session, 1, 7);
    CliRun cli = cli();
    CompletableFuture<Integer> run = cli.start("attach", session.toString(), "--after", "4");
    await().until(() -> cli.out().contains("line 7"));

    cli.interrupt();

    assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(ExitCodes.DETACHED);
    assertThat(cli.out().lines().toList()).containsExactly("line 5", "line 6", "line 7");
    assertThat(cli.err())
        .contains("Detached at seq 7.")
        .contains("rclaude attach " + session + " --after 7");
  }

  @Test
  void resumingWhereTheLastAttachLeftShowsOnlyWhatIsNew() throws Exception {
    UUID session = platform.session("READY");
    lines(session, 1, 3);
    CliRun first = cli();
    CompletableFuture<Integer> run = first.start("attach", session.toString());
    await().until(() -> first.out().contains("line 3"));
    first.interrupt();
    run.get(10, TimeUnit.SECONDS);
    lines(session, 4, 5);

    CliRun again = cli();
    assertThat(again.run("attach", session.toString(), "--after", "3", "--no-follow")).isZero();

    assertThat(again.out().lines().toList()).containsExactly("line 4", "line 5");
  }

  @Test
  void withATaskItEndsWhenTheTaskEnds() throws Exception {
    UUID session = platform.session("READY");
    UUID task = UUID.randomUUID();
    platform.append(session, "task.started", task, Map.of());
    CliRun cli = cli();
    CompletableFuture<Integer> run =
        cli.start("attach", session.toString(), "--task", task.toString());
    await().until(() -> cli.out().contains("started"));

    platform.append(session, "claude.text", UUID.randomUUID(), Map.of("text", "someone else's"));
    platform.append(session, "claude.text", task, Map.of("text", "mine"));
    platform.append(session, "task.failed", task, Map.of("code", "TIMEOUT", "reason", "too slow"));

    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(ExitCodes.FAILED);
    assertThat(cli.out())
        .contains("mine")
        .doesNotContain("someone else's")
        .endsWith("✗ failed (TIMEOUT): too slow\n");
  }

  @Test
  void anEndedSessionIsReplayedAndDone() {
    UUID session = platform.session("TERMINATED");
    lines(session, 1, 2);
    CliRun cli = cli();

    assertThat(cli.run("attach", session.toString())).isZero();
    assertThat(cli.out().lines().toList()).isEqualTo(List.of("line 1", "line 2"));
  }

  @Test
  void noFollowAsJsonLines() {
    UUID session = platform.session("READY");
    lines(session, 1, 3);
    CliRun cli = cli();

    assertThat(cli.run("attach", session.toString(), "--no-follow", "-o", "json")).isZero();
    assertThat(cli.out().lines())
        .hasSize(3)
        .allMatch(
            line -> line.startsWith("{\"seq\":") && line.contains("\"type\":\"claude.output\""));
  }

  @Test
  void anUnknownSessionIsExitFour() {
    CliRun cli = cli();

    assertThat(cli.run("attach", UUID.randomUUID().toString())).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli.err().lines()).hasSize(1);
  }
}
