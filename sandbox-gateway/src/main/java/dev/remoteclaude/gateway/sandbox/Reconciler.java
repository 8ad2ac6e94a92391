package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import dev.remoteclaude.gateway.work.SafeContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Keeps the gateway's view of sandboxes true across restarts: at start-up, READY and PAUSED
 * sandboxes the provider no longer has are reported LOST (session-service then recovers them). Work
 * left by instances that died is taken over by {@link dev.remoteclaude.gateway.work.LeasedWork}.
 */
@ApplicationScoped
public class Reconciler {

  private final SandboxRepository sandboxes;
  private final LifecycleService lifecycle;
  private final ProviderCalls providers;

  public Reconciler(
      SandboxRepository sandboxes, LifecycleService lifecycle, ProviderCalls providers) {
    this.sandboxes = sandboxes;
    this.lifecycle = lifecycle;
    this.providers = providers;
  }

  void onStart(@Observes StartupEvent event) {
    SafeContext.run(this::reconcile)
        .subscribe()
        .with(ok -> {}, failure -> Log.errorf(failure, "start-up reconciliation failed"));
  }

  /** READY and PAUSED sandboxes the provider has lost are reported LOST. */
  Uni<Void> reconcile() {
    return Panache.withSession(sandboxes::live)
        .chain(
            list -> {
              Uni<Void> chain = Uni.createFrom().voidItem();
              for (Sandbox sandbox : list) {
                if (!providers.knows(sandbox.provider) || sandbox.providerId == null) {
                  continue;
                }
                chain =
                    chain.chain(
                        () ->
                            providers
                                .status(sandbox.provider, sandbox.providerId)
                                .onFailure()
                                .recoverWithItem(SandboxStatus.RUNNING)
                                .chain(
                                    status ->
                                        status == SandboxStatus.MISSING
                                            ? markLost(sandbox)
                                            : Uni.createFrom().voidItem()));
              }
              return chain;
            });
  }

  private Uni<Void> markLost(Sandbox found) {
    return Panache.withTransaction(
        () ->
            sandboxes
                .lock(found.sessionId)
                .chain(
                    sandbox ->
                        sandbox == null
                            ? Uni.createFrom().voidItem()
                            : lifecycle.lost(
                                sandbox, "it was not found when the gateway started")));
  }
}
