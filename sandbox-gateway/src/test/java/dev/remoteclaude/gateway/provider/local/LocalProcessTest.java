package dev.remoteclaude.gateway.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.gateway.provider.ExecResult;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LocalProcessTest {

  /**
   * bubblewrap's --die-with-parent follows the thread that started it: a command started from a
   * pool thread that the pool then retires must live on (a Claude Code run killed with 137).
   */
  @Test
  void aCommandOutlivesTheThreadThatStartedIt() throws Exception {
    assumeThat(SandboxNamespaces.installed("bwrap")).as("bubblewrap installed").isTrue();
    ProcessBuilder builder =
        new ProcessBuilder(
            "bwrap",
            "--dev-bind",
            "/",
            "/",
            "--die-with-parent",
            "--unshare-pid",
            "--",
            "sleep",
            "60");
    AtomicReference<LocalProcess> started = new AtomicReference<>();
    Thread starter =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    started.set(
                        LocalProcess.start(
                            builder, new byte[0], Duration.ofMinutes(1), 1000, p -> {}, p -> {}));
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
    starter.join();
    LocalProcess process = started.get();
    assertThat(process).isNotNull();
    var result = ExecResult.collect(process).subscribeAsCompletionStage();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> process.isAlive());
    process.cancel();
    assertThat(result.get()).satisfies(r -> assertThat(r.cancelled()).isTrue());
  }
}
