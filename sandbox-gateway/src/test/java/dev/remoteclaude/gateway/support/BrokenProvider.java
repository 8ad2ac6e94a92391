package dev.remoteclaude.gateway.support;

import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import dev.remoteclaude.gateway.provider.Snapshot;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** A provider whose every call fails as an outage does; counts the calls that reach it. */
@ApplicationScoped
public class BrokenProvider implements SandboxProvider {

  private final AtomicInteger calls = new AtomicInteger();

  /**
   * How often it was called. A method, not the field: tests get a client proxy, whose copy of the
   * field would stay 0 whatever happened.
   */
  public int calls() {
    return calls.get();
  }

  private <T> Uni<T> down() {
    calls.incrementAndGet();
    return Uni.createFrom()
        .failure(new ProviderException(ProviderException.Kind.UNAVAILABLE, "provider outage"));
  }

  @Override
  public String name() {
    return "broken";
  }

  @Override
  public Uni<String> create(SandboxSpec spec) {
    return down();
  }

  @Override
  public Uni<SandboxStatus> status(String sandboxId) {
    return down();
  }

  @Override
  public Uni<Void> pause(String sandboxId) {
    return down();
  }

  @Override
  public Uni<Void> resume(String sandboxId) {
    return down();
  }

  @Override
  public Uni<Void> terminate(String sandboxId) {
    return down();
  }

  @Override
  public Uni<java.util.List<dev.remoteclaude.gateway.provider.ProvidedSandbox>> list() {
    return down();
  }

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    return down();
  }

  @Override
  public Uni<byte[]> readFile(String sandboxId, String path, int maxBytes) {
    return down();
  }

  @Override
  public Uni<Void> writeFile(String sandboxId, String path, byte[] content) {
    return down();
  }

  @Override
  public Uni<Void> extendTtl(String sandboxId, Duration ttl) {
    return down();
  }

  @Override
  public Uni<Snapshot> snapshot(String sandboxId) {
    return down();
  }

  @Override
  public Uni<Void> deleteSnapshot(String snapshotId) {
    return down();
  }

  @Override
  public String claudeCommand() {
    return "claude";
  }
}
