package dev.remoteclaude.gateway.support;

import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import dev.remoteclaude.gateway.provider.local.LocalSandboxProvider;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The local provider, as a cloud provider whose in-sandbox daemon a tenant broke: starting a
 * process fails as UNAVAILABLE (garbage where the daemon's answer should be) while the provider's
 * control plane answers for the sandbox. With {@link #outage} on, the control plane fails too: the
 * provider itself is down.
 */
@ApplicationScoped
public class GarbledDaemonProvider extends DelegatingProvider {

  private final AtomicBoolean outage = new AtomicBoolean();

  public GarbledDaemonProvider(LocalSandboxProvider local) {
    super(local);
  }

  @Override
  public String name() {
    return "garbled-daemon";
  }

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
    return super.status(sandboxId);
  }

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    return Uni.createFrom()
        .failure(
            new ProviderException(
                ProviderException.Kind.UNAVAILABLE, "process daemon answered an unreadable frame"));
  }
}
