package dev.remoteclaude.gateway.provider.e2b;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxProviderContract;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The e2b provider passes the provider contract against {@link E2bStub}: E2B's control plane and
 * envd as published, with processes running for real in bubblewrap.
 */
class E2bSandboxProviderContractTest extends SandboxProviderContract {

  @TempDir static Path root;
  private static E2bStub stub;
  private static Vertx vertx;
  private static E2bSandboxProvider provider;

  @BeforeAll
  static void start() {
    stub = new E2bStub(root.resolve("e2b"));
    vertx = Vertx.vertx();
    provider = new E2bSandboxProvider(E2bConfigs.of(stub, Map.of()), vertx);
  }

  @AfterAll
  static void stop() {
    provider.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
    stub.close();
  }

  @Override
  protected SandboxProvider provider() {
    return provider;
  }

  @Override
  protected String unknownSandboxId() {
    return "i" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
  }

  @Override
  protected String unknownSnapshotId() {
    return HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(), 0, 10) + ":default";
  }

  /** Processes run as E2B's unprivileged user, never root. */
  @Override
  protected void assertIsolated(String sandboxId) {
    assertThat(sh(sandboxId, "id -u").stdout().strip()).isNotEqualTo("0");
  }

  /**
   * Each E2B sandbox is a microVM with a network of its own: a port open on the gateway's loopback
   * (as another sandbox's would be on its own) cannot be reached from it.
   */
  @Override
  protected void assertCannotConnect(String from, String to) {
    try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      var result =
          run(
              from,
              dev.remoteclaude.gateway.provider.ExecRequest.of(
                  java.util.List.of(
                      "bash",
                      "-c",
                      "if (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null; then echo connected;"
                          + " else echo refused; fi",
                      "bash",
                      Integer.toString(listening.getLocalPort())),
                  java.time.Duration.ofSeconds(30)));
      assertThat(result.stdout()).doesNotContain("connected").contains("refused");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
