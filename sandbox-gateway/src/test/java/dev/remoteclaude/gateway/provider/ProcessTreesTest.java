package dev.remoteclaude.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessTreesTest {

  /**
   * A shell that forks all the while it is killed: killing it from a snapshot of its children let
   * hundreds of them escape with its stdout open (the E2B stub's pause then never ended a stream).
   */
  @Test
  void aTreeThatForksWhileItIsKilledLeavesNoProcessAndNoOpenPipe() throws Exception {
    Process shell =
        new ProcessBuilder("sh", "-c", "for i in $(seq 1 3000); do sleep 120 & done; wait")
            .redirectErrorStream(true)
            .start();
    await().atMost(Duration.ofSeconds(30)).until(() -> shell.descendants().count() > 100);

    ProcessTrees.kill(shell);

    InputStream stdout = shell.getInputStream();
    CompletableFuture<Integer> end =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return stdout.read();
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    try {
      assertThat(end.get(30, TimeUnit.SECONDS)).isEqualTo(-1);
      assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(shell.descendants().count()).isZero();
    } finally {
      stdout.close();
    }
  }
}
