package dev.remoteclaude.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.remoteclaude.gateway.support.GarbledDaemonProvider;
import dev.remoteclaude.testing.OnVertx;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;

/**
 * A provider's circuit breakers are shared by all its tenants, so they count the provider's own
 * failures only: a command failing in a sandbox, or a sandbox's daemon a tenant broke, never opens
 * them; the provider being down does (4 calls in the window here, half of them failures).
 */
@QuarkusTest
class TenantFailuresTest {

  private static final int N = 8;

  @Inject ProviderCalls providers;
  @Inject GarbledDaemonProvider garbled;

  @Test
  void failingCommandsLeaveTheBreakerClosed() {
    String sandbox = OnVertx.await(() -> providers.create("local", SandboxSpecs.fresh()));
    try {
      for (int i = 0; i < N; i++) {
        ExecResult result =
            OnVertx.await(
                () ->
                    providers
                        .exec(
                            "local",
                            sandbox,
                            ExecRequest.of(List.of("false"), Duration.ofSeconds(30)))
                        .chain(providers::collect));
        assertThat(result.exitCode()).isEqualTo(1);
      }
      assertThat(providers.healthy("local")).isTrue();
    } finally {
      OnVertx.await(() -> providers.terminate("local", sandbox));
    }
  }

  @Test
  void aBrokenDaemonInTheSandboxIsTheTenantsFailureButAnOutageOpensTheBreaker() {
    garbled.outage(false);
    String sandbox = OnVertx.await(() -> providers.create("garbled-daemon", SandboxSpecs.fresh()));
    try {
      for (int i = 0; i < N; i++) {
        Throwable failure = catchThrowable(() -> exec(sandbox));
        assertThat(failure)
            .as("the sandbox's own failure: the caller's 400, not the provider's outage")
            .isInstanceOfSatisfying(
                ProviderException.class,
                p -> assertThat(p.kind()).isEqualTo(ProviderException.Kind.INVALID));
      }
      assertThat(providers.healthy("garbled-daemon")).isTrue();

      // The provider itself goes down: its control plane does not answer either.
      garbled.outage(true);
      Throwable last = null;
      for (int i = 0; i < N && !(last instanceof CircuitBreakerOpenException); i++) {
        last = catchThrowable(() -> exec(sandbox));
        assertThat(last).isNotNull();
      }
      assertThat(last).isInstanceOf(CircuitBreakerOpenException.class);
      assertThat(providers.healthy("garbled-daemon")).isFalse();
    } finally {
      garbled.outage(false);
      // the local side of it: the provider's breaker is open now
      OnVertx.await(() -> providers.provider("local").terminate(sandbox));
    }
  }

  private void exec(String sandbox) {
    OnVertx.await(
        () ->
            providers.exec(
                "garbled-daemon",
                sandbox,
                ExecRequest.of(List.of("true"), Duration.ofSeconds(30))));
  }
}
