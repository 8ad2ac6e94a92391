package dev.remoteclaude.gateway.work;

import dev.remoteclaude.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;

/**
 * This gateway instance's identity and liveness. The instance renews a lease in {@code
 * gateway_worker}; work owned by an instance whose lease ran out (it crashed, or restarted under a
 * new identity) is claimed by the others: see {@link LeasedWork}.
 */
@ApplicationScoped
public class Workers {

  private final String id = "gw-" + UUID.randomUUID();
  private final WorkerRepository repository;
  private final GatewayConfig config;

  public Workers(WorkerRepository repository, GatewayConfig config) {
    this.repository = repository;
    this.config = config;
  }

  public String id() {
    return id;
  }

  void onStart(@Observes StartupEvent event) {
    renew().await().indefinitely();
    Log.infof("gateway instance %s", id);
  }

  @Scheduled(
      every = "${gateway.heartbeat:5s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> heartbeat() {
    return renew();
  }

  Uni<Void> renew() {
    return repository.renew(id, config.lease());
  }

  /** Leaves the cluster at once (shutdown), so others need not wait for the lease to run out. */
  public Uni<Void> retire() {
    return repository.retire(id);
  }
}
