package dev.remoteclaude.gateway.support;

import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.local.LocalSandboxProvider;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The local provider as a remote one whose process starts can be held: a start sent while {@link
 * #hold()} is on completes at the provider only on {@link #release()}, as a request already sent to
 * a slow provider does, whether or not the caller still waits for it. Remembers the processes it
 * started.
 */
@ApplicationScoped
public class SlowStartProvider extends DelegatingProvider {

  private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
  private final List<ExecHandle> started = new CopyOnWriteArrayList<>();

  public SlowStartProvider(LocalSandboxProvider local) {
    super(local);
  }

  @Override
  public String name() {
    return "slow-start";
  }

  /** Starts from now on wait for {@link #release()}. */
  public void hold() {
    gate = new CompletableFuture<>();
  }

  public void release() {
    gate.complete(null);
  }

  /** The processes its starts made, in order. */
  public List<ExecHandle> started() {
    return List.copyOf(started);
  }

  @Override
  public Uni<ExecHandle> exec(String sandboxId, ExecRequest request) {
    CompletableFuture<Void> held = gate;
    // The provider's side goes on whatever the caller does with the Uni.
    CompletableFuture<ExecHandle> done =
        held.thenCompose(
            ignored ->
                super.exec(sandboxId, request).invoke(started::add).subscribeAsCompletionStage());
    return Uni.createFrom().completionStage(done.thenApply(handle -> handle));
  }
}
