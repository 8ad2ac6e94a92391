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
 * The local provider whose exec of {@code git push} as argv (the way the gateway pushes a task's
 * commit) fails as a provider failure does; everything else, a push run through a shell included,
 * works.
 */
@ApplicationScoped
public class FailingPushProvider implements SandboxProvider {

  private final LocalSandboxProvider local;

  public FailingPushProvider(LocalSandboxProvider local) {
    this.local = local;
  }

  @Override
  public String name() {
    return "failing-push";
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

  @Override
  public Uni<SandboxStatus> status(String sandboxId) {
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
    java.util.List<String> argv = request.command();
    if (argv.size() > 1 && argv.get(0).equals("git") && argv.get(1).equals("push")) {
      return Uni.createFrom()
          .failure(new ProviderException(ProviderException.Kind.INVALID, "exec failed"));
    }
    return local.exec(sandboxId, request);
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
