package dev.remoteclaude.gateway.support;

import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProvidedSandbox;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import dev.remoteclaude.gateway.provider.Snapshot;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;

/**
 * A test provider that is another one under its own name: every call goes to the delegate, so a
 * fake overrides only what it changes. It lists no sandboxes of its own: they are the delegate's,
 * which lists them.
 */
public abstract class DelegatingProvider implements SandboxProvider {

  private final SandboxProvider delegate;

  protected DelegatingProvider(SandboxProvider delegate) {
    this.delegate = delegate;
  }

  /** For CDI's client proxy, which forwards every call and never uses the delegate. */
  protected DelegatingProvider() {
    this(null);
  }

  @Override
  public Uni<List<ProvidedSandbox>> list() {
    return Uni.createFrom().item(List.of());
  }

  @Override
  public String claudeCommand() {
    return delegate.claudeCommand();
  }

  @Override
  public Uni<String> create(SandboxSpec spec) {
    return delegate.create(spec);
  }

  @Override
  public Uni<SandboxStatus> status(String sandboxId) {
    return delegate.status(sandboxId);
  }

  @Override
  public Uni<Void> pause(String sandboxId) {
    return delegate.pause(sandboxId);
  }

  @Override
  public Uni<Void> resume(String sandboxId) {
    return delegate.resume(sandboxId);
  }

  @Override
  public Uni<Void> terminate(String sandboxId) {
    return delegate.terminate(sandboxId);
  }

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    return delegate.exec(sandboxId, request);
  }

  @Override
  public Uni<byte[]> readFile(String sandboxId, String path, int maxBytes) {
    return delegate.readFile(sandboxId, path, maxBytes);
  }

  @Override
  public Uni<Void> writeFile(String sandboxId, String path, byte[] content) {
    return delegate.writeFile(sandboxId, path, content);
  }

  @Override
  public Uni<Void> extendTtl(String sandboxId, Duration ttl) {
    return delegate.extendTtl(sandboxId, ttl);
  }

  @Override
  public Uni<Snapshot> snapshot(String sandboxId) {
    return delegate.snapshot(sandboxId);
  }

  @Override
  public Uni<Void> deleteSnapshot(String snapshotId) {
    return delegate.deleteSnapshot(snapshotId);
  }
}
