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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider that only deletes snapshots, and fails the next {@link #failNext(int)} deletions as an
 * outage would; remembers what it deleted. Nothing else of it is used. (Tests get a client proxy:
 * they use its methods, never its fields, which the proxy has copies of.)
 */
@ApplicationScoped
public class FlakyDeletesProvider implements SandboxProvider {

  private final Set<String> deleted = ConcurrentHashMap.newKeySet();
  private final AtomicInteger failures = new AtomicInteger();

  public void failNext(int count) {
    failures.set(count);
  }

  /** The snapshots it deleted. */
  public Set<String> deleted() {
    return Set.copyOf(deleted);
  }

  @Override
  public String name() {
    return "flaky-deletes";
  }

  /** It holds no sandboxes. */
  @Override
  public Uni<java.util.List<dev.remoteclaude.gateway.provider.ProvidedSandbox>> list() {
    return Uni.createFrom().item(java.util.List.of());
  }

  @Override
  public Uni<Void> deleteSnapshot(String snapshotId) {
    if (failures.getAndDecrement() > 0) {
      return Uni.createFrom()
          .failure(new ProviderException(ProviderException.Kind.UNAVAILABLE, "provider outage"));
    }
    deleted.add(snapshotId);
    return Uni.createFrom().voidItem();
  }

  private static <T> Uni<T> unsupported() {
    return Uni.createFrom()
        .failure(new ProviderException(ProviderException.Kind.INVALID, "not supported"));
  }

  @Override
  public Uni<String> create(SandboxSpec spec) {
    return unsupported();
  }

  @Override
  public Uni<SandboxStatus> status(String sandboxId) {
    return unsupported();
  }

  @Override
  public Uni<Void> pause(String sandboxId) {
    return unsupported();
  }

  @Override
  public Uni<Void> resume(String sandboxId) {
    return unsupported();
  }

  @Override
  public Uni<Void> terminate(String sandboxId) {
    return unsupported();
  }

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    return unsupported();
  }

  @Override
  public Uni<byte[]> readFile(String sandboxId, String path, int maxBytes) {
    return unsupported();
  }

  @Override
  public Uni<Void> writeFile(String sandboxId, String path, byte[] content) {
    return unsupported();
  }

  @Override
  public Uni<Void> extendTtl(String sandboxId, Duration ttl) {
    return unsupported();
  }

  @Override
  public Uni<Snapshot> snapshot(String sandboxId) {
    return unsupported();
  }

  @Override
  public String claudeCommand() {
    return "claude";
  }
}
