package dev.remoteclaude.gateway.support;

import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.local.LocalSandboxProvider;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The local provider whose exec of {@code git push} as argv (the way the gateway pushes a task's
 * commit) fails as a provider failure does; everything else, a push run through a shell included,
 * works.
 */
@ApplicationScoped
public class FailingPushProvider extends DelegatingProvider {

  public FailingPushProvider(LocalSandboxProvider local) {
    super(local);
  }

  @Override
  public String name() {
    return "failing-push";
  }

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    List<String> argv = request.command();
    if (argv.size() > 1 && argv.get(0).equals("git") && argv.get(1).equals("push")) {
      return Uni.createFrom()
          .failure(new ProviderException(ProviderException.Kind.INVALID, "exec failed"));
    }
    return super.exec(sandboxId, request);
  }
}
