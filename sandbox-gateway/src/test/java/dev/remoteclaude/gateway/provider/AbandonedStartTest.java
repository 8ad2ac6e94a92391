package dev.remoteclaude.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.gateway.support.SlowStartProvider;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A caller that gives up on starting a process (the guard's timeout, a cancelled request) cannot
 * stop the provider from starting it: the process is then cancelled when it arrives, never left
 * running in the sandbox with no one to read or end it (a Daytona command has no deadline of its
 * own until it is followed).
 */
@QuarkusTest
class AbandonedStartTest {

  @Inject ProviderCalls providers;
  @Inject SlowStartProvider slow;

  @Test
  void aProcessThatStartsAfterItsCallerGaveUpIsCancelled() {
    String sandbox = OnVertx.await(() -> providers.create("slow-start", SandboxSpecs.fresh()));
    try {
      slow.hold();
      int before = slow.started().size();
      Throwable gaveUp =
          catchThrowable(
              () ->
                  OnVertx.await(
                      () ->
                          providers
                              .exec(
                                  "slow-start",
                                  sandbox,
                                  ExecRequest.of(List.of("sleep", "120"), Duration.ofMinutes(5)))
                              .ifNoItem()
                              .after(Duration.ofMillis(300))
                              .fail()));
      assertThat(gaveUp).isNotNull();

      slow.release();
      await().atMost(Duration.ofSeconds(30)).until(() -> slow.started().size() > before);
      ExecEvent last =
          slow.started()
              .get(before)
              .events()
              .collect()
              .last()
              .await()
              .atMost(Duration.ofSeconds(30));
      assertThat(last)
          .isInstanceOfSatisfying(
              ExecEvent.Exit.class, exit -> assertThat(exit.cancelled()).isTrue());
    } finally {
      slow.release();
      OnVertx.await(() -> providers.terminate("slow-start", sandbox));
    }
  }
}
