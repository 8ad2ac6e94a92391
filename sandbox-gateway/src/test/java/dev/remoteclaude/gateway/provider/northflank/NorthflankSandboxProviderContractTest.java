package dev.remoteclaude.gateway.provider.northflank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxProviderContract;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The northflank provider passes the provider contract against {@link NorthflankStub}: Northflank's
 * API and command-exec protocol as published, running commands for real in bubblewrap.
 */
class NorthflankSandboxProviderContractTest extends SandboxProviderContract {

  @TempDir static Path root;
  private static Vertx vertx;
  private static NorthflankStub stub;
  private static NorthflankSandboxProvider provider;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    stub = new NorthflankStub(vertx.getDelegate(), root.resolve("northflank"));
    provider =
        new NorthflankSandboxProvider(
            NorthflankConfigs.of(stub, root.resolve("archives"), Map.of()), Long.MAX_VALUE, vertx);
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
    byte[] bytes = new byte[8];
    ThreadLocalRandom.current().nextBytes(bytes);
    return "rc-" + HexFormat.of().formatHex(bytes);
  }

  @Override
  protected String unknownSnapshotId() {
    return "nfa-" + UUID.randomUUID();
  }

  /**
   * Processes run as the image's non-root user; the service has the configured plan and a volume of
   * its own for the home.
   */
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
    assertThat(stub.creates())
        .filteredOn(body -> body.getString("name").equals(sandboxId))
        .singleElement()
        .satisfies(
            body ->
                assertThat(body.getJsonObject("billing").getString("deploymentPlan"))
                    .isEqualTo("nf-compute-20"));
    assertThat(stub.volumeCreates())
        .filteredOn(
            body ->
                body.getJsonArray("attachedObjects")
                    .getJsonObject(0)
                    .getString("id")
                    .equals(sandboxId))
        .singleElement()
        .satisfies(
            body ->
                assertThat(
                        body.getJsonArray("mounts")
                            .getJsonObject(0)
                            .getString("containerMountPath"))
                    .isEqualTo(NorthflankConfigs.HOME));
  }

  /**
   * Northflank services are separate containers; what the platform controls is what reaches them:
   * each is created without any port, so no other sandbox (nor anyone) can connect to it.
   */
  @Override
  protected void assertCannotConnect(String from, String to) {
    assertThat(stub.creates())
        .filteredOn(body -> List.of(from, to).contains(body.getString("name")))
        .hasSize(2)
        .allSatisfy((JsonObject body) -> assertThat(body.getJsonArray("ports")).isEmpty());
  }
}
