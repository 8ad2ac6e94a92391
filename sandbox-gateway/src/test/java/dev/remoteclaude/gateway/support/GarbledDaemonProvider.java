package dev.remoteclaude.gateway.support;

import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import dev.remoteclaude.gateway.provider.Snapshot;
import dev.remoteclaude.gateway.provider.local.LocalSandboxProvider;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The local provider, as a cloud provider whose in-sandbox daemon a tenant broke: starting a
 * process fails as UNAVAILABLE (garbage where the daemon's answer should be) while the provider's
 * control plane answers for the sandbox. With {@link #outage} on, the control plane fails too: the
 * provider itself is down.
 */
@ApplicationScoped
public class GarbledDaemonProvider implements SandboxProvider {

  private final LocalSandboxProvider local;

  public GarbledDaemonProvider(LocalSandboxProvider local) {
    this.local = local;
  }

  @Override
  public String name() {
    return "garbled-daemon";
  }

  /** None of its own: its sandboxes are the local provider's, which lists them. */
  @Override
  public Uni<java.util.List<dev.remoteclaude.gateway.provider.ProvidedSandbox>> list() {
    return Uni.createFrom().item(java.util.List.of());
  }

  @Override
  public String claudeCommand() {
    return local.claudeCommand();
  }

  @Override
  public Uni<String> create(SandboxSpec spec) {
    return local.create(spec);
  }

  private final java.util.concurrent.atomic.AtomicBoolean outage =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Whether the provider's control plane is down as well. */
  public void outage(boolean down) {
    outage.set(down);
  }

  @Override
  public Uni<SandboxStatus> status(String sandboxId) {
    if (outage.get()) {
      return Uni.createFrom()
          .failure(new ProviderException(ProviderException.Kind.UNAVAILABLE, "control plane down"));
    }
    return local.status(sandboxId);
  }

  @Override
  public Uni<Void> pause(String sandboxId) {
    return local.pause(sandboxId);
  }

  @Override
  public Uni<Void> resume(String sandboxId) {
    return local.resume(sandboxId);
  }

  @Override
  public Uni<Void> terminate(String sandboxId) {
    return local.terminate(sandboxId);
  }

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    return Uni.createFrom()
        .failure(
            new ProviderException(
                ProviderException.Kind.UNAVAILABLE, "process daemon answered an unreadable frame"));
  }

  @Override
  public Uni<byte[]> readFile(String sandboxId, String path, int maxBytes) {
    return local.readFile(sandboxId, path, maxBytes);
  }

  @Override
  public Uni<Void> writeFile(String sandboxId, String path, byte[] content) {
    return local.writeFile(sandboxId, path, content);
  }

  @Override
  public Uni<Void> extendTtl(String sandboxId, Duration ttl) {
    return local.extendTtl(sandboxId, ttl);
  }

  @Override
  public Uni<Snapshot> snapshot(String sandboxId) {
    return local.snapshot(sandboxId);
  }

  @Override
  public Uni<Void> deleteSnapshot(String snapshotId) {
    return local.deleteSnapshot(snapshotId);
  }
}
