package dev.remoteclaude.gateway.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProviderConfigs;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxProviderContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local provider, with bubblewrap isolation, passes the provider contract. */
class LocalSandboxProviderContractTest extends SandboxProviderContract {

  @TempDir static Path root;
  private static LocalSandboxProvider provider;

  @BeforeAll
  static void start() {
    provider =
        new LocalSandboxProvider(
            ProviderConfigs.gateway(
                Map.of(
                    "gateway.local.root",
                    root.toString(),
                    "gateway.local.isolation",
                    "bubblewrap")));
  }

  @Override
  protected SandboxProvider provider() {
    return provider;
  }

  @Override
  protected String unknownSandboxId() {
    return "lsb-" + UUID.randomUUID();
  }

  @Override
  protected String unknownSnapshotId() {
    return "snap-" + UUID.randomUUID();
  }

  /**
   * A start racing a pause is either refused (the sandbox is paused) or has its process ended by
   * the pause: nothing goes on running, unseen, in a paused sandbox.
   */
  @Test
  void aStartRacingAPauseLeavesNothingRunningInThePausedSandbox() throws Exception {
    String id = create();
    for (int i = 0; i < 20; i++) {
      CompletableFuture<ExecHandle> start =
          provider
              .exec(id, ExecRequest.of(List.of("sleep", "60"), Duration.ofMinutes(2)))
              .subscribeAsCompletionStage();
      provider.pause(id).await().atMost(Duration.ofMinutes(1));
      ExecHandle handle;
      try {
        handle = start.get(1, TimeUnit.MINUTES);
      } catch (ExecutionException refused) {
        assertThat(refused.getCause())
            .isInstanceOfSatisfying(
                ProviderException.class,
                p -> assertThat(p.kind()).isEqualTo(ProviderException.Kind.INVALID));
        provider.resume(id).await().atMost(Duration.ofMinutes(1));
        continue;
      }
      ExecEvent last = handle.events().collect().last().await().atMost(Duration.ofSeconds(30));
      assertThat(last)
          .as("round %d: the process started just before the pause ends with it", i)
          .isInstanceOf(ExecEvent.Exit.class);
      provider.resume(id).await().atMost(Duration.ofMinutes(1));
    }
  }

  /** Processes run as an unprivileged user and do not see the gateway's files. */
  @Override
  protected void assertIsolated(String sandboxId) {
    assertThat(provider.isolated()).isTrue();
    ExecResult result =
        ExecResult.collect(
                provider
                    .exec(
                        sandboxId,
                        ExecRequest.of(
                            List.of(
                                "sh",
                                "-c",
                                "id -u; test -e \"$1\" && echo sees-host || echo blind",
                                "check",
                                root.toString()),
                            Duration.ofSeconds(30)))
                    .await()
                    .atMost(Duration.ofMinutes(1)))
            .await()
            .atMost(Duration.ofMinutes(1));
    assertThat(result.stdout()).isEqualTo("1000\nblind\n");
  }

  /** A listener on {@code to}'s loopback answers {@code to}'s own commands, not {@code from}'s. */
  @Override
  protected void assertCannotConnect(String from, String to) {
    int port = 20000 + (int) (Math.random() * 20000);
    var listener =
        provider
            .exec(
                to,
                ExecRequest.of(
                    List.of(
                        "perl",
                        "-MIO::Socket::INET",
                        "-e",
                        "$s=IO::Socket::INET->new(LocalAddr=>'127.0.0.1',LocalPort=>$ARGV[0],"
                            + "Listen=>5,ReuseAddr=>1) or die; while($c=$s->accept){print $c"
                            + " \"hi\\n\"; close $c}",
                        Integer.toString(port)),
                    Duration.ofMinutes(2)))
            .await()
            .atMost(Duration.ofMinutes(1));
    String connect = "timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + port + " && head -1 <&3'";
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> sh(to, connect).stdout().equals("hi\n"));
      assertThat(sh(from, connect + " || echo refused").stdout()).isEqualTo("refused\n");
    } finally {
      listener.cancel();
    }
  }
}
