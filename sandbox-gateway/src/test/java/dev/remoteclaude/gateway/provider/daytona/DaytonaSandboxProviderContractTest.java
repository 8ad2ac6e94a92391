package dev.remoteclaude.gateway.provider.daytona;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxProviderContract;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daytona provider passes the provider contract against {@link DaytonaStub}: Daytona's API and
 * toolbox as published, running commands for real in bubblewrap.
 */
class DaytonaSandboxProviderContractTest extends SandboxProviderContract {

  @TempDir static Path root;
  private static Vertx vertx;
  private static DaytonaStub stub;
  private static DaytonaSandboxProvider provider;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    stub = new DaytonaStub(vertx.getDelegate(), root.resolve("daytona"));
    provider =
        new DaytonaSandboxProvider(
            DaytonaConfigs.of(stub, root.resolve("archives"), Map.of()), Long.MAX_VALUE, vertx);
  }

  @AfterAll
  static void stop() {
    provider.close();
    stub.close();
    vertx.closeAndAwait();
  }

  @Override
  protected SandboxProvider provider() {
    return provider;
  }

  @Override
  protected String unknownSandboxId() {
    return UUID.randomUUID().toString();
  }

  @Override
  protected String unknownSnapshotId() {
    return "dar-" + UUID.randomUUID();
  }

  /** Processes run as the sandbox's non-root user, with the resources asked for at create. */
  @Override
  protected void assertIsolated(String sandboxId) {
    ExecResult id =
        ExecResult.collect(
                provider
                    .exec(sandboxId, ExecRequest.of(List.of("id", "-u"), Duration.ofSeconds(30)))
                    .await()
                    .atMost(Duration.ofMinutes(1)))
            .await()
            .atMost(Duration.ofMinutes(1));
    assertThat(id.stdout().strip()).isNotEqualTo("0");
    JsonObject body = stub.creates().getLast();
    assertThat(body.getInteger("cpu")).isPositive();
    assertThat(body.getInteger("memory")).isPositive();
    assertThat(body.getInteger("disk")).isPositive();
  }

  /**
   * Daytona sandboxes are separate machines; what the platform controls is their network policy:
   * each is created with the configured allow-list, which names no sandbox.
   */
  @Override
  protected void assertCannotConnect(String from, String to) {
    assertThat(stub.creates())
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(
            (JsonObject body) ->
                assertThat(body.getString("networkAllowList")).isEqualTo("203.0.113.0/24"));
  }
}
